"""Benchmark: one long visit file imported as the task worker and
`manage.py import_csv` import it, as its own transaction, timed with its
commit. Prints rows/s, the CPU of this process and of its PostgreSQL
backend, this process's maximum resident size and, on PostgreSQL, the size
of the backend's queue of deferred foreign-key checks just before the
commit (memory context AfterTriggerEvents). Neither may grow with the file.

The units, staff and clients of benchmarks/bench_imports.py are imported
(committed) first when the database has none; the visits are deleted again
at the end, so the next run starts from the same database.

    createdb -h 127.0.0.1 -U postgres omsorg_visit_file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/omsorg_visit_file \\
        .venv/bin/python benchmarks/bench_visit_file.py [VISITS]

Default 2,000,000 visits (about 160 MB of CSV, written once to
tmp/bench_imports/)."""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_imports  # noqa: E402  (sets Django up)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from contacts.models import Client, Visit  # noqa: E402
from imports import importers  # noqa: E402
from imports.importers import import_csv  # noqa: E402


def main() -> None:
    visits = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    call_command("migrate", verbosity=0)
    paths = bench_imports.write_files(visits, 20_000, 20_000)
    if not Client.objects.exists():
        for kind in ("units", "staff", "clients"):
            result = import_csv(kind, paths[kind])
            assert result.ok, result.errors[:5]
    if Visit.objects.exists():
        sys.exit("The database has visits already: use one for this benchmark only.")

    queue: list[int] = []
    finish = importers.VisitImporter.finish

    def finish_and_measure(importer: importers.VisitImporter) -> None:
        # The last of the import's work before its commit.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT COALESCE(SUM(total_bytes), 0) FROM pg_backend_memory_contexts "
                    "WHERE name = 'AfterTriggerEvents'"
                )
                queue.append(int(cursor.fetchone()[0]))
        finish(importer)

    importers.VisitImporter.finish = finish_and_measure  # type: ignore[method-assign, assignment]
    started, cpu = time.perf_counter(), time.process_time()
    server = bench_imports._server_cpu()
    result = import_csv("visits", paths["visits"])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    server = bench_imports._server_cpu() - server
    assert result.ok, result.errors[:5]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    waiting = f"{queue[0] / 2**20:.2f} MiB" if queue else "-"
    print(
        f"{connection.vendor}: {visits:,} visits, committed: {elapsed:.1f} s, "
        f"{visits / elapsed:,.0f} rows/s (CPU: Python {cpu:.1f} s + database {server:.1f} s); "
        f"process max RSS {rss:,.0f} MiB; foreign-key checks waiting at the commit {waiting}; "
        f"{result.summary}",
        flush=True,
    )
    _remove_visits()


def _remove_visits() -> None:
    tables = [Visit.staff.through._meta.db_table, Visit.planned_staff.through._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {Visit._meta.db_table} CASCADE")
            return
        for table in [*tables, Visit._meta.db_table]:
            cursor.execute(f"DELETE FROM {table}")


if __name__ == "__main__":
    main()
