"""Background jobs (jobs app): progress, failure, ownership, and the real
database worker (django-tasks-db) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from contacts.models import Unit
from contacts.roles import Role
from jobs import services
from jobs.models import Job
from tests.contacts.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(unit):
    return make_user("samordnare", role=Role.COORDINATOR, units=[unit], password=None)


@pytest.fixture
def admin(unit):
    return make_user("admin", role=Role.ADMINISTRATOR, units=[unit], password=None)


def test_a_running_job_is_polled_and_can_be_refreshed_without_javascript(client, coordinator):
    job = Job.objects.create(
        user=coordinator,
        kind=Job.Kind.VISIT_OVERVIEW_PDF,
        title="Översikt besök",
        status=Job.Status.RUNNING,
        progress=30,
        step="Skapar PDF-filen",
    )
    client.force_login(coordinator)
    url = reverse("job_detail", args=[job.pk])
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert f'hx-get="{url}"' in partial and 'hx-trigger="load delay:2s"' in partial
    assert 'role="status"' in partial and "Pågår: Skapar PDF-filen (30 %)" in partial
    page = client.get(url)
    assert page.status_code == 200
    assert f'href="{url}" data-testid="job-refresh"' in page.content.decode()
    # Not done: no file yet, the download leads back to the job.
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 302 and download["Location"] == url


def test_a_finished_job_stops_polling_and_offers_its_file(client, coordinator, unit):
    client.force_login(coordinator)
    started = client.post(
        reverse("continuity_kpi"),
        {"unit": "U1", "from": "2025-02-03", "format": "pdf"},
        headers={"HX-Request": "true"},
    )
    html = started.content.decode()
    assert started.status_code == 200 and "hx-get" not in html
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and job.user == coordinator and job.finished
    assert "Klart." in html and reverse("job_download", args=[job.pk]) in html
    assert job.params == {"unit": "U1", "from": "2025-02-03"}
    pdf = client.get(reverse("job_download", args=[job.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"


def test_a_failed_job_says_why_in_swedish_and_keeps_no_file(client, coordinator, monkeypatch):
    # The selection is no longer valid when the job runs.
    refused = services.job_start(
        user=coordinator,
        kind=Job.Kind.CONTINUITY_PDF,
        title="Kontinuitetsrapport",
        params={"unit": "U9", "from": "2025-02-01", "to": "2025-02-14"},
    )
    assert refused.status == Job.Status.FAILED and refused.result is None
    assert refused.error == "Urvalet går inte längre att skriva ut; välj det igen på sidan."

    # A defect: logged, and the user gets a general message.
    def broken(job, progress):
        progress(50, "Halvvägs")
        raise RuntimeError("layout failed")

    monkeypatch.setitem(services.HANDLERS, Job.Kind.KPI_PDF, f"{__name__}.BROKEN")
    monkeypatch.setitem(globals(), "BROKEN", broken)
    crashed = services.job_start(user=coordinator, kind=Job.Kind.KPI_PDF, title="KKiK")
    assert crashed.status == Job.Status.FAILED and crashed.result is None
    client.force_login(coordinator)
    html = client.get(reverse("job_detail", args=[crashed.pk])).content.decode()
    assert "Det gick inte: Något gick fel. Inget har sparats; försök igen om en stund." in html
    assert "layout failed" not in html and "job-download" not in html


def test_a_user_sees_only_their_own_jobs(client, coordinator, unit):
    other = make_user("annan", role=Role.COORDINATOR, units=[unit], password=None)
    theirs = Job.objects.create(user=other, kind=Job.Kind.KPI_PDF, title="Deras jobb")
    mine = Job.objects.create(user=coordinator, kind=Job.Kind.KPI_PDF, title="Mitt jobb")
    client.force_login(coordinator)
    listing = client.get(reverse("job_list")).content.decode()
    assert "Mitt jobb" in listing and "Deras jobb" not in listing
    for name in ("job_detail", "job_download"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
        assert client.get(reverse(name, args=[mine.pk])).status_code in {200, 302}


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
)
def test_the_database_worker_runs_an_import_started_in_the_browser(client, admin, monkeypatch):
    """The production path: the request only records the job; `db_worker`
    (here one batch) imports the file and the page then shows the counts."""
    # The worker closes stale connections between tasks; the test's
    # transaction must stay open.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    client.force_login(admin)
    upload = client.post(
        reverse("import_csv"),
        {"kind": "units", "file": _csv("code;name\nU7;Hemtjänst Väst\n")},
    )
    assert upload.status_code == 200
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED and job.task_id
    assert "Väntar på att starta" in upload.content.decode()
    assert not Unit.objects.filter(code="U7").exists()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.payload is None  # the upload is not kept
    assert Unit.objects.filter(code="U7").exists()
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'data-testid="count-created">1<' in html


def _csv(text: str):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("enheter.csv", text.encode(), content_type="text/csv")
