"""Helpers shared by the reports computed in SQL (reports.continuity,
reports.fok_statistics)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
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


# --- one report, several connections -------------------------------------------------------
#
# PostgreSQL 15 runs window functions in one process only (the leader, after
# any parallel workers have sorted), so the organisation-wide continuity
# report, which must order each client's visits, used one core of the
# database while its floor used all of them. Split by client, the report is
# the same query over disjoint shares of the clients, run at once in as many
# connections; each share is one client's rows as a whole, so the rows add up
# to those of the single query. All the shares read one snapshot (exported
# by the first connection, as pg_dump --jobs does): a visit written in
# between is seen by all of them or by none (docs/performance.md).

REPORT_CONNECTIONS = 2
# Each share's transaction: no parallel workers of its own (the connections
# are the parallelism); no JIT compilation and sorts in memory. The share of
# a whole organisation sorts ~325,000 visit rows (spilled to disk at the
# default 4 MB) and PostgreSQL compiled the query for each share (~0.1 s);
# the two together took the report of all units from 2.0–2.15× its floor to
# 1.6–1.8× (docs/performance.md). At most ~64 MB per sort or hash in each of
# the REPORT_CONNECTIONS connections, for a report the task worker makes.
SHARE_SETTINGS = (
    "SET LOCAL max_parallel_workers_per_gather = 0",
    "SET LOCAL jit = off",
    "SET LOCAL work_mem = '64MB'",
)
_SNAPSHOT = re.compile(r"[0-9A-F]+-[0-9A-F]+-[0-9]+")


def concurrent() -> bool:
    """Whether ``fetch_by_client_share`` runs its shares at once: on
    PostgreSQL, outside a transaction (a test's or a caller's: the other
    connections would not see its rows)."""
    return (
        REPORT_CONNECTIONS > 1
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


def client_share(column: str, share: int, shares: int) -> str:
    """``AND`` the client of ``column`` is in share ``share`` of ``shares``."""
    return f" AND MOD({column}, {int(shares)}) = {int(share)}" if shares > 1 else ""


def fetch_by_client_share(
    query: Callable[[str], tuple[str, list[Any]]],
) -> list[tuple[Any, ...]]:
    """The rows of ``query(share_sql)`` over all clients: one query (SQLite, or
    inside a transaction), or REPORT_CONNECTIONS queries at once, each with
    its share's condition (``client_share``), in their own connections on one
    snapshot, each with SHARE_SETTINGS."""
    if not concurrent():
        sql, params = query("")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    shares = REPORT_CONNECTIONS
    results: list[list[tuple[Any, ...]]] = [[] for _ in range(shares)]
    errors: list[BaseException] = []

    def run(share: int, snapshot: str | None) -> None:
        sql, params = query(client_share("v.client_id", share, shares))
        with connection.cursor() as cursor:
            if snapshot is not None:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            for setting in SHARE_SETTINGS:
                cursor.execute(setting)
            cursor.execute(sql, params)
            results[share] = cursor.fetchall()

    def other(share: int, snapshot: str) -> None:
        try:
            with transaction.atomic():  # this thread's own connection
                run(share, snapshot)
        except BaseException as exc:  # raised again in the caller's thread
            errors.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
        if not _SNAPSHOT.fullmatch(snapshot):
            raise ValueError(f"unexpected snapshot id {snapshot!r}")
        threads = [
            threading.Thread(target=other, args=(share, snapshot), daemon=True)
            for share in range(1, shares)
        ]
        for thread in threads:
            thread.start()
        try:
            run(0, None)
        finally:
            for thread in threads:
                thread.join()
    if errors:
        raise errors[0]
    return [row for rows in results for row in rows]
