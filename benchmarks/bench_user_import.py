"""Benchmark: provisioning 300 unit managers and 3,000 staff accounts in one
CSV file (kind `users`), then the same file again (nothing changes), then
with the 55 of one unit moved to another. Rolled back afterwards.

    DATABASE_URL=postgres://…/omsorg_bench .venv/bin/python benchmarks/bench_user_import.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omsorg.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from contacts.models import Unit  # noqa: E402
from imports.importers import import_csv  # noqa: E402

MANAGERS, STAFF, UNITS = 300, 3000, 60


def users_file(move_first_unit: bool = False) -> str:
    codes = [f"BENCH{n:03d}" for n in range(UNITS)]
    lines = ["username;first_name;last_name;role;email;units;active"]
    for n in range(MANAGERS + STAFF):
        code = codes[n % UNITS]
        if move_first_unit and code == codes[0]:
            code = codes[1]
        role = "unit_manager" if n < MANAGERS else "care_staff"
        email = f"bench{n}@kommun.se"
        lines.append(f"{email};Förnamn;Efternamn {n};{role};{email};{code};ja")
    return "\n".join(lines) + "\n"


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"{connection.vendor}: {MANAGERS} managers + {STAFF} staff on {UNITS} units")
    with transaction.atomic():
        Unit.objects.bulk_create(Unit(code=f"BENCH{n:03d}", name=f"Bänk {n}") for n in range(UNITS))
        for label, text in [
            ("first import", users_file()),
            ("same file again", users_file()),
            ("55 moved", users_file(move_first_unit=True)),
        ]:
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                result = import_csv("users", text)
            elapsed = time.perf_counter() - started
            assert result.ok, result.errors[:3]
            print(f"{label:16} {elapsed:6.2f} s {len(queries):4d} queries  {result.summary}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
