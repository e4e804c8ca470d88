"""Benchmark: what the access log costs on the client record page.

Builds a unit with a client on five units (the record's heaviest case) and an
access log already holding BENCH_LOG_ROWS rows, then requests the record's FOK
tab through Django's test client, alternating blocks with the log written and
with the insert switched off, and reports the medians.

    DATABASE_URL=postgres://…/omsorg_bench .venv/bin/python benchmarks/bench_access_log.py
    DATABASE_URL=sqlite:///tmp/bench.sqlite3 .venv/bin/python benchmarks/bench_access_log.py
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omsorg.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_PLAIN_STATIC", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone  # noqa: E402

import audit.log  # noqa: E402
from audit.models import AccessKind, AccessLogEntry  # noqa: E402
from contacts import services  # noqa: E402
from contacts.models import Client, Service, Staff, Unit  # noqa: E402
from contacts.personal_id import make_test_personnummer  # noqa: E402
from contacts.roles import Role  # noqa: E402

LOG_ROWS = int(os.environ.get("BENCH_LOG_ROWS", "200000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
PER_ROUND = int(os.environ.get("BENCH_PER_ROUND", "30"))


def build() -> tuple[User, Client]:
    units = [
        Unit.objects.get_or_create(code=f"AL{i}", defaults={"name": f"Enhet {i}"})[0]
        for i in range(5)
    ]
    user, created = User.objects.get_or_create(username="bench-chef")
    if created:
        user.groups.add(Group.objects.get(name=Role.UNIT_MANAGER))
        for unit in units[:3]:
            unit.members.add(user)
    client = Client.objects.filter(customer_number="AL-1").first()
    if client is None:
        client = Client.objects.create(
            customer_number="AL-1",
            personal_id=make_test_personnummer(dt.date(1940, 1, 1), 1, female=True),
            first_name="Agda",
            last_name="Benchsson",
            birth_date=dt.date(1940, 1, 1),
        )
        for i, unit in enumerate(units):
            Service.objects.create(client=client, unit=unit, kind="personal_care",
                                   start=dt.date(2025, 1, 1))  # fmt: skip
            staff = Staff.objects.create(
                first_name="Sara", last_name=f"Nilsson{i}", signature=f"alb{i}",
                title=Staff.Title.ASSISTANT_NURSE, fok_selectable=True,
                title_certificate_date=dt.date(2023, 1, 1),
            )  # fmt: skip
            staff.units.add(unit)
            services.care_contact_change(
                client=client, unit=unit, status="accepted", ordinary=staff, by=user
            )
    missing = LOG_ROWS - AccessLogEntry.objects.count()
    if missing > 0:
        now = timezone.now()
        batch = [
            AccessLogEntry(
                at=now - dt.timedelta(minutes=n),
                username=f"user{n % 300}",
                address="10.0.0.1",
                kind=AccessKind.CLIENT,
                what="client_detail",
                parameters={"flik": "fok"},
                client_ids=[n % 5000 + 1],
            )  # fmt: skip
            for n in range(missing)
        ]
        AccessLogEntry.objects.bulk_create(batch, batch_size=5000)
    return user, client


def timed_block(http: HttpClient, url: str) -> list[float]:
    times = []
    for _ in range(PER_ROUND):
        t0 = time.perf_counter()
        response = http.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return times


def main() -> None:
    call_command("migrate", verbosity=0)
    user, client = build()
    http = HttpClient()
    http.force_login(user)
    url = f"{client.get_absolute_url()}?flik=fok"
    write = audit.log.write_pending
    timed_block(http, url)  # warm up
    on: list[float] = []
    off: list[float] = []
    for _ in range(ROUNDS):
        audit.log.write_pending = write  # type: ignore[assignment]
        on += timed_block(http, url)
        audit.log.write_pending = lambda request, response: None  # type: ignore[assignment]
        off += timed_block(http, url)
    audit.log.write_pending = write  # type: ignore[assignment]
    # The insert alone, as the middleware does it (on PostgreSQL without
    # waiting for the WAL flush), and a plain autocommit insert for comparison.
    request = RequestFactory().get(url)
    request.user = user
    ok = HttpResponse()
    insert, plain = [], []
    for _ in range(200):
        audit.log.record(request, AccessKind.CLIENT, clients=[client], what="client_detail")
        t0 = time.perf_counter()
        audit.log.write_pending(request, ok)
        insert.append((time.perf_counter() - t0) * 1000)
        del request._access_read  # type: ignore[attr-defined]
        t0 = time.perf_counter()
        AccessLogEntry.objects.create(
            user_id=user.pk, username=user.username, kind=AccessKind.CLIENT,
            what="client_detail", client_ids=[client.pk],
        )  # fmt: skip
        plain.append((time.perf_counter() - t0) * 1000)
    rows = AccessLogEntry.objects.count()
    print(f"{connection.vendor}, access log of {rows} rows, {ROUNDS}x{PER_ROUND} requests each")
    print(f"client record (FOK tab), log on   median {statistics.median(on):7.2f} ms")
    print(f"client record (FOK tab), log off  median {statistics.median(off):7.2f} ms")
    delta = statistics.median(on) - statistics.median(off)
    print(f"overhead                          median {delta:7.2f} ms "
          f"({100 * delta / statistics.median(off):.1f} %)")  # fmt: skip
    print(f"the log insert alone              median {statistics.median(insert):7.2f} ms")
    print(f"a plain autocommit insert         median {statistics.median(plain):7.2f} ms")


if __name__ == "__main__":
    main()
