"""Benchmark: CSV import speed and peak memory for each kind, on the database
of DATABASE_URL (PostgreSQL for the figures in docs/performance.md).

Writes the files to tmp/bench_imports/ (once), then imports, in order, units,
staff, clients, services, contacts (a tenth of the clients), visits and users
(half the staff), each twice (the second run changes
nothing: the import is idempotent), all in one transaction that is rolled
back at the end. Prints rows/s and the peak Python memory (tracemalloc) of
each import; the file is streamed from disk, so memory must not grow with it.

    createdb -h 127.0.0.1 -U postgres omsorg_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/omsorg_bench \\
        .venv/bin/python benchmarks/bench_imports.py [VISITS] [CLIENTS] [STAFF]

Defaults: 200,000 visits, 20,000 clients, 20,000 staff on 300 units.
BENCH_KINDS="clients visits" limits the kinds (units are always needed first);
"contacts-all" (not in the default kinds) is a contact file of every client,
three of four accepting with two contacts, the fourth declining (20,000 rows);
BENCH_MEMORY=0 skips the third, traced run of each kind."""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omsorg.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from contacts.personal_id import make_test_personnummer  # noqa: E402
from imports.importers import import_csv  # noqa: E402

UNITS = 300
FOLDER = ROOT / "tmp" / "bench_imports"


class _Rollback(Exception):
    pass


def write_files(visits: int, clients: int, staff: int) -> dict[str, Path]:
    FOLDER.mkdir(parents=True, exist_ok=True)
    rng = random.Random(9)
    stem = f"{visits}-{clients}-{staff}"
    paths = {kind: FOLDER / f"{kind}-{stem}.csv" for kind in ("units", "staff", "clients",
                                                             "services", "contacts", "visits",
                                                             "users", "contacts-all")}  # fmt: skip
    if all(p.exists() for p in paths.values()):
        return paths
    codes = [f"B{n:03d}" for n in range(UNITS)]
    with paths["units"].open("w") as out:
        out.write("code;name\n")
        for code in codes:
            out.write(f"{code};Hemtjänst {code}\n")
    with paths["staff"].open("w") as out:
        out.write(
            "signature;first_name;last_name;title;units;available;fok_selectable;"
            "title_certificate_date\n"
        )
        for n in range(staff):
            out.write(
                f"s{n:05d};Förnamn{n};Efternamn;undersköterska;{codes[n % UNITS]};ja;ja;"
                "2024-01-15\n"
            )
    with paths["clients"].open("w") as out:
        out.write("customer_number;personal_id;first_name;last_name;phone;address\n")
        for n in range(clients):
            born = dt.date(1925, 1, 1) + dt.timedelta(days=n % 20000)
            pnr = make_test_personnummer(born, n % 980 + 10, female=n % 2 == 0)
            out.write(f"K{n:06d};{pnr};Förnamn{n};Efternamn;070-{n:07d};Gatan {n}\n")
    with paths["services"].open("w") as out:
        out.write("customer_number;unit;kind;start\n")
        for n in range(clients):
            out.write(f"K{n:06d};{codes[n % UNITS]};personal_care;2025-01-01\n")
    with paths["contacts"].open("w") as out:
        # A tenth of the clients accept a contact on their unit: each row goes
        # through the rules, journal notes and plan updates one by one.
        out.write("customer_number;unit;status;ordinary;effective\n")
        for n in range(0, clients, 10):
            unit = n % UNITS
            out.write(f"K{n:06d};{codes[unit]};accepted;s{unit:05d};2025-02-01\n")
    with paths["contacts-all"].open("w") as out:
        # Every client, on their unit: three of four accept (an ordinary and a
        # deputy contact), the fourth declines.
        out.write("customer_number;unit;status;ordinary;deputy;effective\n")
        for n in range(clients):
            unit = n % UNITS
            if n % 4 == 3:
                out.write(f"K{n:06d};{codes[unit]};declined;;;2025-02-01\n")
            else:
                out.write(
                    f"K{n:06d};{codes[unit]};accepted;s{unit:05d};s{unit + UNITS:05d};2025-02-01\n"
                )
    with paths["users"].open("w") as out:
        out.write("username;first_name;last_name;role;units\n")
        for n in range(0, staff, 2):
            out.write(f"user{n:05d};Förnamn{n};Efternamn;care_staff;{codes[n % UNITS]}\n")
    with paths["visits"].open("w") as out:
        out.write("visit_id;customer_number;unit;start;end;status;kind;staff\n")
        day0 = dt.date(2025, 2, 3)
        for n in range(visits):
            client = rng.randrange(clients)
            unit = client % UNITS
            people = list(range(unit, staff, UNITS))[:20] or [0]
            day = day0 + dt.timedelta(days=n % 14)
            hour = 7 + n % 14
            who = " ".join(f"s{s:05d}" for s in rng.sample(people, 2 if n % 10 == 0 else 1))
            out.write(
                f"V{n:07d};K{client:06d};{codes[unit]};{day} {hour:02d}:00;"
                f"{day} {hour:02d}:30;performed;care;{who}\n"
            )
    return paths


def _server_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend process (on this
    machine), so a loaded machine's wall time can be told from the work."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _check_foreign_keys() -> None:
    """Django's foreign keys on PostgreSQL are checked at commit, a row at a
    time; the benchmark rolls back, so it makes them run here, in the time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def run(kind: str, path: Path, *, memory: bool) -> str:
    """Timed without tracemalloc (it slows Python several times); with
    ``memory``, the peak of Python allocations during the import instead."""
    rows = sum(1 for _ in path.open()) - 1
    if memory:
        tracemalloc.start()
    started, cpu, server = time.perf_counter(), time.process_time(), _server_cpu()
    result = import_csv(kind.removesuffix("-all"), path)
    _check_foreign_keys()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    server = _server_cpu() - server
    assert result.ok, result.errors[:5]
    if memory:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return f"{kind:18} {rows:>8,} rows  peak Python memory {peak / 2**20:7.1f} MiB"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"{kind:18} {rows:>8,} rows {elapsed:8.2f} s {rows / elapsed:>10,.0f} rows/s "
        f"(CPU: Python {cpu:.2f} s + database {server:.2f} s = "
        f"{rows / (cpu + server):,.0f} rows/s; load {os.getloadavg()[0]:.1f}; "
        f"process max RSS {rss:,.0f} MiB; {result.summary})"
    )


def main() -> None:
    visits = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    staff = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000
    kinds = os.environ.get(
        "BENCH_KINDS", "units staff clients services contacts visits users"
    ).split()
    memory = os.environ.get("BENCH_MEMORY", "1") == "1"
    call_command("migrate", verbosity=0)
    paths = write_files(visits, clients, staff)
    print(f"{connection.vendor}: {visits:,} visits, {clients:,} clients, {staff:,} staff")
    try:
        with transaction.atomic():
            for kind in kinds:
                print(run(kind, paths[kind], memory=False), flush=True)
                again = run(kind, paths[kind], memory=False)
                print(again.replace(kind, f"{kind} (again)", 1), flush=True)
                if memory:
                    print(run(kind, paths[kind], memory=True), flush=True)
                if connection.vendor == "postgresql":
                    # Statistics as autovacuum keeps them on a real database (the
                    # uncommitted rows of this transaction count).
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE")
            raise _Rollback
    except _Rollback:
        pass


if __name__ == "__main__":
    main()
