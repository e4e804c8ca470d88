"""Benchmark: lay out the unit continuity PDF (WeasyPrint) for a unit of
CLIENTS clients, without a database (the report's figures are made up; the
layout cost depends only on the rows).

    DJANGO_DEBUG=1 .venv/bin/python benchmarks/bench_pdf.py [CLIENTS] [RUNS]

Prints the median time of RUNS renders after one warm-up (which loads Pango
and the fonts), the median CPU time of this process (what the render costs
on an idle machine), and the PDF's pages and size."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omsorg.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

import django  # noqa: E402

django.setup()

from pypdf import PdfReader  # noqa: E402

from reports.continuity import REASONS, ClientContinuity, ContinuityReport  # noqa: E402
from reports.views.continuity import continuity_pdf_bytes  # noqa: E402


def report(clients: int) -> ContinuityReport:
    rng = random.Random(1)
    rows = []
    for n in range(clients):
        visits = rng.randint(20, 60)
        ordinary = rng.randint(0, visits // 2)
        deputy = rng.randint(0, visits - ordinary)
        rows.append(
            ClientContinuity(
                client_id=n,
                customer_number=f"K{n:05d}",
                name=f"Efternamn{n} Förnamn",
                personal_id=f"19{rng.randint(20, 60)}0101-{rng.randint(1000, 9999)}",
                staff=rng.randint(3, 25),
                visits=visits,
                double_staffed=rng.randint(0, 4),
                ordinary=ordinary,
                deputy=deputy,
                fok_total=ordinary + deputy,
                upc=rng.random(),
                coc=rng.random(),
                secon=rng.random(),
                contact_visits=visits,
            )
        )
    return ContinuityReport(
        unit=None,
        date_from=dt.date(2025, 2, 3),
        date_to=dt.date(2025, 2, 16),
        visits=sum(r.visits for r in rows),
        excluded_by_reason=dict(zip(REASONS, (12, 3, 1, 40), strict=True)),
        staff_mean=12.4,
        staff_median=12,
        fok_share=0.41,
        ordinary_share=0.3,
        deputy_share=0.11,
        clients=rows,
        contact_visits=sum(r.visits for r in rows),
        fok_visits=sum(r.fok_total or 0 for r in rows),
    )


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 70
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    data = report(clients)
    pdf = continuity_pdf_bytes(data, all_label="Hemtjänst Norr")  # warm-up
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        pdf = continuity_pdf_bytes(data, all_label="Hemtjänst Norr")
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"unit continuity PDF, {clients} clients: median {statistics.median(times):.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, {runs} runs; "
        f"CPU median {statistics.median(cpu):.3f} s), "
        f"{pages} pages, {len(pdf) / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
