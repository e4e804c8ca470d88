from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts import access
from contacts.models import Client, Unit

from . import selectors

# Weeks the page and the printouts accept: far dates would overflow when the
# page steps a week back or forth, and no visit is planned outside these years.
FIRST_MONDAY = dt.date(1900, 1, 1)  # a Monday
LAST_MONDAY = selectors.week_monday(dt.date(2999, 12, 31))

WEEK_RE = re.compile(r"^([0-9]{4})-W([0-9]{2})$")


def week_value(week_start: dt.date) -> str:
    """The ISO week as the HTML week input writes it: "2025-W12"."""
    year, week, _day = week_start.isocalendar()
    return f"{year:04d}-W{week:02d}"


def parse_week(value: str) -> tuple[dt.date | None, str]:
    """The Monday of an ISO week "YYYY-Www", or None and a Swedish message."""
    match = WEEK_RE.match(value.strip())
    shown = value.replace("\x00", "")[:20]
    if match is None:
        return None, _("”%(value)s” är ingen vecka. Skriv till exempel 2025-W12.") % {
            "value": shown
        }
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        return None, _("År %(year)s har ingen vecka %(week)s.") % {"year": year, "week": week}
    if not FIRST_MONDAY <= monday <= LAST_MONDAY:
        return None, _("Välj en vecka mellan år 1900 och 2999.")
    return monday, ""


class PrintForm(forms.Form):
    """Print the shown week of one unit's sheet."""

    week = forms.CharField(
        label=gettext_lazy("Vecka"),
        max_length=20,
        error_messages={"required": gettext_lazy("Välj vilken vecka som ska skrivas ut.")},
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Enhet"),
        queryset=Unit.objects.none(),
        error_messages={
            "required": gettext_lazy("Välj enhet."),
            "invalid_choice": gettext_lazy("Välj en av dina enheter."),
        },
    )

    def __init__(self, *args: Any, client: Client, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.user = user
        # Every unit of the user; clean() checks the client is on it that week.
        self.fields["unit"].queryset = access.units_for_user(user)  # type: ignore[attr-defined]

    def clean_week(self) -> dt.date:
        monday, error = parse_week(self.cleaned_data["week"])
        if monday is None:
            raise forms.ValidationError(error)
        return monday

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        monday, unit = cleaned.get("week"), cleaned.get("unit")
        if monday is not None and unit is not None:
            units = selectors.sheet_units(user=self.user, client=self.client, week_start=monday)
            if not units.filter(pk=unit.pk).exists():
                self.add_error(
                    "unit",
                    _("Brukaren har ingen insats på %(unit)s den veckan.") % {"unit": unit.name},
                )
        return cleaned
