"""Load test: 32 unit managers over the main pages, on gunicorn.

Not part of the test suite, and locust is not a project dependency (it pulls
in gevent): install it where you run the load, e.g. ``pip install locust`` in
its own virtualenv, or ``pip install -e '.[load]'``.

    # the data and the user (bench-chef, one unit) from the page benchmark
    DATABASE_URL=postgres://…/omsorg_scale_bench .venv/bin/python benchmarks/bench_pages.py
    # the app on gunicorn, three workers, as in the Dockerfile
    DATABASE_URL=postgres://…/omsorg_scale_bench DJANGO_SECRET_KEY=x \\
        DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 \\
        .venv/bin/gunicorn omsorg.wsgi:application --workers 3 --bind 127.0.0.1:8000
    # 32 users, 2 minutes, no web UI (BENCH_WAIT=0: no think time)
    locust -f benchmarks/locustfile.py --host http://127.0.0.1:8000 \\
        --headless --users 32 --spawn-rate 8 --run-time 2m

(benchmarks/load_test.py does all of this in one command and counts the CPU.)

The first user signs in with the login form (BENCH_USER / BENCH_PASSWORD) and
every user shares that session; each then opens the start page, the unit's
continuity page, client records, the KKiK page, the planning week and Mina
brukare with a short think time. The client ids are read from Mina brukare's
links, so none is hard-coded.

The users are locust's FastHttpUser (geventhttpclient): on the same two
cores as the server, HttpUser (python-requests) took 2.4–2.9 ms of CPU a
request, a tenth of what the server's workers took, and that time was
counted against the server's capacity.

``FloorUser`` is the load test's floor: the same signed-in users, each
request the job list (``/jobb/``, the user's own background jobs, none
here), the cheapest page a signed-in user opens. It goes through everything
every page does (the session, the user and their permissions, the
middleware, the menu, the base template) and one small query of its own,
and no page can cost less. load_test.py runs it with BENCH_FLOOR=1, so the
main pages' requests a second read as a ratio to it, measured on the same
machine.
"""

from __future__ import annotations

import os
import random
import re
from http.cookiejar import Cookie

from gevent.lock import Semaphore  # locust runs on gevent
from locust import FastHttpUser, between, constant, task

USERNAME = os.environ.get("BENCH_USER", "bench-chef")
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-only-password")
UNIT = os.environ.get("BENCH_UNIT", "SK1-U001")
# Think time per user in seconds, "min,max" (default 0.5 to 2 s, like a person);
# BENCH_WAIT=0 sends the next request at once and measures the server's capacity.
WAIT = [float(x) for x in os.environ.get("BENCH_WAIT", "0.5,2").split(",")]


# One sign-in for the whole run, shared by every simulated user: 32 password
# hashes (Argon2, deliberately slow) at the same moment measure the login, not
# the pages, and lock the workers for tens of seconds on a small machine.
_session: list[Cookie] = []
_signing_in = Semaphore()


def _sign_in(client, host: str) -> list[Cookie]:  # type: ignore[no-untyped-def]
    page = client.get("/login/", name="/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    client.post(
        "/login/",
        {
            "username": USERNAME,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        headers={"Referer": f"{host}/login/"},
        name="/login/ (post)",
    )
    return list(client.cookiejar)


class _SignedIn(FastHttpUser):
    abstract = True
    wait_time = between(WAIT[0], WAIT[-1]) if WAIT[-1] > 0 else constant(0)

    def on_start(self) -> None:
        with _signing_in:
            if not _session:
                _session.extend(_sign_in(self.client, self.host or ""))
        for cookie in _session:
            self.client.cookiejar.set_cookie(cookie)


class FloorUser(_SignedIn):
    @task
    def job_list(self) -> None:
        self.client.get("/jobb/", name="/jobb/")


class UnitManager(_SignedIn):
    def on_start(self) -> None:
        super().on_start()
        listing = self.client.get("/mina-brukare/", name="/mina-brukare/")
        self.clients = sorted(set(re.findall(r'href="/brukare/(\d+)/"', listing.text))) or ["1"]

    @task(4)
    def start_page(self) -> None:
        self.client.get("/", name="/")

    @task(3)
    def continuity(self) -> None:
        self.client.get(f"/rapporter/kontinuitet/?unit={UNIT}", name="/rapporter/kontinuitet/")

    @task(4)
    def client_record(self) -> None:
        pk = random.choice(self.clients)
        self.client.get(f"/brukare/{pk}/", name="/brukare/[id]/")

    @task(1)
    def kpi(self) -> None:
        self.client.get("/rapporter/kkik/", name="/rapporter/kkik/")

    @task(2)
    def planning(self) -> None:
        self.client.get(f"/planering/?unit={UNIT}", name="/planering/")

    @task(2)
    def my_clients(self) -> None:
        self.client.get("/mina-brukare/", name="/mina-brukare/")
