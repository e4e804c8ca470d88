"""How far an import has come: import_csv's progress, the command line's
on a terminal, and a browser import's job page while the import runs."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.db import connection

from contacts.models import Unit
from contacts.roles import Role
from imports import importers
from jobs import services
from jobs.models import Job
from tests.contacts.factories import make_user

UNITS = "code;name\nX1;Norr\nX2;Söder\nX3;Väst\nX4;Öst\nX5;Mitt\n"


@pytest.fixture
def every_two_rows(monkeypatch):
    monkeypatch.setattr(importers, "PROGRESS_ROWS", 2)


@pytest.mark.django_db
def test_both_readings_of_the_file_report_their_progress(every_two_rows):
    heard: list[tuple[int, int | None]] = []
    result = importers.import_csv("units", UNITS.encode(), progress=lambda *p: heard.append(p))
    assert result.ok and result.created == 5
    # The first reading: rows read so far (the total is not known yet); the
    # second: rows checked and applied of the five.
    assert heard == [(2, None), (4, None), (0, 5), (2, 5), (4, 5)]


@pytest.mark.django_db
def test_a_file_refused_at_its_header_reports_nothing(every_two_rows):
    heard: list[tuple[int, int | None]] = []
    result = importers.import_csv(
        "units", b"kod;namn\nU1;Norr\nU2;S\nU3;V\n", progress=lambda *p: heard.append(p)
    )
    assert not result.ok and heard == []
    assert not Unit.objects.exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_the_command_shows_its_progress_on_a_terminal_only(tmp_path, every_two_rows):
    path = tmp_path / "enheter.csv"
    path.write_text(UNITS, encoding="utf-8")
    out, err = io.StringIO(), _Terminal()
    call_command("import_csv", "units", str(path), stdout=out, stderr=err)
    assert out.getvalue() == "units: 5 created, 0 updated, 0 unchanged\n"
    assert err.getvalue().splitlines() == [
        "Läser filen: 2 rader",
        "Läser filen: 4 rader",
        "Sparar: rad 0 av 5",
        "Sparar: rad 2 av 5",
        "Sparar: rad 4 av 5",
    ]
    # Captured by a script (not a terminal): stdout and stderr as documented.
    out, err = io.StringIO(), io.StringIO()
    call_command("import_csv", "units", str(path), stdout=out, stderr=err)
    assert out.getvalue() == "units: 0 created, 0 updated, 5 unchanged\n"
    assert err.getvalue() == ""


@pytest.mark.django_db(transaction=True)
def test_a_browser_imports_progress_is_written_while_it_runs(unit, monkeypatch):
    """As in the task worker: the job run outside any transaction, the rows
    checked and applied inside the import's. PostgreSQL: the heartbeat
    thread's connection writes the rows' progress while the import runs,
    and the page would show it. SQLite: the import holds the database's
    only write lock until it commits, so the page shows the file's first
    reading until the job is done (jobs.services._Heartbeat)."""
    monkeypatch.setattr(services, "HEARTBEAT_SECONDS", 0.01)
    monkeypatch.setattr(importers, "PROGRESS_ROWS", 1)
    admin = make_user("admin", role=Role.ADMINISTRATOR, units=[unit], password=None)
    job = Job.objects.create(
        user=admin,
        kind=Job.Kind.IMPORT,
        title="Import av enheter",
        params={"kind": "units"},
        payload=UNITS.encode(),
    )
    seen: list[tuple[int, str]] = []
    prepare = importers.UnitImporter.prepare

    def slow_prepare(self, row):  # type: ignore[no-untyped-def]
        # Each row takes a while; meanwhile, what does the job's row say?
        time.sleep(0.1)
        seen.append(Job.objects.values_list("progress", "step").get(pk=job.pk))
        return prepare(self, row)

    monkeypatch.setattr(importers.UnitImporter, "prepare", slow_prepare)
    assert services.job_run(job.pk) == Job.Status.DONE
    job.refresh_from_db()
    assert job.result_data["ok"] and job.result_data["created"] == 5
    assert Unit.objects.filter(code__in=["X1", "X5"]).count() == 2
    saving = [(percent, step) for percent, step in seen if step.startswith("Kontrollerar")]
    if connection.vendor == "postgresql":
        assert saving, seen
        assert all(10 <= percent <= 95 for percent, _step in saving)
        assert any(step.endswith("av 5") for _percent, step in saving)
    else:
        assert saving == [], seen
        assert {step for _percent, step in seen} <= {"Läser och kontrollerar filen", "Startar"}
