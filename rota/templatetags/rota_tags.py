from __future__ import annotations

import datetime as dt
import re

from django import template
from django.utils import dateformat
from django.utils.translation import gettext as _

from rota.selectors import ContactPeriod

register = template.Library()


@register.filter
def tel_href(phone: str) -> str:
    """A tel: URI for a Swedish number as people write it ("070-174 06 05",
    "0470-40 00 00"): digits only, in international form (+4670…), so phones
    dial it from anywhere. Empty when there is nothing to dial."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    if phone.strip().startswith("+"):
        return f"tel:+{digits}"
    if digits.startswith("00"):
        return f"tel:+{digits[2:]}"
    if digits.startswith("0"):
        return f"tel:+46{digits[1:]}"
    return f"tel:{digits}"


def _day(day: dt.date) -> str:
    return dateformat.format(day, "l j F")


@register.simple_tag
def period_label(period: ContactPeriod, week_start: dt.date) -> str:
    """When during the week a care contact is in force, or "" for the whole week."""
    week_end = week_start + dt.timedelta(days=6)
    if period.first_day <= week_start and period.last_day >= week_end:
        return ""
    if period.first_day <= week_start:
        return _("Till och med %(day)s") % {"day": _day(period.last_day)}
    if period.last_day >= week_end:
        return _("Från och med %(day)s") % {"day": _day(period.first_day)}
    if period.first_day == period.last_day:
        return _("Bara %(day)s") % {"day": _day(period.first_day)}
    return _("%(first)s till och med %(last)s") % {
        "first": _day(period.first_day).capitalize(),
        "last": _day(period.last_day),
    }
