"""python manage.py continuity_kpi --unit U --from D1 [--days 14] [--format ...]

The national 14-day measure (KKiK) of docs/interchange.md."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.log import record_command
from reports.continuity import KPI_DEFAULT_DAYS, continuity_kpi
from reports.continuity_export import kpi_csv, kpi_table

from ._continuity_args import get_unit, parse_date, write_output

MAX_DAYS = 366


class Command(BaseCommand):
    help = (
        "Personalkontinuitet enligt KKiK: antal personal som brukare 65 år och äldre "
        "med minst två besök varje dag möter under perioden."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help="Enhetens kod; utelämna för alla enheter.")
        parser.add_argument("--from", dest="date_from", required=True, help="ÅÅÅÅ-MM-DD")
        parser.add_argument("--days", default=str(KPI_DEFAULT_DAYS), help="Antal dagar (14).")
        parser.add_argument("--format", choices=["json", "table", "csv"], default="table")
        parser.add_argument("--output", help="Skriv till filen i stället för standard ut.")

    def handle(self, *args: Any, **options: Any) -> None:
        date_from = parse_date(options["date_from"], "--from")
        try:
            days = int(options["days"])
        except ValueError:
            days = 0
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days: ange ett heltal från 1 till {MAX_DAYS}.")
        unit = get_unit(options["unit"])
        kpi = continuity_kpi(unit, date_from, days)
        record_command("continuity_kpi", options, clients=[c.client_id for c in kpi.clients])
        fmt = options["format"]
        if fmt == "json":
            content = json.dumps(kpi.as_json(), ensure_ascii=False, indent=2) + "\n"
        elif fmt == "csv":
            content = kpi_csv([kpi])
        else:
            content = kpi_table(kpi)
        write_output(self, options["output"], content)
