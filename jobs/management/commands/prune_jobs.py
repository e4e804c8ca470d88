"""Deletes background jobs and their files past the retention period
(OMSORG_JOB_DAYS, seven days by default). The task worker also does it after
each job; run it from the scheduler where jobs are few."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jobs.selectors import past_retention, retention_days
from jobs.services import prune


class Command(BaseCommand):
    help = "Tar bort bakgrundsjobb och deras filer som är äldre än lagringstiden (OMSORG_JOB_DAYS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Visa hur många jobb som skulle tas bort, utan att ta bort dem.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = retention_days()
        if options["dry_run"]:
            count = past_retention(days).count()
            self.stdout.write(f"{count} jobb äldre än {days} dagar skulle tas bort.")
            return
        count = prune(days=days)
        self.stdout.write(f"{count} jobb äldre än {days} dagar togs bort.")
