from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contacts import personal_id
from contacts.models import Client

_DATE_ERRORS = {"invalid": _("Ange datumet som ÅÅÅÅ-MM-DD.")}
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE_ERRORS,
    )


class AccessLogFilterForm(forms.Form):
    brukare = forms.CharField(
        label=_("Brukare"),
        required=False,
        max_length=40,
        help_text=_("Kundnummer eller personnummer."),
    )
    anvandare = forms.CharField(label=_("Användare"), required=False, max_length=150)
    fran = _date_field(_("Från och med"))
    till = _date_field(_("Till och med"))

    def clean_brukare(self) -> Client | None:
        text = self.cleaned_data["brukare"].replace("\x00", "").strip()
        if not text:
            return None
        match = Q(customer_number=text)
        # Not a personnummer: the customer number alone.
        with contextlib.suppress(personal_id.PersonalIdError):
            match |= Q(personal_id=personal_id.parse(text).canonical)
        client = Client.objects.filter(match).first()
        if client is None:
            raise forms.ValidationError(
                _("Ingen brukare har kundnumret eller personnumret ”%(text)s”.")
                % {"text": text[:40]}
            )
        return client

    def clean_anvandare(self) -> str:
        return str(self.cleaned_data["anvandare"]).replace("\x00", "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("fran", "till"):
            day = data.get(name)
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(
                    name,
                    _("Välj ett datum mellan %(first)s och %(last)s.")
                    % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
                )
        start, end = data.get("fran"), data.get("till")
        if start and end and end < start:
            self.add_error("till", _("Till-datumet kan inte vara före från-datumet."))
        return data
