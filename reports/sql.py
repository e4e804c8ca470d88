"""Helpers shared by the reports computed in SQL (reports.continuity,
reports.fok_statistics)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from contacts.models import Unit


def unit_scope(units: QuerySet[Unit] | Iterable[Unit], column: str) -> tuple[str, list[Any]]:
    """``AND <column> IN (…)`` limiting rows to ``units``. A queryset is sent as
    a subquery, never as a list of ids; one that can match nothing (a user
    without units: ``Unit.objects.none()``) compiles to no SQL at all, so it
    becomes a condition that is never true."""
    if isinstance(units, QuerySet) and not units.query.is_sliced:
        try:
            sql, params = units.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            return " AND 1 = 0", []
        return f" AND {column} IN ({sql})", list(params)
    ids = [unit.pk for unit in units]
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", ids


def code_point_collation() -> str:
    """The collation that compares text by Unicode code point (as Python's
    ``str`` does), whatever the database's own collation: PostgreSQL's "C"
    (UTF-8 bytes, which keep code point order), SQLite's BINARY. Where a
    figure depends on the order of text (visits with the same start are
    taken in visit id order for SECON, docs/metrics.md), it must not depend
    on the locale the database was created with (a PostgreSQL cluster
    initialised with en_US or sv_SE sorts "a1" before "B1"; by code point
    "B1" comes first)."""
    return "C" if connection.vendor == "postgresql" else "BINARY"
