"""Benchmark: the reports at municipal scale on PostgreSQL.

Builds (once, in its own database) a municipality of UNITS units, CLIENTS
clients and four weeks of visits, then times each report selector and records
its peak Python memory (tracemalloc) and query count.

    scripts/benchmark.sh            # or: make benchmark
    BENCH_CLIENTS=1000 scripts/benchmark.sh

Results are appended to benchmarks/RESULTS.md by hand with the command used."""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omsorg.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from contacts.models import (  # noqa: E402
    CareContact,
    CareContactChange,
    Client,
    Service,
    Staff,
    Unit,
    Visit,
)

UNITS = int(os.environ.get("BENCH_UNITS", "40"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4000"))
DAYS = 28
STAFF_PER_UNIT = 15
VISITS_PER_DAY = 3
END = dt.date(2025, 3, 2)  # a Sunday
START = END - dt.timedelta(days=DAYS - 1)
TZ = timezone.get_default_timezone()


def build() -> None:
    if Unit.objects.filter(code="B0").exists():
        return
    rng = random.Random(7)
    t0 = time.perf_counter()
    with transaction.atomic():
        units = Unit.objects.bulk_create(
            [Unit(code=f"B{i}", name=f"Bänkenhet {i}") for i in range(UNITS)]
        )
        staff = Staff.objects.bulk_create(
            [
                Staff(
                    first_name="Per",
                    last_name=f"Sonal{i}",
                    signature=f"b{i}",
                    title=Staff.Title.ASSISTANT_NURSE,
                    fok_selectable=True,
                    title_certificate_date=dt.date(2023, 1, 1),
                )
                for i in range(UNITS * STAFF_PER_UNIT)
            ]
        )
        Through = Staff.units.through
        Through.objects.bulk_create(
            [
                Through(staff_id=s.pk, unit_id=units[i // STAFF_PER_UNIT].pk)
                for i, s in enumerate(staff)
            ]
        )
        clients = []
        for i in range(CLIENTS):
            birth = dt.date(1925 + i % 70, 1 + i % 12, 1 + i % 28)
            # Reservnummer (no check digit), unique for up to 21,000 clients.
            clients.append(
                Client(
                    customer_number=f"B{i}",
                    personal_id=f"{birth:%Y%m%d}-T{i % 1000:03d}",
                    first_name="Test",
                    last_name=f"Brukare{i}",
                    birth_date=birth,
                )
            )
        clients = Client.objects.bulk_create(clients)
        Service.objects.bulk_create(
            [
                Service(
                    client=c, unit=units[i % UNITS], kind="personal_care", start=dt.date(2024, 1, 1)
                )
                for i, c in enumerate(clients)
            ]
        )
        contacts, chosen, changes = [], [], []
        for i, c in enumerate(clients):
            unit = units[i % UNITS]
            pool = staff[(i % UNITS) * STAFF_PER_UNIT : (i % UNITS + 1) * STAFF_PER_UNIT]
            if i % 5 == 0:
                continue
            chosen.append(rng.sample(pool, 2))
            contacts.append(CareContact(client=c, unit=unit))
        contacts = CareContact.objects.bulk_create(contacts)
        for cc, (ordinary, deputy) in zip(contacts, chosen, strict=True):
            changes.append(
                CareContactChange(
                    care_contact=cc,
                    client_id=cc.client_id,
                    unit_id=cc.unit_id,
                    effective=dt.date(2024, 6, 1),
                    status="accepted",
                    ordinary=ordinary,
                    deputy=deputy,
                    old_status="not_asked",
                )
            )
        CareContactChange.objects.bulk_create(changes)
        visits, pairs = [], []
        n = 0
        for i, c in enumerate(clients):
            unit = units[i % UNITS]
            pool = staff[(i % UNITS) * STAFF_PER_UNIT : (i % UNITS + 1) * STAFF_PER_UNIT]
            for day in range(DAYS):
                date = START + dt.timedelta(days=day)
                for k in range(VISITS_PER_DAY):
                    start = dt.datetime.combine(date, dt.time(7 + 5 * k, 15), tzinfo=TZ)
                    status = "cancelled" if rng.random() < 0.03 else "performed"
                    visits.append(
                        Visit(
                            visit_id=f"BV{n}",
                            client=c,
                            unit=unit,
                            start=start,
                            end=start + dt.timedelta(minutes=30),
                            status=status,
                        )
                    )
                    who = rng.sample(pool, 2 if rng.random() < 0.05 else 1)
                    pairs.append([s.pk for s in who])
                    n += 1
        visits = Visit.objects.bulk_create(visits, batch_size=5000)
        VS = Visit.staff.through
        VS.objects.bulk_create(
            [
                VS(visit_id=v.pk, staff_id=s)
                for v, ids in zip(visits, pairs, strict=True)
                for s in ids
            ],
            batch_size=10000,
        )
    print(f"built {CLIENTS} clients, {len(visits)} visits in {time.perf_counter() - t0:.1f} s")


def measure(name: str, fn, repeat: int = 3) -> None:
    """Wall time without tracing (median of ``repeat``), then one traced run for
    the peak Python memory (tracemalloc slows the code, so never both at once)."""
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            fn()
            timings.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"{name:<48} median {statistics.median(timings) * 1000:8.0f} ms"
        f"   peak {peak / 2**20:7.1f} MiB   {len(ctx.captured_queries)} queries"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    build()
    from reports.continuity import continuity_kpi, continuity_report
    from reports.fok_statistics import fok_statistics

    one = Unit.objects.get(code="B0")
    visits = Visit.objects.filter(unit=one).count()
    print(f"one unit: {Client.objects.filter(services__unit=one).count()} clients, {visits} visits")
    measure("continuity_report, one unit, 4 weeks", lambda: continuity_report(one, START, END))
    measure("continuity_report, all units, 4 weeks", lambda: continuity_report(None, START, END), 1)
    kpi_start = END - dt.timedelta(days=13)
    measure("continuity_kpi, one unit, 14 days", lambda: continuity_kpi(one, kpi_start, 14))
    measure("continuity_kpi, all units, 14 days", lambda: continuity_kpi(None, kpi_start, 14), 1)
    measure("fok_statistics accepted, one unit", lambda: fok_statistics(one, "accepted", END))
    measure("fok_statistics accepted, all units", lambda: fok_statistics(None, "accepted", END))


if __name__ == "__main__":
    main()
