"""Benchmark: the organisation-wide continuity report now against the same
report as an earlier commit computed it, interleaved with the floor in one run.

    DATABASE_URL=postgres://…/omsorg_scale_reports \\
        .venv/bin/python benchmarks/bench_continuity_versions.py b22b74b [REPEAT]

The earlier ``reports/continuity.py`` is read with ``git show`` and loaded
beside the present one (it must run on the present schema); its shares run
with ``reports.sql.SHARE_SETTINGS`` of that commit when it has one, else
with parallel workers off only (as before 3 December 2026). Both reports
must be equal before anything is timed. Prints floor, before and after:
medians and each run."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omsorg.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.db.models import Max, Min  # noqa: E402

from contacts.models import Visit  # noqa: E402
from reports import continuity  # noqa: E402
from reports import sql as report_sql  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_reports import floor_visits  # noqa: E402


def load(revision: str) -> tuple[object, tuple[str, ...]]:
    def show(path: str) -> str:
        return subprocess.run(
            ["git", "show", f"{revision}:{path}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    source = show("reports/continuity.py")
    found = re.search(r"SHARE_SETTINGS = \((.*?)\n\)", show("reports/sql.py"), re.S)
    settings = (
        tuple(re.findall(r'"(SET LOCAL [^"]+)"', found.group(1)))
        if found
        else ("SET LOCAL max_parallel_workers_per_gather = 0",)
    )
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as file:
        file.write(source)
    spec = importlib.util.spec_from_file_location("continuity_before", file.name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["continuity_before"] = module
    spec.loader.exec_module(module)
    return module, settings


def main() -> None:
    revision = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    before, before_settings = load(revision)
    now_settings = report_sql.SHARE_SETTINGS
    period = Visit.objects.aggregate(first=Min("local_date"), last=Max("local_date"))
    first, last = period["first"], period["last"]

    def run_before() -> object:
        report_sql.SHARE_SETTINGS = before_settings
        return before.continuity_report(None, first, last)  # type: ignore[attr-defined]

    def run_after() -> object:
        report_sql.SHARE_SETTINGS = now_settings
        return continuity.continuity_report(None, first, last)

    old, new = run_before(), run_after()
    assert dataclasses.asdict(old) == dataclasses.asdict(new), "the reports differ"  # type: ignore[call-overload]
    print(
        f"{revision} and now give the same report ({len(new.clients)} clients); "
        f"medians of {repeat}, interleaved"
    )
    runs: dict[str, list[float]] = {"floor": [], "before": [], "after": []}
    steps = {"floor": lambda: floor_visits(first, last), "before": run_before, "after": run_after}
    for _ in range(repeat):
        for name, step in steps.items():
            started = time.perf_counter()
            step()
            runs[name].append(time.perf_counter() - started)
    floor = statistics.median(runs["floor"])
    for name, times in runs.items():
        median = statistics.median(times)
        print(
            f"{name:6} {median * 1000:6.0f} ms  ratio {median / floor:.2f}  "
            f"runs {[round(t * 1000) for t in times]}"
        )


if __name__ == "__main__":
    main()
