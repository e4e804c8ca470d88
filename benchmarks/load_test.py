"""Load test in one command: the app on gunicorn (gunicorn.conf.py, three
workers), locust's 32 users (locustfile.py) against it, and where the
machine's CPU went, per request: the gunicorn workers, PostgreSQL and locust.

Not part of the test suite. locust is not a project dependency (it pulls in
gevent): install it in its own virtualenv and name it with LOCUST.

    python3 -m venv /tmp/locust-venv && /tmp/locust-venv/bin/pip install locust
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/omsorg_scale_pages
    .venv/bin/python benchmarks/bench_pages.py    # once: the data's sign-in user
    LOCUST=/tmp/locust-venv/bin/locust BENCH_WAIT=0 .venv/bin/python benchmarks/load_test.py 40

The argument is the run time in seconds (default 40). BENCH_WAIT is the
users' think time (locustfile.py; 0 measures capacity, the default "0.5,2"
the pace of people at work), BENCH_USERS their number (32),
BENCH_SPAWN_RATE how many start a second (4: people do not all arrive in
the same second; 32 users' first requests at once kept the slowest 1 % of
a minute at people's pace near 600 ms), BENCH_PORT the port (8765).
BENCH_FLOOR=1 runs locustfile.py's FloorUser instead (every request the
cheapest signed-in page): the floor the main pages' requests a second are
compared with, measured in the same minutes. The
statistics start once every user has started (locust's --reset-stats).
The CPU a request is that of the whole run over every request gunicorn
logged: the workers' and PostgreSQL's read from /proc before and after
the run (their processes live through it: gunicorn replaces a worker after
5,000 requests, the app keeps its database connections), locust's that of
a finished child process. gunicorn's own log goes to
tmp/load_test_gunicorn.log. Results go to docs/performance.md by hand,
with the command used."""

from __future__ import annotations

import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, int]]:
    """pid: (parent pid, command name, CPU ticks) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), name, int(fields[11]) + int(fields[12]))
    return found


def _cpu_seconds(root_pid: int) -> dict[str, float]:
    """CPU seconds so far of the gunicorn process tree under ``root_pid`` and
    of every PostgreSQL process."""
    processes = _processes()
    tree = {root_pid}
    grew = True
    while grew:
        grew = False
        for pid, (parent, _name, _ticks) in processes.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    gunicorn = sum(processes[pid][2] for pid in tree if pid in processes)
    postgres = sum(ticks for _parent, name, ticks in processes.values() if name == "postgres")
    return {"workers": gunicorn / TICK, "PostgreSQL": postgres / TICK}


def _busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICK


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {process.returncode}): see its log")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not answer /healthz within a minute")


def _logged_requests(log: Path) -> int:
    """Requests in gunicorn's access log so far (sign-in and ramp included)."""
    with log.open("rb") as lines:
        return sum(1 for line in lines if b'HTTP/1.1" ' in line)


def _rows(prefix: str) -> list[dict[str, str]]:
    """locust's statistics: a row per page, then the "Aggregated" row."""
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = list(csv.DictReader(stats))
    if not rows or rows[-1]["Name"] != "Aggregated":
        sys.exit("locust wrote no aggregated statistics")
    return rows


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    users = int(os.environ.get("BENCH_USERS", "32"))
    port = int(os.environ.get("BENCH_PORT", "8765"))
    spawn_rate = os.environ.get("BENCH_SPAWN_RATE", "4")
    locust = os.environ.get("LOCUST") or shutil.which("locust")
    if not locust:
        sys.exit("locust not found: pip install locust in a virtualenv of its own, set LOCUST")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to the full-scale PostgreSQL database (see docstring)")
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "benchmark-only"),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_PLAIN_STATIC": "1",  # no collectstatic manifest needed
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    (ROOT / "tmp").mkdir(exist_ok=True)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log_path = ROOT / "tmp" / "load_test_gunicorn.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [str(gunicorn), "-c", "gunicorn.conf.py", "omsorg.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(url, server)
            with tempfile.TemporaryDirectory() as folder:
                prefix = str(Path(folder) / "load")
                before, busy = _cpu_seconds(server.pid), _busy_seconds()
                logged = _logged_requests(log_path)
                children = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.monotonic()
                subprocess.run(
                    [
                        locust, "-f", str(ROOT / "benchmarks" / "locustfile.py"),
                        "--host", url, "--headless", "--users", str(users),
                        "--spawn-rate", spawn_rate, "--run-time", f"{seconds}s",
                        "--only-summary", "--reset-stats", "--csv", prefix,
                        "FloorUser" if os.environ.get("BENCH_FLOOR") == "1" else "UnitManager",
                    ],
                    cwd=ROOT,
                    check=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
                elapsed = time.monotonic() - started
                after, busy = _cpu_seconds(server.pid), _busy_seconds() - busy
                done = resource.getrusage(resource.RUSAGE_CHILDREN)
                served = _logged_requests(log_path) - logged
                *pages, row = _rows(prefix)
        finally:
            server.terminate()
            server.wait(timeout=30)
    requests = int(row["Request Count"])  # after the ramp
    cpu = {name: after[name] - before[name] for name in after}
    cpu["locust"] = (done.ru_utime + done.ru_stime) - (children.ru_utime + children.ru_stime)
    per_request = ", ".join(
        f"{name} {seconds_ * 1000 / max(served, 1):.1f} ms" for name, seconds_ in cpu.items()
    )
    print(
        f"{users} users, think time {os.environ.get('BENCH_WAIT', '0.5,2')} s, {elapsed:.0f} s: "
        f"{requests} requests, {float(row['Requests/s']):.1f} req/s, "
        f"p50 {row['50%']} ms, p95 {row['95%']} ms, p99 {row['99%']} ms, "
        f"{row['Failure Count']} failures"
    )
    for page in pages:
        print(
            f"  {page['Name']:<26} {int(page['Request Count']):>6} requests  "
            f"p50 {page['50%']:>4} ms  p95 {page['95%']:>4} ms  p99 {page['99%']:>4} ms  "
            f"max {float(page['Max Response Time']):>6.0f} ms"
        )
    print(
        f"CPU a request ({served} served): {per_request}; "
        f"together {sum(cpu.values()) * 1000 / max(served, 1):.1f} "
        f"ms ({sum(cpu.values()) / busy * 100:.0f} % of the machine's busy time, "
        f"{busy / elapsed:.2f} of {os.cpu_count()} cores busy)"
    )


if __name__ == "__main__":
    main()
