"""Benchmark: page times at municipal scale (p50 / p95 and query counts).

Uses the data of ``generate_scale_data`` in DATABASE_URL (see bench_reports.py)
and Django's test Client in this process (no network, no web server: the time
of the view, its queries and the template). Signed in as a unit manager of one
unit (about 70 clients), as in daily use; the period is the data's last two
weeks.

    DATABASE_URL=postgres://…/omsorg_scale_bench DJANGO_ALLOWED_HOSTS=testserver \\
        .venv/bin/python benchmarks/bench_pages.py          # BENCH_REQUESTS=50
    BENCH_MANY_UNITS=1 …   (also an administrator's and a manager of 20 units' pages)
    BENCH_MEMORY_REQUESTS=3200 …   (then the memory of a process serving that many)
    BENCH_SPLIT=1 …   (where each page's time goes: templates, building SQL, the database)

Results go to docs/performance.md by hand, with the command used."""

from __future__ import annotations

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
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_PLAIN_STATIC", "1")  # no collectstatic manifest needed

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django.test import Client as Browser  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from contacts.models import Client, Service, Unit, Visit  # noqa: E402
from contacts.roles import Role  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
SPLIT = os.environ.get("BENCH_SPLIT") == "1"
USERNAME = "bench-chef"
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-only-password")  # also locustfile.py


def unit_manager(unit: Unit):  # type: ignore[no-untyped-def]
    user, _ = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"first_name": "Bänk", "last_name": "Chef"}
    )
    if not user.check_password(PASSWORD):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=Role.UNIT_MANAGER))
    unit.members.add(user)
    return user


