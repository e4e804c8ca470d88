"""Removes access log rows older than the retention period
(OMSORG_ACCESS_LOG_DAYS, three years by default). Run it daily from the
scheduler; it is the only way rows leave the log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.selectors import older_than, prune


class Command(BaseCommand):
    help = "Tar bort rader i åtkomstloggen som är äldre än lagringstiden (OMSORG_ACCESS_LOG_DAYS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Visa hur många rader som skulle tas bort, utan att ta bort dem.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = int(settings.OMSORG_ACCESS_LOG_DAYS)
        if days < 1:
            raise CommandError("OMSORG_ACCESS_LOG_DAYS måste vara minst 1.")
        if options["dry_run"]:
            count = older_than(days).count()
            self.stdout.write(f"{count} rader äldre än {days} dagar skulle tas bort.")
            return
        count = prune(days=days)
        self.stdout.write(f"{count} rader äldre än {days} dagar togs bort.")
