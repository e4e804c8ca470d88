"""python manage.py import_csv KIND FILE (format: docs/interchange.md, docs/import.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from imports.importers import KINDS, import_csv, row_count


class Command(BaseCommand):
    help = "Importerar en CSV-fil: allt eller inget. KIND är en av " + ", ".join(KINDS) + "."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", metavar="KIND", help=", ".join(KINDS))
        parser.add_argument("file", metavar="FILE", help=_("CSV-fil (UTF-8, ; eller ,)"))

    def handle(self, *args: Any, **options: Any) -> None:
        kind, path = options["kind"], Path(options["file"])
        if kind not in KINDS:
            raise CommandError(
                _("Okänd typ ”%(kind)s”; välj en av %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(KINDS)},
                returncode=1,
            )
        try:
            # Read a row at a time by the import (twice), never whole: a year
            # of a municipality's visits is a file of gigabytes.
            with path.open("rb"):
                pass
        except OSError as exc:
            raise CommandError(
                _("Filen %(path)s kan inte läsas: %(error)s")
                % {"path": path, "error": exc.strerror or exc},
                returncode=1,
            ) from None
        # How far it has come, on a terminal only: scripts read stdout and
        # stderr as docs/interchange.md describes them.
        progress = self._progress if self.stderr.isatty() else None
        result = import_csv(kind, path, progress=progress)
        if not result.ok:
            # The problems go to stdout, one per line, like a linter's report;
            # the verdict goes to stderr and the exit status is 1.
            for line in result.errors:
                self.stdout.write(line)
            raise CommandError(
                _("Inget importerades: %(count)s fel i %(path)s.")
                % {"count": len(result.errors), "path": path},
                returncode=1,
            )
        self.stdout.write(result.summary)

    def _progress(self, done: int, total: int | None) -> None:
        if total is None:
            text = _("Läser filen: %(rows)s rader") % {"rows": row_count(done)}
        else:
            text = _("Sparar: rad %(done)s av %(total)s") % {
                "done": row_count(done),
                "total": row_count(total),
            }
        self.stderr.write(text)
