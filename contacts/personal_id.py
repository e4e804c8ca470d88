"""Swedish personal identity numbers.

Accepted forms (see docs/interchange.md):
- personnummer: ``YYYYMMDD-NNNC``, ``YYYYMMDDNNNC``, ``YYMMDD-NNNC``, ``YYMMDD+NNNC``
  (``+`` = 100 years or older), ``YYMMDDNNNC``; C is the Luhn check digit over
  the ten digits ``YYMMDDNNN``.
- samordningsnummer: as personnummer with the day + 60.
- reservnummer: ``YYYYMMDD-TFNN`` or ``YYYYMMDD-TNNN`` (with or without the dash,
  also with a two-digit year); no check digit.

Everything is stored in the canonical twelve-character form ``YYYYMMDD-XXXX``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_NUMERIC = re.compile(r"^(?P<date>\d{6}|\d{8})(?P<sep>[-+]?)(?P<tail>\d{4})$")
_RESERVE = re.compile(r"^(?P<date>\d{6}|\d{8})(?P<sep>[-+]?)(?P<tail>T[A-Z]\d{2}|T\d{3})$")


class PersonalIdError(ValueError):
    """Raised with a Swedish message when an id is not valid."""


class Kind:
    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    RESERVNUMMER = "reservnummer"


class Sex:
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = ""


@dataclass(frozen=True)
class PersonalId:
    canonical: str
    kind: str
    birth_date: dt.date
    sex: str

    def __str__(self) -> str:
        return self.canonical


def luhn_check_digit(digits: str) -> int:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def _full_year(two_digit: str, sep: str, month: int, day: int, today: dt.date) -> int:
    """Century for a ten-digit id: the most recent year not in the future,
    one century earlier when written with ``+`` (100 years or older)."""
    year = today.year - (today.year % 100) + int(two_digit)
    try:
        if dt.date(year, month, day) > today:
            year -= 100
    except ValueError:
        # 29 February in a year that is not a leap year: try a century back.
        year -= 100
    if sep == "+":
        year -= 100
    return year


def parse(value: str, *, today: dt.date | None = None) -> PersonalId:
    """Validate and normalise ``value``; raise PersonalIdError otherwise."""
    today = today or dt.date.today()
    raw = (value or "").strip().upper().replace(" ", "")
    if not raw:
        raise PersonalIdError(_("Personnummer saknas."))
    reserve = _RESERVE.match(raw)
    match = reserve or _NUMERIC.match(raw)
    if not match:
        raise PersonalIdError(
            _(
                "”%(value)s” är inget giltigt personnummer, samordningsnummer eller "
                "reservnummer (ÅÅÅÅMMDD-NNNN eller ÅÅÅÅMMDD-TFNN)."
            )
            % {"value": value}
        )
    date_part, sep, tail = match["date"], match["sep"], match["tail"]
    month = int(date_part[-4:-2])
    day = int(date_part[-2:])
    kind = Kind.RESERVNUMMER if reserve else Kind.PERSONNUMMER
    if kind == Kind.PERSONNUMMER and day > 60:
        kind = Kind.SAMORDNINGSNUMMER
        day -= 60
    if len(date_part) == 8:
        year = int(date_part[:4])
    else:
        year = _full_year(date_part[:2], sep, month, day, today)
    try:
        birth = dt.date(year, month, day)
    except ValueError as exc:
        raise PersonalIdError(
            _("”%(value)s” innehåller inget giltigt födelsedatum.") % {"value": value}
        ) from exc
    if birth > today:
        raise PersonalIdError(_("”%(value)s” har ett födelsedatum i framtiden.") % {"value": value})
    if kind != Kind.RESERVNUMMER:
        ten = date_part[-6:] + tail[:3]
        if luhn_check_digit(ten) != int(tail[3]):
            raise PersonalIdError(_("”%(value)s” har fel kontrollsiffra.") % {"value": value})
        sex = Sex.MALE if int(tail[2]) % 2 else Sex.FEMALE
    else:
        sex = Sex.UNKNOWN
    canonical = f"{birth.year:04d}{date_part[-4:]}-{tail}"
    return PersonalId(canonical=canonical, kind=kind, birth_date=birth, sex=sex)


def is_valid(value: str) -> bool:
    try:
        parse(value)
    except PersonalIdError:
        return False
    return True


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years on ``on`` (a person born on 29 February turns a year
    older on 1 March in years without that day)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def make_test_personnummer(birth: dt.date, serial: int, *, female: bool) -> str:
    """A personnummer with a correct check digit, for tests and demo data.

    The birth numbers 980–999 are the range Skatteverket uses for test persons;
    the last of the three digits is even for women and odd for men."""
    number = 980 + (serial % 10) * 2 + (0 if female else 1)
    digits = f"{birth:%y%m%d}{number:03d}"
    return f"{birth:%Y%m%d}-{number:03d}{luhn_check_digit(digits)}"
