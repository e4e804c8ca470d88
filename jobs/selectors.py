"""Reads of jobs."""

from __future__ import annotations

from django.db.models import QuerySet

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
