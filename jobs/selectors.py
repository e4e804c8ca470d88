"""Reads of jobs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from contacts.access import AnyUser

from .models import Job

RECENT = 20


def jobs_for_user(user: AnyUser) -> QuerySet[Job]:
    """The user's own jobs, newest first, without their files."""
    if not user.is_authenticated:
        return Job.objects.none()
    return (
        Job.objects.filter(user_id=user.pk)
        .defer("payload", "result")
        .order_by("-created", "-pk")[:RECENT]
    )


def retention_days() -> int:
    """settings.OMSORG_JOB_DAYS, at least one day."""
    return max(1, int(settings.OMSORG_JOB_DAYS))


def past_retention(days: int, now: dt.datetime | None = None) -> QuerySet[Job]:
    """Jobs to delete: finished more than ``days`` days ago, or never
    finished and not heard from in all that time (their worker is gone)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    finished = Q(status__in=[Job.Status.DONE, Job.Status.FAILED], finished__lt=cutoff)
    abandoned = Q(status__in=[Job.Status.QUEUED, Job.Status.RUNNING], created__lt=cutoff) & (
        Q(heartbeat__isnull=True) | Q(heartbeat__lt=cutoff)
    )
    return Job.objects.filter(finished | abandoned)
