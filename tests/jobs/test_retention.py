"""Background jobs' files (report PDFs name clients) are not kept for ever:
a job and its file go OMSORG_JOB_DAYS after it finished, deleted by the task
worker after each job and by `manage.py prune_jobs`."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from contacts.roles import Role
from jobs import services
from jobs.models import Job
from tests.contacts.factories import make_user

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def coordinator(unit):
    return make_user("samordnare", role=Role.COORDINATOR, units=[unit], password=None)


def _job(user, title: str, status: str, *, finished=None, created=None, heartbeat=None) -> Job:
    job = Job.objects.create(
        user=user, kind=Job.Kind.KPI_PDF, title=title, status=status, result=b"%PDF-"
    )
    Job.objects.filter(pk=job.pk).update(
        finished=finished, created=created or timezone.now(), heartbeat=heartbeat
    )
    return job


@override_settings(OMSORG_JOB_DAYS=7)
def test_jobs_go_seven_days_after_they_finished_and_dead_ones_after_seven_silent_days(
    coordinator,
):
    now = timezone.now()
    week = 7 * DAY
    _job(coordinator, "klar, gammal", Job.Status.DONE, finished=now - week - DAY)
    _job(coordinator, "misslyckad, gammal", Job.Status.FAILED, finished=now - week - DAY)
    _job(
        coordinator,
        "klar, på gränsen",
        Job.Status.DONE,
        finished=now - week + dt.timedelta(minutes=1),
    )
    _job(coordinator, "klar, i går", Job.Status.DONE, finished=now - DAY)
    # Never finished: gone once neither started nor heard from within the week.
    _job(coordinator, "väntar sedan länge", Job.Status.QUEUED, created=now - week - DAY)
    _job(
        coordinator,
        "tyst sedan länge",
        Job.Status.RUNNING,
        created=now - 9 * DAY,
        heartbeat=now - 8 * DAY,
    )
    _job(
        coordinator, "lång men hörd", Job.Status.RUNNING, created=now - 9 * DAY, heartbeat=now - DAY
    )
    _job(coordinator, "väntar", Job.Status.QUEUED, created=now - DAY)

    out = io.StringIO()
    call_command("prune_jobs", "--dry-run", stdout=out)
    assert out.getvalue() == "4 jobb äldre än 7 dagar skulle tas bort.\n"
    assert Job.objects.count() == 8

    out = io.StringIO()
    call_command("prune_jobs", stdout=out)
    assert out.getvalue() == "4 jobb äldre än 7 dagar togs bort.\n"
    assert set(Job.objects.values_list("title", flat=True)) == {
        "klar, på gränsen",
        "klar, i går",
        "lång men hörd",
        "väntar",
    }


@override_settings(OMSORG_JOB_DAYS=2)
def test_the_worker_deletes_old_jobs_after_each_job(coordinator, unit):
    old = _job(coordinator, "gammal", Job.Status.DONE, finished=timezone.now() - 3 * DAY)
    new = services.job_start(
        user=coordinator,
        kind=Job.Kind.KPI_PDF,
        title="KKiK",
        params={"unit": unit.code, "from": "2025-02-03"},
    )
    assert new.status == Job.Status.DONE, new.error
    assert not Job.objects.filter(pk=old.pk).exists()
    assert Job.objects.filter(pk=new.pk).exists()


@override_settings(OMSORG_JOB_DAYS=0)
def test_a_retention_below_one_day_counts_as_one(coordinator):
    today = _job(
        coordinator, "i dag", Job.Status.DONE, finished=timezone.now() - dt.timedelta(hours=2)
    )
    assert services.prune() == 0 and Job.objects.filter(pk=today.pk).exists()


@override_settings(OMSORG_JOB_DAYS=7)
def test_the_pages_say_when_files_go(client, coordinator):
    finished = timezone.now()
    job = _job(coordinator, "KKiK", Job.Status.DONE, finished=finished)
    Job.objects.filter(pk=job.pk).update(result_name="k.pdf", result_type="application/pdf")
    client.force_login(coordinator)
    listing = client.get(reverse("job_list")).content.decode()
    assert "De tas bort 7 dagar efter att de blev klara." in listing
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    day = timezone.localtime(finished + 7 * DAY).date().isoformat()
    assert f"Filen tas bort {day}." in page


def test_a_failed_clean_up_neither_fails_the_job_nor_its_callers_transaction(
    coordinator, unit, monkeypatch, caplog
):
    def broken(**kwargs):  # type: ignore[no-untyped-def]
        Job.objects.raw("SELECT * FROM no_such_table")[0]  # a real database error

    monkeypatch.setattr(services, "prune", broken)
    job = services.job_start(
        user=coordinator,
        kind=Job.Kind.KPI_PDF,
        title="KKiK",
        params={"unit": unit.code, "from": "2025-02-03"},
    )
    # job_start goes on in its transaction after the job ran (the tests'
    # immediate backend runs it there) and reads the job back.
    assert job.status == Job.Status.DONE and job.task_id
    assert "Old jobs not deleted" in caplog.text
