"""Benchmark: the reports at municipal scale on PostgreSQL, each against its floor.

The data set is ``generate_scale_data`` (20,000 clients, 300 units, 6,000
staff, ~650,000 visits in 14 days by default), built once in the database of
DATABASE_URL when it has none. Each report is timed interleaved with its
*floor* — the plainest SQL aggregation over the same rows, fetched into Python
— in one run: floor, report, floor, report, … and the medians are compared.
The Python implementation the reports replaced (reports.reference) is timed
once for comparison. Then one traced run gives the peak Python memory.

    DATABASE_URL=postgres://…/omsorg_scale_bench .venv/bin/python benchmarks/bench_reports.py
    BENCH_CLIENTS=5000 BENCH_REPEAT=5 …   (a smaller data set, more repeats)
    BENCH_ONLY=fok_statistics …           (only the reports whose name contains it)

Results go to docs/performance.md by hand, with the command used."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omsorg.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from contacts.models import Unit, Visit  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20000"))
DAYS = int(os.environ.get("BENCH_DAYS", "14"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
# Only the reports whose name contains this text, e.g. BENCH_ONLY=fok_statistics.
ONLY = os.environ.get("BENCH_ONLY", "")


def ensure_data() -> tuple[dt.date, dt.date]:
    call_command("migrate", verbosity=0)
    if not Visit.objects.exists():
        call_command("generate_scale_data", clients=CLIENTS, days=DAYS)
    period = Visit.objects.aggregate(first=Min("local_date"), last=Max("local_date"))
    return period["first"], period["last"]


def fetch(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


# The floors: one plain aggregation over the rows each report reads.
def floor_visits(first: dt.date, last: dt.date, unit: Unit | None = None) -> int:
    """Included-or-not visit staff of the period counted per client and staff."""
    scope, params = ("AND v.unit_id = %s", [unit.pk]) if unit else ("", [])
    return fetch(
        "SELECT v.client_id, vs.staff_id, COUNT(*) FROM contacts_visit v "
        "JOIN contacts_visit_staff vs ON vs.visit_id = v.id "
        f"WHERE v.local_date >= %s AND v.local_date <= %s {scope} "
        "GROUP BY v.client_id, vs.staff_id",
        [first, last, *params],
    )


def floor_kpi(first: dt.date, last: dt.date) -> int:
    """The staff of the period's daytime visits counted per client and staff."""
    return fetch(
        "SELECT v.client_id, vs.staff_id, COUNT(*) FROM contacts_visit v "
        "JOIN contacts_visit_staff vs ON vs.visit_id = v.id "
        "WHERE v.local_date >= %s AND v.local_date <= %s "
        "AND v.local_time >= '07:00' AND v.local_time <= '22:00' "
        "GROUP BY v.client_id, vs.staff_id",
        [first, last],
    )


def floor_fok(on: dt.date) -> int:
    """The change in force per client and unit on D with what the report
    lists of it: the client's number, name, personal id and birth date, the
    unit's code and both contacts' signatures and names. (The report adds the
    population of handbook 1.3, the status filter, the staff table and the
    Swedish name order.)"""
    return fetch(
        "SELECT c.client_id, u.code, c.status, c.ordinary_id, c.deputy_id, "
        "cl.customer_number, cl.first_name, cl.last_name, cl.personal_id, cl.birth_date, "
        "so.signature, so.first_name, so.last_name, sd.signature, sd.first_name, sd.last_name "
        "FROM contacts_carecontactchange c "
        "JOIN contacts_client cl ON cl.id = c.client_id "
        "JOIN contacts_unit u ON u.id = c.unit_id "
        "LEFT JOIN contacts_staff so ON so.id = c.ordinary_id "
        "LEFT JOIN contacts_staff sd ON sd.id = c.deputy_id "
        "WHERE c.effective <= %s AND (c.valid_until IS NULL OR c.valid_until > %s)",
        [on, on],
    )


