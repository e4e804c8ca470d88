"""Writes of jobs: starting one (from a view) and running it (in the worker).

A job's work is a *handler*, a function of the app named in HANDLERS by the
job's kind: ``handler(job, progress) -> JobOutput``. It reads the job's params
(the form's data, checked again with the same form as the page), reports its
progress, and returns the file, or raises JobFailed with a Swedish message
for the user. Any other exception is logged and shown as a general failure.
The result is saved in one write together with the status "done", so a job
is never seen half written.

While a job runs, its worker writes the job's heartbeat every
HEARTBEAT_SECONDS (``_Heartbeat``), so the page can tell a job that runs
from one whose worker was stopped halfway (models.Job.lost)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import Job

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]

# How often the worker writes a running job's heartbeat, and the progress
# its handler reported inside a transaction (models.LOST_AFTER is many
# times this).
HEARTBEAT_SECONDS = 2.0

# Job kind -> the handler's dotted path (imported when the job runs).
HANDLERS: dict[str, str] = {
    Job.Kind.CONTINUITY_PDF: "reports.views.continuity.continuity_pdf_job",
    Job.Kind.KPI_PDF: "reports.views.continuity.kpi_pdf_job",
    Job.Kind.FOK_STATISTICS_PDF: "reports.views.statistics.fok_statistics_pdf_job",
    Job.Kind.VISIT_OVERVIEW_PDF: "reports.views.visits.visit_overview_pdf_job",
    Job.Kind.KOLADA_CSV: "reports.views.kolada.kolada_csv_job",
    Job.Kind.IMPORT: "imports.views.import_job",
}


@dataclass
class JobOutput:
    """A file to download, or data to show (an import's result), or both."""

    content: bytes | None = None
    filename: str = ""
    content_type: str = ""
    data: dict[str, Any] | None = None


class JobFailed(Exception):
    """The job cannot be done; the message (Swedish) is shown to the user."""


def job_start(
    *,
    user: User,
    kind: str,
    title: str,
    params: dict[str, Any] | None = None,
    payload: bytes | None = None,
) -> Job:
    """Record the job and hand it to the task worker. The task is enqueued
    in the same transaction as the job: the worker sees both or neither."""
    from .tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(
            user=user, kind=kind, title=title[:200], params=params or {}, payload=payload
        )
        result = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


class _Heartbeat:
    """A running job's heartbeat and progress, written every
    HEARTBEAT_SECONDS from a thread and a database connection of its own
    while the job's handler runs. A single step can take minutes (laying
    out a long PDF), and progress written through the handler's own
    connection inside its transaction (an import's rows are one) would not
    be seen before it commits, and would lock the job's row until then. The
    handler's progress is therefore only kept here (``report``), and the
    thread, the one writer of the job's row while the handler runs, writes
    the latest with each beat.

    Not started for a job run inside a caller's transaction (the tests'
    immediate task backend runs it inside job_start's): nothing of such a
    job is seen before that transaction commits, the thread's writes would
    wait for it, and progress is written through the job's own connection.
    On SQLite an import holds the database's only write lock until it
    commits: the thread then waits for it (the connection's timeout) and
    tries again at the next beat, so an import's progress shows only as far
    as the file's first reading."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        # The latest (percent, step) reported and not yet written.
        self.pending: tuple[int, str] | None = None

    def __enter__(self) -> _Heartbeat:
        if not transaction.get_connection().in_atomic_block:
            self.thread = threading.Thread(
                target=self._beat, name=f"job-{self.job_id}-heartbeat", daemon=True
            )
            self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()

    def report(self, percent: int, step: str) -> None:
        """The handler's progress (Progress)."""
        progress = (max(0, min(100, int(percent))), step[:200])
        if self.thread is not None:
            self.pending = progress
            return
        Job.objects.filter(pk=self.job_id).update(
            progress=progress[0], step=progress[1], heartbeat=timezone.now()
        )

    def _beat(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                latest = self.pending
                fields: dict[str, Any] = {"heartbeat": timezone.now()}
                if latest is not None:
                    fields["progress"], fields["step"] = latest
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(**fields)
                except DatabaseError:
                    # SQLite: an import holds the write lock; the next beat tries again.
                    logger.info("Heartbeat of job %s not written", self.job_id, exc_info=True)
                    continue
                if self.pending is latest:
                    self.pending = None  # unless a newer one came meanwhile
        finally:
            connections.close_all()  # this thread's own


def prune(*, days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete the jobs past their retention (jobs.selectors.past_retention),
    files and all; returns how many."""
    from .selectors import past_retention, retention_days

    deleted, _per_model = past_retention(days or retention_days(), now).delete()
    return deleted


def job_run(job_id: int) -> str:
    """The body of the task: run the job's handler and record the outcome;
    then delete the jobs past their retention (OMSORG_JOB_DAYS), so old
    files go without a scheduler."""
    try:
        return _run(job_id)
    finally:
        try:
            # A savepoint inside a caller's transaction: a failure here must
            # not break it (nor the job's outcome, recorded already).
            with transaction.atomic():
                prune()
        except DatabaseError:
            logger.exception("Old jobs not deleted")


def _run(job_id: int) -> str:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not job.pending:
        return "skipped"
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, progress=0, step=_("Startar"), heartbeat=timezone.now()
    )
    try:
        handler = import_string(HANDLERS[job.kind])
        with _Heartbeat(job.pk) as beat:
            output: JobOutput = handler(job, beat.report)
    except JobFailed as exc:
        _fail(job, str(exc))
        return Job.Status.FAILED
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _fail(job, _("Något gick fel. Inget har sparats; försök igen om en stund."))
        return Job.Status.FAILED
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        progress=100,
        step=_("Klart"),
        result=output.content,
        result_name=output.filename[:200],
        result_type=output.content_type[:100],
        result_data=output.data,
        # The uploaded file is not needed any more.
        payload=None,
        finished=timezone.now(),
    )
    return Job.Status.DONE


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED,
        step="",
        error=message,
        result=None,
        payload=None,
        finished=timezone.now(),
    )


def record_export(job: Job, clients: Any) -> None:
    """The access log entry of a job's file (as the download's request would
    have written): who, which report with which parameters, which clients."""
    from audit.models import AccessKind, AccessLogEntry

    ids = sorted({int(getattr(c, "pk", c)) for c in clients})
    AccessLogEntry.objects.create(
        user=job.user,
        username=job.user.get_username(),
        kind=AccessKind.EXPORT,
        what=str(job.kind)[:100],
        parameters={str(k): v for k, v in job.params.items()},
        client_ids=ids,
    )
