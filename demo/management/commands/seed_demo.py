"""python manage.py seed_demo: a believable demo municipality (see demo.seed)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from demo import seed as demo


class Command(BaseCommand):
    help = _(
        "Skapar demodata: enheter, personal, brukare, kontakthistorik, besök och "
        "demoinloggningar. Kan köras flera gånger utan att något dubbleras."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clients",
            type=int,
            default=demo.DEFAULT_CLIENTS,
            help=_("Antal brukare (standard %(default)s)."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=_("Slumpfrö; samma frö ger samma data (standard %(default)s)."),
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help=_("Räkna datum från denna dag i stället för i dag (ÅÅÅÅ-MM-DD)."),
        )

    def handle(self, *args: object, **options: object) -> None:
        clients = options["clients"]
        assert isinstance(clients, int)
        if clients < 0:
            raise CommandError(_("--clients måste vara 0 eller större."))
        report = demo.seed_demo(
            clients=clients,
            seed=options["seed"],  # type: ignore[arg-type]
            today=options["today"],  # type: ignore[arg-type]
            log=self.stdout.write,
        )
        headers = (_("Användarnamn"), _("Lösenord"), _("Roll"), _("Enheter"))
        rows = [headers, *report.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(_("Demoinloggningar:"))
        for n, row in enumerate(rows):
            cells = [row[i].ljust(widths[i]) for i in range(3)]
            self.stdout.write("  " + "  ".join([*cells, row[3]]))
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in [*widths, len(row[3])]))
        self.stdout.write(self.style.SUCCESS(_("Klart.")))