def floor_fok_bare(on: dt.date) -> int:
    """The floor of the measurements before 2 December 2026: the change in
    force per client and unit on D, ids only (one table, no names)."""
    return fetch(
        "SELECT client_id, unit_id, status, ordinary_id, deputy_id "
        "FROM contacts_carecontactchange "
        "WHERE effective <= %s AND (valid_until IS NULL OR valid_until > %s)",
        [on, on],
    )


def timed(fn: Callable[[], Any]) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - t0
    return elapsed, len(ctx.captured_queries)


def peak_mib(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def uncached(fn: Callable[[], Any]) -> Any:
    cache.clear()
    return fn()


def compare(
    name: str,
    report: Callable[[], Any],
    floor: Callable[[], Any],
    reference: Any = None,
    *,
    bare_floor: Callable[[], Any] | None = None,
) -> None:
    if ONLY not in name:
        return
    report()  # warm the cache once
    reports, floors, bares = [], [], []
    queries = 0
    for _ in range(REPEAT):
        floors.append(timed(floor)[0])
        if bare_floor is not None:
            bares.append(timed(bare_floor)[0])
        elapsed, queries = timed(report)
        reports.append(elapsed)
    r, f = statistics.median(reports), statistics.median(floors)
    line = (
        f"{name:<44} report {r * 1000:7.0f} ms  floor {f * 1000:7.0f} ms  "
        f"ratio {r / f:5.2f}  {queries} queries  peak {peak_mib(report):6.1f} MiB"
    )
    if bares:
        b = statistics.median(bares)
        line += f"  (bare floor {b * 1000:.0f} ms, ratio {r / b:.1f})"
    if reference is not None:
        line += f"  (Python reference {timed(reference)[0] * 1000:.0f} ms)"
    print(line, flush=True)


def main() -> None:
    first, last = ensure_data()
    from reports import reference
    from reports.continuity import continuity_kpi, continuity_report
    from reports.fok_statistics import fok_statistics

    one = Unit.objects.filter(visits__local_date=first).order_by("code").first()
    assert one is not None
    visits = Visit.objects.filter(local_date__range=(first, last)).count()
    print(
        f"{connection.vendor}, {Unit.objects.count()} units, {visits} visits "
        f"{first}..{last}; unit {one.code}: "
        f"{Visit.objects.filter(unit=one, local_date__range=(first, last)).count()} visits; "
        f"medians of {REPEAT}, interleaved with the floor",
        flush=True,
    )
    kpi_first = last - dt.timedelta(days=13)
    compare(
        "continuity_report, all units",
        lambda: continuity_report(None, first, last),
        lambda: floor_visits(first, last),
        lambda: reference.continuity_report(None, first, last),
    )
    # A unit's report is reused while its data are unchanged (contacts.versions):
    # the cache is emptied before each run, so this times the query and its
    # assembly, as the first view after a change pays them.
    compare(
        "continuity_report, one unit (computed)",
        lambda: uncached(lambda: continuity_report(one, first, last)),
        lambda: floor_visits(first, last, one),
        lambda: reference.continuity_report(one, first, last),
    )
    compare(
        "continuity_kpi, all units, 14 days",
        lambda: continuity_kpi(None, kpi_first, 14),
        lambda: floor_kpi(kpi_first, last),
        lambda: reference.continuity_kpi(None, kpi_first, 14),
    )
    compare(
        "fok_statistics accepted, all units",
        lambda: fok_statistics(None, "accepted", last),
        lambda: floor_fok(last),
        lambda: reference.fok_statistics(None, "accepted", last),
        bare_floor=lambda: floor_fok_bare(last),
    )
    compare(
        "fok_statistics changed_last_year, all units",
        lambda: fok_statistics(None, "changed_last_year", last),
        lambda: floor_fok(last),
        lambda: reference.fok_statistics(None, "changed_last_year", last),
        bare_floor=lambda: floor_fok_bare(last),
    )


if __name__ == "__main__":
    main()
