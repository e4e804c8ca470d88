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
            "PDF-filerna som tjänsten skapar (rapporter, genomförandeplaner, brev och "
            "Vem kommer?) är inte taggade. En skärmläsare kan därför inte följa rubriker "
            "och tabeller i dem, och diagrammet i PDF:en med nyckeltal saknar en textversion."
        ),
        _("Alla utskrifter som PDF"),
        _("1.3.1 Information och relationer och 1.1.1 Icke-textuellt innehåll"),
    ),
    KnownIssue(
        _(
            "I administrationen är bara startsidan, listorna över personal och användare "
            "och formulären för personal, enheter, brukare, användare, roller och besök "
            "kontrollerade. Övriga sidor där är Djangos egna och används bara av "
            "administratörer."
        ),
        _("Administration"),
    ),
    KnownIssue(
        _(
            "Sidorna är kontrollerade i mobilbredd 390 pixlar men inte i 320 pixlar "
            "(motsvarar 400 % förstoring), och inte i Windows läge för hög kontrast."
        ),
        _("Alla sidor"),
    ),
    KnownIssue(
        _(
            "Att fokus flyttas till det första fältet som behöver rättas efter ett fel "
            "kräver JavaScript. Utan JavaScript visas felen, men fokus börjar överst på sidan."
        ),
        _("Formulär"),
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