class Split:
    """BENCH_SPLIT=1: the time of a request spent rendering templates (their
    own queries included), building SQL from querysets (the ORM's compiler)
    and executing statements (the wait for the database and the driver's
    work), each counted once where they nest. Wrapping costs a little time
    of its own: the page times printed with it are slightly higher."""

    def __init__(self) -> None:
        from django.db.backends.utils import CursorWrapper
        from django.db.models.sql.compiler import SQLCompiler
        from django.template.backends.django import Template

        self.spent = dict.fromkeys(("templates", "building SQL", "database"), 0.0)
        self._active: set[str] = set()
        self._wrap(Template, "render", "templates")
        self._wrap(SQLCompiler, "as_sql", "building SQL")
        self._wrap(CursorWrapper, "_execute", "database")

    def _wrap(self, owner: type, name: str, key: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            if key in self._active:  # nested (a subquery, an included template)
                return original(*args, **kwargs)
            self._active.add(key)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[key] += time.perf_counter() - started
                self._active.discard(key)

        setattr(owner, name, timed)

    def reset(self) -> None:
        self.spent = dict.fromkeys(self.spent, 0.0)

    def report(self, requests: int) -> str:
        return ", ".join(f"{k} {v / requests * 1000:.1f} ms" for k, v in self.spent.items())


_split = Split() if SPLIT else None


def measure(browser: Browser, name: str, url: str, requests: int = REQUESTS) -> None:
    # The warm-up request counts the queries; the timed ones run without the
    # debug cursor that counting needs (it formats every statement).
    with CaptureQueriesContext(connection) as ctx:
        response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = len(ctx.captured_queries)
    timings = []
    cpu = []
    if _split is not None:
        _split.reset()
    for _ in range(requests):
        t0, c0 = time.perf_counter(), time.process_time()
        response = browser.get(url)
        timings.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        assert response.status_code == 200
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    # CPU: this process's own time (view, ORM, template), not the database's;
    # far less sensitive to other load on the machine than the wall time.
    print(
        f"{name:<28} p50 {statistics.median(timings) * 1000:6.1f} ms   "
        f"p95 {p95 * 1000:6.1f} ms   CPU p50 {statistics.median(cpu) * 1000:5.1f} ms   "
        f"{queries} queries   {len(response.content) // 1024} KiB",
        flush=True,
    )
    if _split is not None:
        print(f"{'':<28} a request: {_split.report(requests)}", flush=True)


def main() -> None:
    period = Visit.objects.aggregate(first=Min("local_date"), last=Max("local_date"))
    first, last = period["first"], period["last"]
    unit = Unit.objects.filter(code__startswith="SK").order_by("code").first()
    assert unit is not None, "run generate_scale_data first"
    client = (
        Client.objects.filter(services__unit=unit, services__end__isnull=True)
        .order_by("pk")
        .first()
    )
    assert client is not None
    browser = Browser()
    browser.force_login(unit_manager(unit))
    clients = Service.objects.filter(unit=unit).values("client").distinct().count()
    print(
        f"{connection.vendor}; unit {unit.code} ({clients} clients), {REQUESTS} requests each, "
        f"period {first}..{last}",
        flush=True,
    )
    span = f"from={first}&to={last}"
    measure(browser, "start page", "/")
    measure(browser, "unit continuity page", f"/rapporter/kontinuitet/?unit={unit.code}&{span}")
    measure(browser, "client record (FOK tab)", f"/brukare/{client.pk}/")
    measure(browser, "KKiK page", f"/rapporter/kkik/?from={first}")
    measure(browser, "planning week view", f"/planering/?unit={unit.code}&start={first}")
    measure(browser, "Mina brukare", "/mina-brukare/")
    if os.environ.get("BENCH_MANY_UNITS") == "1":
        many_units(span)
    memory_requests = int(os.environ.get("BENCH_MEMORY_REQUESTS", "0"))
    if memory_requests:
        memory(
            browser,
            [
                "/",
                f"/rapporter/kontinuitet/?unit={unit.code}&{span}",
                f"/brukare/{client.pk}/",
                f"/rapporter/kkik/?from={first}",
                f"/planering/?unit={unit.code}&start={first}",
                "/mina-brukare/",
            ],
            memory_requests,
        )


def memory(browser: Browser, urls: list[str], requests: int) -> None:
    """Does a long-running process keep what its requests leave behind?
    (BENCH_MEMORY_REQUESTS=3200: the pages in turn, as a web worker serves
    them; the resident memory and the objects the garbage collector tracks,
    every eighth of the way.)"""
    from omsorg.gc import tracked_objects

    def resident_mib() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20

    step = max(1, requests // 8)
    print(f"-- memory over {requests} requests of the pages in turn", flush=True)
    for done in range(1, requests + 1):
        response = browser.get(urls[done % len(urls)])
        assert response.status_code == 200
        if done % step == 0:
            print(
                f"{done:>6} requests   resident {resident_mib():5} MiB   "
                f"{tracked_objects():>9,} objects tracked",
                flush=True,
            )


def many_units(span: str) -> None:
    """The pages of users with many units: an administrator (every unit) and
    a manager of 20 units (BENCH_MANY_UNITS=1; fewer requests, they are slow)."""
    requests = int(os.environ.get("BENCH_MANY_REQUESTS", "3"))
    admin, _ = get_user_model().objects.get_or_create(username="bench-admin")
    admin.groups.set([Group.objects.get(name=Role.ADMINISTRATOR)])
    district, _ = get_user_model().objects.get_or_create(username="bench-district")
    district.groups.set([Group.objects.get(name=Role.UNIT_MANAGER)])
    for unit in Unit.objects.order_by("code")[:20]:
        unit.members.add(district)
    day = "datum=" + span.rsplit("=", 1)[1]  # the period's last day
    for name, user in (("administrator", admin), ("manager of 20 units", district)):
        browser = Browser()
        browser.force_login(user)
        print(f"-- {name}, {requests} requests each", flush=True)
        for label, url in (
            ("start page", "/"),
            ("continuity page, all units", f"/rapporter/kontinuitet/?unit=&{span}"),
            ("KKiK page, all units", "/rapporter/kkik/"),
            ("Kolada page", "/rapporter/kolada/"),
            ("FOK statistics, accepted", f"/rapporter/fok-statistik/?status=accepted&{day}"),
            ("staff list", "/personal/"),
            ("worklists", "/rapporter/arbetslistor/"),
        ):
            measure(browser, label, url, requests)


if __name__ == "__main__":
    main()
