"""A background job as the user sees it: what was asked for, how far it has
come, and its file or its error.

The task framework (django-tasks) keeps its own record of the task; this one
belongs to the app: it says whose job it is (a user sees only their own,
contacts.access.get_job_for_user), carries the input (an uploaded CSV file)
and the result (the PDF), so the web server and the worker need no shared
disk, only the database."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A running job whose worker has not been heard from for this long is shown
# as possibly stopped (jobs.services writes the heartbeat every
# HEARTBEAT_SECONDS while the job runs).
LOST_AFTER = dt.timedelta(minutes=5)
# A job still waiting for a worker after this long says that it waits.
QUEUED_NOTICE_AFTER = dt.timedelta(minutes=2)


class JobKind(models.TextChoices):
    CONTINUITY_PDF = "continuity_pdf", _("Kontinuitetsrapport (PDF)")
    KPI_PDF = "kpi_pdf", _("Kontinuitet KKiK (PDF)")
    FOK_STATISTICS_PDF = "fok_statistics_pdf", _("Statistik fast omsorgskontakt (PDF)")
    VISIT_OVERVIEW_PDF = "visit_overview_pdf", _("Översikt besök (PDF)")
    KOLADA_CSV = "kolada_csv", _("Kolada personalkontinuitet (CSV)")
    IMPORT = "import", _("Import av CSV-fil")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Väntar på att starta")
    RUNNING = "running", _("Pågår")
    DONE = "done", _("Klart")
    FAILED = "failed", _("Misslyckades")


class Job(models.Model):
    Kind = JobKind
    Status = JobStatus

    # No index of its own: jobs_job_user_created_idx begins with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", db_index=False
    )
    kind = models.CharField(_("typ"), max_length=32, choices=JobKind.choices)
    title = models.CharField(_("beskrivning"), max_length=200)
    # The form's data (query parameters) the job repeats in the worker.
    params = models.JSONField(_("parametrar"), default=dict, blank=True)
    # Input too large for params: the uploaded file of an import.
    payload = models.BinaryField(null=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("förlopp (procent)"), default=0)
    step = models.CharField(_("steg"), max_length=200, blank=True)
    # The finished file, written together with status "done" (never half).
    result = models.BinaryField(null=True, editable=False)
    result_name = models.CharField(max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    # A result shown on the page rather than downloaded (an import's counts).
    result_data = models.JSONField(null=True, blank=True)
    error = models.TextField(_("fel"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # When the worker running the job was last heard from (jobs.services).
    heartbeat = models.DateTimeField(_("senast hörd"), null=True, blank=True)
    created = models.DateTimeField(_("skapad"), auto_now_add=True)
    finished = models.DateTimeField(_("klar"), null=True, blank=True)

    class Meta:
        verbose_name = _("bakgrundsjobb")
        verbose_name_plural = _("bakgrundsjobb")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=JobKind.values), name="jobs_job_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="jobs_job_status_valid"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="jobs_job_progress_max"),
        ]
        indexes = [
            # jobs.selectors.jobs_for_user: the user's own jobs, newest first.
            models.Index(fields=["user", "-created"], name="jobs_job_user_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def pending(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def silent_for(self) -> dt.timedelta:
        """How long since the job was last heard from (its heartbeat, or
        when it was recorded)."""
        return timezone.now() - (self.heartbeat or self.created)

    @property
    def lost(self) -> bool:
        """Running, but its worker has not been heard from for LOST_AFTER: it
        may have been stopped (a restart, a killed process) halfway. Nothing
        of a stopped job is saved (an import is one transaction, a file is
        saved with the status "done"). Shown, never recorded: a job whose
        worker was only held up still finishes and shows its result."""
        return self.status == self.Status.RUNNING and self.silent_for > LOST_AFTER

    @property
    def waiting_long(self) -> bool:
        """Still waiting for a worker after QUEUED_NOTICE_AFTER."""
        return self.status == self.Status.QUEUED and self.silent_for > QUEUED_NOTICE_AFTER

    @property
    def silent_minutes(self) -> int:
        return int(self.silent_for.total_seconds() // 60)

    @property
    def downloadable(self) -> bool:
        return self.status == self.Status.DONE and self.result is not None
