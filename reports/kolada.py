"""The national figures in the form they are reported: the 14-day measure
(KKiK / Kolada "personalkontinuitet", docs/metrics.md) per unit and for the
organisation, over a measurement window of two full ISO weeks, Monday to
Sunday.

The figures themselves come from reports.continuity (continuity_kpi and
continuity_kpi_by_unit); this module only chooses the window, names the
public holidays inside it and lays the figures out for the report (the page
and a CSV file for Swedish Excel)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import holidays
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from contacts.models import Unit
from omsorg.output.csv import csv_text

from .continuity import KPI_MANY_STAFF, ContinuityKpi, continuity_kpi, continuity_kpi_by_unit
from .continuity_export import decimal_comma, median_text

WINDOW_DAYS = 14
# The measure looks 65 years back from the first day (age on that day).
FIRST_YEAR = 1900
LAST_YEAR = 2999


class WeekError(ValueError):
    """A week that does not exist; the message is Swedish, ``field`` is
    "year" or "week" (the one to correct)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Window:
    """Two consecutive ISO weeks, starting with week ``week`` of ISO year ``year``."""

    year: int
    week: int

    @property
    def first_day(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=WINDOW_DAYS - 1)

    @property
    def weeks(self) -> list[tuple[int, int]]:
        """(ISO year, week) of the two weeks: week 52 or 53 is followed by week 1."""
        second = (self.first_day + dt.timedelta(days=7)).isocalendar()
        return [(self.year, self.week), (second.year, second.week)]

    @property
    def label(self) -> str:
        """ "v. 10–11 2025", or "v. 53 2026 – v. 1 2027" over a new year."""
        (y1, w1), (y2, w2) = self.weeks
        if y1 == y2:
            return _("v. %(first)s–%(second)s %(year)s") % {"first": w1, "second": w2, "year": y1}
        return _("v. %(w1)s %(y1)s – v. %(w2)s %(y2)s") % {"w1": w1, "y1": y1, "w2": w2, "y2": y2}

    def ended_by(self, today: dt.date) -> bool:
        return self.last_day < today


def window_for(year: int, week: int) -> Window:
    """The window starting with ISO week ``week`` of ``year``; WeekError if none."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise WeekError(
            _("Välj ett år mellan %(first)s och %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            "year",
        )
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        if week == 53:
            raise WeekError(_("År %(year)s har ingen vecka 53.") % {"year": year}, "week") from None
        raise WeekError(_("Välj en vecka från 1 till 53."), "week") from None
    return Window(year, week)


def default_window(today: dt.date) -> Window:
    """The last two full Monday–Sunday weeks before ``today``."""
    this_monday = today - dt.timedelta(days=today.weekday())
    first = (this_monday - dt.timedelta(days=WINDOW_DAYS)).isocalendar()
    return Window(first.year, first.week)


def holidays_in(window: Window) -> list[tuple[dt.date, str]]:
    """Swedish public holidays and the de facto ones (midsommarafton,
    julafton, nyårsafton) inside the window, in date order."""
    calendar = holidays.country_holidays(
        "SE",
        years=sorted({window.first_day.year, window.last_day.year}),
        language="sv",
        categories=("public", "de_facto"),
    )
    return sorted(
        (day, str(name))
        for day, name in calendar.items()
        if window.first_day <= day <= window.last_day
    )


# --- the figures -------------------------------------------------------------------------


@dataclass
class KoladaRow:
    """One line of the report: a unit, or the organisation (unit None)."""

    label: str
    kpi: ContinuityKpi

    @property
    def code(self) -> str:
        return self.kpi.unit.code if self.kpi.unit is not None else ""

    @property
    def clients(self) -> int:
        return self.kpi.eligible_clients

    @property
    def mean_text(self) -> str:
        return "" if self.kpi.mean is None else decimal_comma(self.kpi.mean, 1)

    @property
    def median_text(self) -> str:
        return "" if self.kpi.median is None else median_text(self.kpi.median)

    @property
    def over_20(self) -> int | None:
        return self.kpi.over_20 if self.clients else None

    @property
    def over_20_percent_text(self) -> str:
        """Percent with one decimal, rounded half up from the counts."""
        if not self.clients:
            return ""
        exact = Decimal(100 * self.kpi.over_20) / Decimal(self.clients)
        return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).replace(".", ",")


@dataclass
class KoladaReport:
    window: Window
    units: list[KoladaRow]
    organisation: KoladaRow
    holidays: list[tuple[dt.date, str]]

    @property
    def rows(self) -> list[KoladaRow]:
        return [*self.units, self.organisation]


def kolada_report(
    units: QuerySet[Unit], window: Window, *, organisation_label: str
) -> KoladaReport:
    """The figures of ``units`` one by one and together. A client served by
    two units counts once for the organisation, with all their visits."""
    per_unit = continuity_kpi_by_unit(units, window.first_day, WINDOW_DAYS)
    overall = continuity_kpi(None, window.first_day, WINDOW_DAYS, units=units)
    return KoladaReport(
        window=window,
        units=[KoladaRow(kpi.unit.name if kpi.unit else "", kpi) for kpi in per_unit],
        organisation=KoladaRow(organisation_label, overall),
        holidays=holidays_in(window),
    )


def csv_columns() -> list[str]:
    return [
        _("Enhetskod"),
        _("Enhet"),
        _("Mätveckor"),
        _("Första dag"),
        _("Sista dag"),
        _("Antal brukare"),
        _("Medelvärde"),
        _("Median"),
        _("Antal med fler än %(n)s personal") % {"n": KPI_MANY_STAFF},
        _("Andel med fler än %(n)s personal (%%)") % {"n": KPI_MANY_STAFF},
    ]


def _cell(value: str) -> str:
    """Text that Excel would take for a formula is written as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def kolada_csv(report: KoladaReport) -> str:
    """Semicolons and decimal commas for Swedish Excel; an empty cell where a
    figure is undefined (no client met the conditions). The BOM is added by
    omsorg.output.csv.csv_response."""
    window = report.window

    def line(row: Any) -> list[Any]:
        over = row.over_20
        return [
            _cell(row.code),
            _cell(row.label),
            window.label,
            window.first_day.isoformat(),
            window.last_day.isoformat(),
            row.clients,
            row.mean_text,
            row.median_text,
            "" if over is None else over,
            row.over_20_percent_text,
        ]

    return csv_text(csv_columns(), (line(row) for row in report.rows))
