"""python manage.py restore FILE: replace the database with a backup (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Återställer databasen från en säkerhetskopia. Allt som finns i databasen nu ersätts. "
        "Stoppa webbservern och bakgrundsarbetaren först."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Fråga inte: ersätt databasen direkt (för skript).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not options["yes"]:
            answer = input(
                f"Allt i databasen ersätts med innehållet i {path}. Skriv ja för att fortsätta: "
            )
            if answer.strip().lower() != "ja":
                raise CommandError("Avbrutet; inget ändrades.", returncode=1)
        try:
            restore(path)
        except BackupError as exc:
            raise CommandError(f"Återställningen misslyckades; inget ändrades. {exc}") from None
        self.stdout.write(f"Databasen är återställd från {path}.")
