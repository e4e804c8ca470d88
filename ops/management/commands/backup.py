"""python manage.py backup FILE: a backup of the whole database (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Säkerhetskopierar hela databasen till FILE (PostgreSQL: pg_dump, SQLite: .backup)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if path.exists():
            raise CommandError(f"{path} finns redan; välj ett nytt filnamn.", returncode=1)
        try:
            backup(path)
        except BackupError as exc:
            path.unlink(missing_ok=True)
            raise CommandError(str(exc), returncode=1) from None
        size = path.stat().st_size
        self.stdout.write(f"Säkerhetskopia skriven: {path} ({size / 1_000_000:.1f} MB)")
