"""python manage.py fok_statistics --unit U --status S --date D (docs/interchange.md,
docs/statistics.md)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from audit.log import record_command
from contacts.models import Unit
from reports.fok_statistics import STATUSES, fok_statistics, parse_status

FORMATS = ("table", "json", "csv")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Command(BaseCommand):
    help = _("Sök fast omsorgskontakt (handbok 1.8): brukare per status på ett datum.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--unit", metavar="CODE", help=_("Enhetens kod; utelämnad = alla enheter")
        )
        # Checked in handle() rather than by argparse, so a wrong value gives a
        # Swedish message and exit status 1 like every other input error.
        parser.add_argument("--status", metavar="STATUS", help=", ".join(STATUSES))
        parser.add_argument(
            "--date", metavar="YYYY-MM-DD", help=_("Datum (status vid dagens slut)")
        )
        parser.add_argument("--format", default="table", metavar="FORMAT", help="|".join(FORMATS))
        parser.add_argument("--output", metavar="FILE", help=_("Skriv till fil i stället"))

    def handle(self, *args: Any, **options: Any) -> None:
        unit = self._unit(options["unit"])
        status = parse_status(options["status"] or "")
        if status is None:
            raise CommandError(
                _("Okänd eller saknad status ”%(status)s”; välj en av %(statuses)s.")
                % {"status": options["status"] or "", "statuses": ", ".join(STATUSES)},
                returncode=1,
            )
        on = self._date(options["date"])
        output_format = (options["format"] or "").lower()
        if output_format not in FORMATS:
            raise CommandError(
                _("Okänt format ”%(format)s”; välj en av %(formats)s.")
                % {"format": options["format"], "formats": ", ".join(FORMATS)},
                returncode=1,
            )

        result = fok_statistics(unit, status, on)
        record_command("fok_statistics", options, clients=[c.pk for c in result.clients])
        if output_format == "json":
            text = json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n"
        elif output_format == "csv":
            text = result.as_csv()
        else:
            text = result.as_table()

        if options["output"]:
            path = Path(options["output"])
            try:
                path.write_text(text, encoding="utf-8", newline="")
            except OSError as exc:
                raise CommandError(
                    _("Filen %(path)s kan inte skrivas: %(error)s")
                    % {"path": path, "error": exc.strerror or exc},
                    returncode=1,
                ) from None
        else:
            self.stdout.write(text, ending="")

    def _unit(self, code: str | None) -> Unit | None:
        if code is None or code.strip() == "":
            return None
        unit = Unit.objects.filter(code=code.strip()).first()
        if unit is None:
            raise CommandError(_("Okänd enhet ”%(code)s”.") % {"code": code}, returncode=1)
        return unit

    def _date(self, value: str | None) -> dt.date:
        if not value:
            raise CommandError(_("Ange --date som ÅÅÅÅ-MM-DD."), returncode=1)
        try:
            if not DATE_RE.match(value.strip()):
                raise ValueError(value)
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise CommandError(
                _("”%(value)s” är inget giltigt datum; skriv ÅÅÅÅ-MM-DD.") % {"value": value},
                returncode=1,
            ) from None
