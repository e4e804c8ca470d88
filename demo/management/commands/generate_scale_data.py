"""python manage.py generate_scale_data: a municipality at full scale (demo.scale)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from demo import scale
from reports.continuity import kpi_default_start


class Command(BaseCommand):
    help = (
        "Writes a large municipality for benchmarks: per 20,000 clients 300 units, "
        "6,000 staff and about 700,000 visits in 14 days (COPY on PostgreSQL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=20_000)
        parser.add_argument("--days", type=int, default=14)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--from",
            dest="first_day",
            type=dt.date.fromisoformat,
            default=None,
            help="First day of the visits (default: the Monday of the last two full "
            "weeks, the reports' default period).",
        )

    def handle(self, *args: object, **options: object) -> None:
        clients, days = options["clients"], options["days"]
        assert isinstance(clients, int) and isinstance(days, int)
        if clients < 1 or days < 1:
            raise CommandError("--clients and --days must be 1 or more.")
        first_day = options["first_day"] or kpi_default_start(timezone.localdate())
        assert isinstance(first_day, dt.date)
        try:
            summary = scale.generate(
                clients=clients,
                days=days,
                first_day=first_day,
                seed=options["seed"],  # type: ignore[arg-type]
                log=self.stdout.write,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(summary.line()))
