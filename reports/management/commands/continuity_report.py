"""python manage.py continuity_report --unit U --from D1 --to D2 [--format ...]

The continuity report of docs/interchange.md: the same figures as the page."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.log import record_command
from reports.continuity import continuity_report
from reports.continuity_export import report_csv, report_table

from ._continuity_args import get_unit, parse_date, write_output


class Command(BaseCommand):
    help = "Personalkontinuitet per brukare och enhet för en period (datum inklusive)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help="Enhetens kod; utelämna för alla enheter.")
        parser.add_argument("--from", dest="date_from", required=True, help="ÅÅÅÅ-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="ÅÅÅÅ-MM-DD")
        parser.add_argument("--format", choices=["json", "table", "csv", "pdf"], default="table")
        parser.add_argument("--output", help="Skriv till filen i stället för standard ut.")

    def handle(self, *args: Any, **options: Any) -> None:
        date_from = parse_date(options["date_from"], "--from")
        date_to = parse_date(options["date_to"], "--to")
        if date_to < date_from:
            raise CommandError("--to: slutdatumet är före startdatumet.")
        unit = get_unit(options["unit"])
        report = continuity_report(unit, date_from, date_to)
        record_command("continuity_report", options, clients=[c.client_id for c in report.clients])
        fmt = options["format"]
        content: str | bytes
        if fmt == "json":
            content = json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n"
        elif fmt == "csv":
            content = report_csv(report)
        elif fmt == "pdf":
            from reports.views.continuity import continuity_pdf_bytes

            content = continuity_pdf_bytes(report)
        else:
            content = report_table(report)
        write_output(self, options["output"], content)
