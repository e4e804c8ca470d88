"""A job whose worker stops halfway (a restart, a killed process) must not
show "Pågår" for ever: the worker writes the job's heartbeat while it runs,
and a running job not heard from for LOST_AFTER says that it may have
stopped. A job that waits long for a worker says so too."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.roles import Role
from jobs import services
from jobs.models import LOST_AFTER, QUEUED_NOTICE_AFTER, Job
from tests.contacts.factories import make_user

NOW = dt.datetime(2026, 12, 4, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def coordinator(unit):
    return make_user("samordnare", role=Role.COORDINATOR, units=[unit], password=None)


def _job(status: str, *, heartbeat: dt.datetime | None, created: dt.datetime = NOW) -> Job:
    return Job(
        kind=Job.Kind.KPI_PDF, title="KKiK", status=status, heartbeat=heartbeat, created=created
    )


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def test_a_running_job_is_lost_only_after_lost_after_without_a_heartbeat(frozen):
    assert not _job(Job.Status.RUNNING, heartbeat=NOW).lost
    assert not _job(Job.Status.RUNNING, heartbeat=NOW - LOST_AFTER).lost  # on the boundary
    assert _job(Job.Status.RUNNING, heartbeat=NOW - LOST_AFTER - dt.timedelta(seconds=1)).lost
    # Never heard from at all (a job from before heartbeats): counted from its start.
    assert _job(Job.Status.RUNNING, heartbeat=None, created=NOW - LOST_AFTER * 2).lost
    assert not _job(Job.Status.RUNNING, heartbeat=None, created=NOW).lost
    # The worker's clock ahead of the web server's: not lost.
    assert not _job(Job.Status.RUNNING, heartbeat=NOW + dt.timedelta(minutes=3)).lost
    # Finished jobs are never lost, however old.
    for status in (Job.Status.DONE, Job.Status.FAILED, Job.Status.QUEUED):
        assert not _job(status, heartbeat=None, created=NOW - dt.timedelta(days=3)).lost


def test_a_queued_job_waits_long_only_after_the_notice_time(frozen):
    def waiting(since: dt.timedelta) -> bool:
        return _job(Job.Status.QUEUED, heartbeat=None, created=NOW - since).waiting_long

    assert not waiting(dt.timedelta(0))
    assert not waiting(QUEUED_NOTICE_AFTER)
    assert waiting(QUEUED_NOTICE_AFTER + dt.timedelta(seconds=1))
    assert not _job(
        Job.Status.RUNNING, heartbeat=NOW, created=NOW - dt.timedelta(hours=1)
    ).waiting_long


@pytest.mark.django_db
def test_the_page_says_a_silent_job_may_have_stopped_and_asks_less_often(client, coordinator):
    silent = Job.objects.create(
        user=coordinator,
        kind=Job.Kind.VISIT_OVERVIEW_PDF,
        title="Översikt besök",
        status=Job.Status.RUNNING,
        progress=40,
        step="Skapar PDF-filen",
    )
    Job.objects.filter(pk=silent.pk).update(heartbeat=timezone.now() - dt.timedelta(minutes=7))
    heard = Job.objects.create(
        user=coordinator,
        kind=Job.Kind.KPI_PDF,
        title="KKiK",
        status=Job.Status.RUNNING,
        heartbeat=timezone.now(),
    )
    client.force_login(coordinator)
    url = reverse("job_detail", args=[silent.pk])
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Pågår: Skapar PDF-filen (40 %)" in partial
    assert (
        "Inget har hörts från jobbet på 7 minuter. Bakgrundsprocessen kan ha stoppats; "
        "då har inget av jobbet sparats. Blir det inte klart, starta det igen." in partial
    )
    # Still asked about (a worker that was only held up finishes it), less often.
    assert f'hx-get="{url}"' in partial and 'hx-trigger="load delay:30s"' in partial
    # It may not go on: the page no longer says it does.
    assert "jobbet fortsätter" not in partial
    fresh = client.get(reverse("job_detail", args=[heard.pk])).content.decode()
    assert "jobbet fortsätter" in fresh
    assert 'data-testid="job-notice"' not in fresh and 'hx-trigger="load delay:2s"' in fresh
    listing = client.get(reverse("job_list")).content.decode()
    assert listing.count("inget hört på länge, kan ha stoppats") == 1


@pytest.mark.django_db
def test_the_page_says_a_job_has_waited_long_for_a_worker(client, coordinator):
    waiting = Job.objects.create(user=coordinator, kind=Job.Kind.KPI_PDF, title="KKiK")
    Job.objects.filter(pk=waiting.pk).update(created=timezone.now() - dt.timedelta(minutes=3))
    client.force_login(coordinator)
    html = client.get(reverse("job_detail", args=[waiting.pk])).content.decode()
    assert "Väntar på att starta" in html
    assert "Jobbet har väntat i 3 minuter." in html and "kontakta administratören" in html
    assert "har väntat i flera minuter" in client.get(reverse("job_list")).content.decode()


def _heartbeat_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.endswith("-heartbeat")]


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_the_heartbeat_while_a_long_step_runs(coordinator, monkeypatch):
    """As in the worker: the job run outside any transaction, its handler one
    long step; the heartbeat, written on the thread's own connection, is
    seen by others (here the handler's own reads) while the step runs."""
    monkeypatch.setattr(services, "HEARTBEAT_SECONDS", 0.05)
    seen: list[dt.datetime] = []

    def long_step(job, progress):
        started = Job.objects.get(pk=job.pk).heartbeat
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            beat = Job.objects.get(pk=job.pk).heartbeat
            if beat is not None and started is not None and beat > started:
                seen.append(beat)
                break
            time.sleep(0.02)
        return services.JobOutput(
            content=b"%PDF-", filename="k.pdf", content_type="application/pdf"
        )

    monkeypatch.setitem(services.HANDLERS, Job.Kind.KPI_PDF, f"{__name__}.LONG_STEP")
    monkeypatch.setitem(globals(), "LONG_STEP", long_step)
    job = Job.objects.create(user=coordinator, kind=Job.Kind.KPI_PDF, title="KKiK")
    assert services.job_run(job.pk) == Job.Status.DONE
    assert seen, "no heartbeat was written while the step ran"
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and not job.lost
    assert _heartbeat_threads() == []  # stopped with the job


@pytest.mark.django_db
def test_no_heartbeat_thread_for_a_job_run_inside_a_transaction(coordinator, monkeypatch):
    """The tests' immediate backend runs the job inside job_start's
    transaction: a heartbeat thread's writes would wait for it."""
    monkeypatch.setattr(services, "HEARTBEAT_SECONDS", 0.01)
    threads: list[list[threading.Thread]] = []

    def step(job, progress):
        progress(50, "Halvvägs")
        time.sleep(0.1)
        threads.append(_heartbeat_threads())
        return services.JobOutput(content=b"x", filename="x.pdf", content_type="application/pdf")

    monkeypatch.setitem(services.HANDLERS, Job.Kind.KPI_PDF, f"{__name__}.STEP")
    monkeypatch.setitem(globals(), "STEP", step)
    job = services.job_start(user=coordinator, kind=Job.Kind.KPI_PDF, title="KKiK")
    assert job.status == Job.Status.DONE
    assert threads == [[]]
    assert job.heartbeat is not None  # the progress report wrote it


def test_the_heartbeat_comes_many_times_within_lost_after():
    assert LOST_AFTER.total_seconds() >= services.HEARTBEAT_SECONDS * 10
