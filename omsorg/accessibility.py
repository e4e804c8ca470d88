"""The accessibility statement (tillgänglighetsredogörelse) required by lagen
(2018:1937) om tillgänglighet till digital offentlig service, following DIGG's
model: who provides the service, how accessible it is, what does not comply
and why, how to report problems, the supervisory authority, and how and when
the service was tested.

To update it: remove an entry from KNOWN_ISSUES when its fix is merged, add
one when a problem is found, and set UPDATED_ON (and ASSESSED_ON after a new
review). The compliance level follows from the list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

# When the accessibility was last assessed, and when this statement was last changed.
ASSESSED_ON = dt.date(2026, 12, 2)
UPDATED_ON = dt.date(2026, 12, 2)

# The supervisory authority (the law's 17 §) and its reporting function.
DIGG = {
    "name": _("Myndigheten för digital förvaltning (Digg)"),
    "report_url": "https://www.digg.se/tdosanmalan",
    "email": "info@digg.se",
    "phone": "0771-11 44 00",
    "address": "Box 14, 851 02 Sundsvall",
}


@dataclass(frozen=True)
class KnownIssue:
    what: Promise  # what does not work, in plain words
    where: Promise
    # The WCAG 2.1 success criterion (level A or AA, which the law requires
    # through EN 301 549) that is not met; empty for problems the law does not
    # require us to fix but that we know of and will fix anyway.
    criterion: Promise | str = ""


KNOWN_ISSUES: list[KnownIssue] = [
    KnownIssue(
        _(
            "Ramen som visar var tangentbordsfokus är har för låg kontrast mot vita ytor "
            "(ungefär 1,6:1, kravet är 3:1). Den kan vara svår att se."
        ),
        _("Alla sidor"),
        _("1.4.11 Kontrast för icke-textuellt innehåll och 2.4.7 Synligt fokus"),
    ),
    KnownIssue(
        _(
            "Meddelandet som visas efter att du har sparat är märkt som en lista på ett sätt "
            "som skärmläsare inte kan tolka rätt."
        ),
        _("Alla sidor där du sparar något"),
        _("1.3.1 Information och relationer"),
    ),
    KnownIssue(
        _(
            "Diagrammet över kontinuitet över tid saknar en textversion, och det visar "
            "månader som saknar data."
        ),
        _("Nyckeltal (KKiK)"),
        _("1.1.1 Icke-textuellt innehåll"),
    ),
    KnownIssue(
        _(
            "Tabellen med nyckeltal går att rulla i sidled på en mobil, men inte att nå "
            "med tangentbordet."
        ),
        _("Nyckeltal (KKiK) på mobil"),
        _("2.1.1 Tangentbord"),
    ),
    KnownIssue(
        _(
            "I formuläret för personal i administrationen skiljs en länk i texten ut bara "
            "med färg, och ett fält har ett ARIA-attribut som inte är tillåtet."
        ),
        _("Administration: personal"),
        _("1.4.1 Användning av färg och 4.1.2 Namn, roll, värde"),
    ),
    KnownIssue(
        _(
            "PDF-filerna som tjänsten skapar (rapporter, genomförandeplaner, brev och "
            "Vem kommer?) är inte taggade. En skärmläsare kan därför inte följa rubriker "
            "och tabeller i dem."
        ),
        _("Alla utskrifter som PDF"),
        _("1.3.1 Information och relationer"),
    ),
    KnownIssue(
        _("Förloppsindikatorn som visas medan sidan arbetar ligger utanför sidans landmärken."),
        _("Alla sidor"),
    ),
    KnownIssue(
        _("Rubriknivåerna hoppar över en nivå."),
        _("Överlämning när personal slutar"),
    ),
    KnownIssue(
        _(
            "Länkar för att ringa och mejla är bara omkring 19 pixlar höga på en mobil och "
            "kan vara svåra att träffa."
        ),
        _("Brukarens kontaktuppgifter och Mina brukare på mobil"),
    ),
    KnownIssue(
        _("Flikarna i brukarens personuppgifter radbryts på tre rader på en mobil."),
        _("Brukare: personuppgifter på mobil"),
    ),
    KnownIssue(
        _(
            "I vissa tabeller bryts ord mitt i (till exempel ”Signa-tur”) och telefonnummer "
            "delas på två rader."
        ),
        _("Tabeller i rapporter och personallistor"),
    ),
    KnownIssue(
        _(
            "När ett formulär har fel flyttas fokus till rubriken i stället för till det "
            "första fältet som behöver rättas."
        ),
        _("Formulär"),
    ),
    KnownIssue(
        _("Efter att du har sparat visar adressfältet fortfarande adressen till redigeringen."),
        _("Formulär som sparas utan att sidan laddas om"),
    ),
]


def compliance() -> str:
    """DIGG's three levels: fully, partially or not compliant."""
    if any(issue.criterion for issue in KNOWN_ISSUES):
        return "partial"
    return "full"


@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    """Open to everyone, logged in or not: linked from every page's footer."""
    return render(
        request,
        "accessibility_statement.html",
        {
            "organisation": settings.ACCESSIBILITY_ORGANISATION,
            "contact_email": settings.ACCESSIBILITY_EMAIL,
            "contact_phone": settings.ACCESSIBILITY_PHONE,
            "compliance": compliance(),
            "failures": [issue for issue in KNOWN_ISSUES if issue.criterion],
            "other_issues": [issue for issue in KNOWN_ISSUES if not issue.criterion],
            "assessed_on": ASSESSED_ON,
            "updated_on": UPDATED_ON,
            "digg": DIGG,
        },
    )
