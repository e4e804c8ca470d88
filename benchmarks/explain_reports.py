"""EXPLAIN ANALYZE of every report query at full scale (PostgreSQL), for
docs/performance.md: each report runs once under CaptureQueriesContext and
each query it sent is explained with its parameters.

    DATABASE_URL=postgres://…/omsorg_scale_bench .venv/bin/python benchmarks/explain_reports.py
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omsorg.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from contacts.models import Unit, Visit  # noqa: E402


def explain(name: str, fn: Callable[[], Any]) -> None:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    for query in ctx.captured_queries:
        sql = query["sql"]
        # A planner setting sent with the query ("SET LOCAL …; SELECT …") is
        # explained with it; the reading and restoring of settings is not.
        setting, _, statement = (
            sql.rpartition("; ") if sql.startswith("SET LOCAL") else ("", "", sql)
        )
        if not statement.lstrip().upper().startswith(("SELECT", "WITH", "(SELECT")):
            continue
        if "current_setting(" in statement or "set_config(" in statement:
            continue
        with connection.cursor() as cursor:
            prefix = f"{setting}; " if setting else ""
            cursor.execute(prefix + "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement)
            if setting:
                cursor.nextset()
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"==== {name}{' (' + setting + ')' if setting else ''}\n{plan}\n", flush=True)


def main() -> None:
    from reports.continuity import continuity_kpi, continuity_report
    from reports.fok_statistics import fok_statistics

    period = Visit.objects.aggregate(first=Min("local_date"), last=Max("local_date"))
    first, last = period["first"], period["last"]
    one = Unit.objects.order_by("code").first()
    explain("continuity_report, all units", lambda: continuity_report(None, first, last))
    explain("continuity_report, one unit", lambda: continuity_report(one, first, last))
    explain("continuity_kpi, all units", lambda: continuity_kpi(None, last - dt.timedelta(13)))
    explain("fok_statistics accepted, all units", lambda: fok_statistics(None, "accepted", last))
    explain(
        "fok_statistics changed_last_year, one unit",
        lambda: fok_statistics(one, "changed_last_year", last),
    )


if __name__ == "__main__":
    main()
