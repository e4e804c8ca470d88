"""The continuity report and KKiK as text table, CSV and charts: one place, so
the command line, the page, the CSV download and the PDF show the same thing."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from omsorg.output import charts
from omsorg.output.csv import csv_text
from reports import csv_columns

from .continuity import (
    CANCELLED,
    DECLINED,
    EXCLUDED_KIND,
    KPI_MANY_STAFF,
    NO_STAFF,
    ContinuityKpi,
    ContinuityReport,
    percent,
)

DASH = "–"


def reason_labels() -> dict[str, str]:
    return {
        CANCELLED: _("Inställda"),
        DECLINED: _("Avböjda av brukaren"),
        NO_STAFF: _("Utan registrerad personal"),
        EXCLUDED_KIND: _("Larm, måltid eller hälso- och sjukvård"),
    }


def decimal_comma(value: float | int | None, places: int = 2) -> str:
    """1.5714 -> "1,57" (half up); None -> "–"."""
    if value is None:
        return DASH
    quantum = Decimal(1).scaleb(-places)
    text = str(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))
    return text.replace(".", ",")


def median_text(value: float | int | None) -> str:
    """A KKiK median: "3" or "2,5"."""
    if value is None:
        return DASH
    return str(value) if isinstance(value, int) else decimal_comma(value, 1)


def share_text(value: float | None) -> str:
    """A share as in CSV files for Swedish Excel: decimal comma, 4 decimals."""
    return "" if value is None else decimal_comma(value, 4)


def count_percent(count: int | None, total: int) -> str:
    """ "1 (33 %)" from the counts, rounded half up; "–" when undefined."""
    if count is None:
        return DASH
    pct = percent(count, total)
    return f"{count} ({pct} %)" if pct is not None else str(count)


def percent_text(count: int, total: int) -> str:
    pct = percent(count, total)
    return DASH if pct is None else f"{pct} %"


def unit_label(report: ContinuityReport | ContinuityKpi, all_label: str | None = None) -> str:
    if report.unit is not None:
        return f"{report.unit.name} ({report.unit.code})"
    return all_label or _("Alla enheter")


# --- charts ----------------------------------------------------------------------------


def staff_chart(report: ContinuityReport) -> SafeString:
    """How many clients met 1, 2, 3 ... staff (over 20 in one column)."""
    counts = Counter(min(c.staff, KPI_MANY_STAFF + 1) for c in report.clients)
    top = max(counts, default=0)
    columns = [
        (str(n) if n <= KPI_MANY_STAFF else f"{KPI_MANY_STAFF + 1}+", counts.get(n, 0))
        for n in range(1, top + 1)
    ]
    return charts.column_chart(
        columns,
        title=_("Antal brukare efter antal personal de mött"),
        x_label=_("Antal personal"),
        y_label=_("Brukare"),
    )


def contact_share_chart(report: ContinuityReport) -> SafeString:
    total = report.contact_visits
    ordinary = sum(c.ordinary or 0 for c in report.clients)
    deputy = sum(c.deputy or 0 for c in report.clients)
    other = total - ordinary - deputy
    parts = [
        charts.Part(_("Ordinarie"), ordinary, charts.ACCENT),
        charts.Part(_("Vice"), deputy, charts.LIGHT),
        charts.Part(_("Annan personal"), other, charts.GREY),
    ]
    legend = [f"{part.label}: {count_percent(part.value, total)}" for part in parts]
    return charts.stacked_bar(
        parts,
        title=_("Besök hos brukare med fast omsorgskontakt: vem som utförde dem"),
        legend=legend,
    )


# --- the continuity report -------------------------------------------------------------


def client_columns() -> list[str]:
    return [
        _("Kundnummer"),
        _("Brukare"),
        _("Personal"),
        _("Besök"),
        _("Dubbelbemanning"),
        _("Ordinarie"),
        _("Vice"),
        _("Totalt"),
        "UPC",
        "COC",
        "SECON",
    ]


def report_csv(report: ContinuityReport) -> str:
    """For Swedish Excel: semicolons, decimal comma; empty cell = undefined.
    The percentages are in their own columns, computed from the counts."""
    header = [
        *csv_columns.unit_columns(),
        *csv_columns.client_columns(),
        _("Personal"),
        _("Besök"),
        _("Dubbelbemanning"),
        _("Ordinarie"),
        _("Ordinarie %"),
        _("Vice"),
        _("Vice %"),
        _("Totalt"),
        _("Totalt %"),
        "UPC",
        "COC",
        "SECON",
    ]

    def blank(value: Any) -> Any:
        return "" if value is None else value

    unit = csv_columns.unit_cells(report.unit)
    rows = (
        [
            *unit,
            c.customer_number,
            c.name,
            c.staff,
            c.visits,
            c.double_staffed,
            blank(c.ordinary),
            blank(c.ordinary_percent),
            blank(c.deputy),
            blank(c.deputy_percent),
            blank(c.fok_total),
            blank(c.fok_total_percent),
            share_text(c.upc),
            share_text(c.coc),
            share_text(c.secon),
        ]
        for c in report.clients
    )
    return csv_text(header, rows)


def _text_table(header: list[str], rows: list[list[str]], right_from: int) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        cells = [
            str(cell).rjust(widths[i]) if i >= right_from else str(cell).ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(row) for row in rows)]


def report_table(report: ContinuityReport) -> str:
    ordinary = sum(c.ordinary or 0 for c in report.clients)
    deputy = sum(c.deputy or 0 for c in report.clients)
    reasons = reason_labels()
    lines = [
        _("Personalkontinuitet"),
        f"{_('Enhet')}: {unit_label(report)}",
        f"{_('Period')}: {report.date_from:%Y-%m-%d} – {report.date_to:%Y-%m-%d}",
        f"{_('Besök')}: {report.visits}",
        f"{_('Exkluderade besök')}: {report.excluded_visits} ("
        + ", ".join(
            f"{reasons[key].lower()} {count}" for key, count in report.excluded_by_reason.items()
        )
        + ")",
        f"{_('Personal per brukare')}: {_('medel')} {decimal_comma(report.staff_mean)}, "
        f"{_('median')} {decimal_comma(report.staff_median)}",
        f"{_('Fast omsorgskontakt')}: {percent_text(report.fok_visits, report.contact_visits)} "
        f"({_('ordinarie')} {percent_text(ordinary, report.contact_visits)}, "
        f"{_('vice')} {percent_text(deputy, report.contact_visits)}; "
        + _("%(n)s besök hos brukare med fast omsorgskontakt") % {"n": report.contact_visits}
        + ")",
        "",
    ]
    rows = [
        [
            c.customer_number,
            c.name,
            str(c.staff),
            str(c.visits),
            str(c.double_staffed),
            count_percent(c.ordinary, c.visits),
            count_percent(c.deputy, c.visits),
            count_percent(c.fok_total, c.visits),
            decimal_comma(c.upc, 4),
            decimal_comma(c.coc, 4),
            decimal_comma(c.secon, 4),
        ]
        for c in report.clients
    ]
    if rows:
        lines += _text_table(client_columns(), rows, right_from=2)
    else:
        lines.append(_("Inga medräknade besök under perioden."))
    return "\n".join(lines) + "\n"


# --- KKiK ------------------------------------------------------------------------------


def kpi_csv(kpis: list[ContinuityKpi]) -> str:
    header = [*csv_columns.unit_columns(), *csv_columns.client_columns(), _("Personal")]
    rows = (
        [*csv_columns.unit_cells(kpi.unit), c.customer_number, c.name, c.staff]
        for kpi in kpis
        for c in kpi.clients
    )
    return csv_text(header, rows)


def kpi_summary_lines(kpi: ContinuityKpi) -> list[str]:
    return [
        f"{_('Enhet')}: {unit_label(kpi)}",
        f"{_('Period')}: {kpi.date_from:%Y-%m-%d} – {kpi.date_to:%Y-%m-%d} "
        + _("(%(days)s dagar)") % {"days": kpi.days},
        f"{_('Brukare som ingår')}: {kpi.eligible_clients}",
        f"{_('Median')}: {median_text(kpi.median)}",
        f"{_('Medel')}: {decimal_comma(kpi.mean)}",
        f"{_('Andel med fler än 20 personal')}: {percent_text(kpi.over_20, kpi.eligible_clients)}",
    ]


def kpi_table(kpi: ContinuityKpi) -> str:
    lines = [_("Personalkontinuitet 14 dagar (KKiK)"), *kpi_summary_lines(kpi), ""]
    rows = [[c.customer_number, c.name, str(c.staff)] for c in kpi.clients]
    if rows:
        lines += _text_table([_("Kundnummer"), _("Brukare"), _("Personal")], rows, right_from=2)
    else:
        lines.append(_("Ingen brukare uppfyller villkoren under perioden."))
    return "\n".join(lines) + "\n"
