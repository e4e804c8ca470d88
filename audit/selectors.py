"""Reads of the access log for its page and its CSV export."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .models import AccessLogEntry


def _mentions_client(entries: QuerySet[AccessLogEntry], client_id: int) -> QuerySet[AccessLogEntry]:
    """Rows whose ``client_ids`` hold ``client_id``: JSON containment on
    PostgreSQL; SQLite has no such lookup, so its JSON1 table function."""
    if connection.vendor == "postgresql":
        return entries.filter(client_ids__contains=[client_id])
    table = AccessLogEntry._meta.db_table
    mentions = RawSQL(
        f'EXISTS (SELECT 1 FROM json_each("{table}"."client_ids") WHERE value = %s)',  # noqa: S608
        (client_id,),
        output_field=BooleanField(),
    )
    return entries.alias(mentions=mentions).filter(mentions=True)


def entries(
    *,
    client_id: int | None = None,
    username: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AccessLogEntry]:
    """Rows newest first, filtered by client, user and period (both days
    included, in the local time zone)."""
    rows = AccessLogEntry.objects.all()
    tz = timezone.get_current_timezone()
    if date_from is not None:
        rows = rows.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to is not None:
        until = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        rows = rows.filter(at__lt=until)
    if username:
        rows = rows.filter(username=username)
    if client_id is not None:
        rows = _mentions_client(rows, client_id)
    return rows.order_by("-at", "-id")


def older_than(days: int, now: dt.datetime | None = None) -> QuerySet[AccessLogEntry]:
    """Rows past the retention period of ``days`` days."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return AccessLogEntry.objects.filter(at__lt=cutoff)


def prune(*, days: int, now: dt.datetime | None = None) -> int:
    """Deletes rows older than ``days`` days; returns how many."""
    deleted, _per_model = older_than(days, now).delete()
    return deleted
