"""Continuity report (handbook 1.12.1) and the KKiK 14-day measure in the browser.

For coordinators and unit managers (contacts.view_continuity_reports), over the
units they belong to. Every page also downloads as CSV and PDF with the same
figures; the command line uses the same selectors (reports.continuity)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from html import escape
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from audit import log
from audit.models import AccessKind
from contacts import access
from contacts.models import Unit
from jobs.models import Job
from jobs.services import JobFailed, JobOutput, Progress, record_export
from omsorg.http import pk_url
from omsorg.output.csv import csv_response
from omsorg.output.pdf import printed_by, render_pdf

from .. import continuity as cont
from ..continuity_export import (
    DASH,
    contact_share_chart,
    count_percent,
    decimal_comma,
    kpi_csv,
    median_text,
    percent_text,
    reason_labels,
    report_csv,
    staff_chart,
)
from . import output

MAX_PERIOD_DAYS = 366
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
TREND_POINTS = 6  # KKiK trend: this period and the five before it, four weeks apart
TREND_STEP = dt.timedelta(weeks=4)

DATE_ERRORS = {
    "required": gettext_lazy("Ange ett datum."),
    "invalid": gettext_lazy("Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2025-02-01."),
}


def _htmx(request: HttpRequest) -> HtmxDetails:
    return request.htmx  # type: ignore[attr-defined]  # set by HtmxMiddleware


def report_view(view):  # type: ignore[no-untyped-def]
    """GET only, logged in, allowed to read continuity reports."""
    return require_GET(login_required(access.requires(access.may_view_continuity_reports)(view)))


# --- forms -----------------------------------------------------------------------------


class PeriodForm(forms.Form):
    """unit (code, empty = all my units), from and optionally to, from GET."""

    def __init__(self, data: dict[str, str], *, units: QuerySet[Unit], with_to: bool) -> None:
        super().__init__(data)
        self.units = units
        self.fields["unit"] = forms.ChoiceField(
            label=_("Enhet"),
            required=False,
            choices=[("", _("Alla mina enheter"))] + [(u.code, u.name) for u in units],
            error_messages={"invalid_choice": _("Välj en av dina enheter.")},
        )
        self.fields["from"] = forms.DateField(
            label=_("Från och med") if with_to else _("Första dag"),
            input_formats=["%Y-%m-%d"],
            error_messages=DATE_ERRORS,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        if with_to:
            self.fields["to"] = forms.DateField(
                label=_("Till och med"),
                input_formats=["%Y-%m-%d"],
                error_messages=DATE_ERRORS,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ("from", "to"):
            day = data.get(name)
            # KKiK looks 65 years back and 20 weeks back from the first day:
            # dates near year 1 or 9999 would overflow.
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(
                    name,
                    _("Välj ett datum mellan %(first)s och %(last)s.")
                    % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
                )
        date_from, date_to = data.get("from"), data.get("to")
        if date_from and date_to:
            if date_to < date_from:
                self.add_error("to", _("Slutdatumet kan inte vara före startdatumet."))
            elif (date_to - date_from).days >= MAX_PERIOD_DAYS:
                self.add_error("to", _("Perioden får vara högst ett år."))
        return data

    @property
    def unit(self) -> Unit | None:
        code = self.cleaned_data.get("unit")
        return next((u for u in self.units if u.code == code), None) if code else None

    def querystring(self, **extra: str) -> str:
        params = {
            key: self.data.get(key, "") for key in ("unit", "from", "to") if key in self.fields
        }
        params.update(extra)
        return urlencode({k: v for k, v in params.items() if v})


def _continuity_form(request: HttpRequest, units: QuerySet[Unit]) -> PeriodForm:
    today = timezone.localdate()
    default_from = cont.kpi_default_start(today)
    data = {
        "unit": units[0].code if len(units) == 1 else "",
        "from": default_from.isoformat(),
        "to": (default_from + dt.timedelta(days=13)).isoformat(),
    }
    data.update(
        {key: request.GET[key].strip() for key in ("unit", "from", "to") if key in request.GET}
    )
    return PeriodForm(data, units=units, with_to=True)


def _kpi_form(request: HttpRequest, units: QuerySet[Unit]) -> PeriodForm:
    data = {"unit": "", "from": cont.kpi_default_start(timezone.localdate()).isoformat()}
    data.update({key: request.GET[key].strip() for key in ("unit", "from") if key in request.GET})
    return PeriodForm(data, units=units, with_to=False)


def _posted_form(request: HttpRequest, units: QuerySet[Unit], *, with_to: bool) -> PeriodForm:
    """The PDF button's hidden fields, without defaults: what the page showed."""
    keys = ("unit", "from", "to") if with_to else ("unit", "from")
    data = {key: request.POST[key].strip() for key in keys if key in request.POST}
    return PeriodForm(data, units=units, with_to=with_to)


def _user_units(request: HttpRequest) -> QuerySet[Unit]:
    # Evaluated once: forms, labels and selectors share the same list.
    units = access.units_for_user(request.user).order_by("name")
    list(units)
    return units


def _scope(form: PeriodForm) -> tuple[Unit | None, QuerySet[Unit]]:
    return form.unit, form.units


# --- the continuity report -------------------------------------------------------------

# ?sort= keys: value per client row; None always sorts last.
SORTS = {
    "name": lambda c: cont.client_sort_key(c.name, c.customer_number),
    "staff": lambda c: c.staff,
    "visits": lambda c: c.visits,
    "double": lambda c: c.double_staffed,
    # The contact columns show "count (share)": they sort by the share, so a
    # client seen by the contact at 2 of 2 visits ranks above one at 3 of 10.
    "ordinary": lambda c: _share(c.ordinary, c.visits),
    "deputy": lambda c: _share(c.deputy, c.visits),
    "total": lambda c: _share(c.fok_total, c.visits),
    "upc": lambda c: c.upc,
    "coc": lambda c: c.coc,
    "secon": lambda c: c.secon,
}


def _share(count: int | None, visits: int) -> Fraction | None:
    return None if count is None or not visits else Fraction(count, visits)


def _sorted_clients(
    clients: list[cont.ClientContinuity], sort: str
) -> tuple[list[cont.ClientContinuity], str]:
    key = sort.lstrip("-")
    if key not in SORTS:
        return clients, "name"
    descending = sort.startswith("-")
    getter = SORTS[key]
    present = [c for c in clients if getter(c) is not None]
    missing = [c for c in clients if getter(c) is None]
    # Stable sort: equal values keep the name order.
    present.sort(key=getter, reverse=descending)
    return present + missing, sort


def _columns(form: PeriodForm, sort: str) -> list[dict[str, Any]]:
    labels = [
        ("name", _("Brukare"), False),
        ("staff", _("Personal"), True),
        ("visits", _("Besök"), True),
        # A soft hyphen lets the long header wrap on narrow screens.
        ("double", _("Dubbelbemanning").replace("bemanning", "\u00adbemanning", 1), True),
        ("ordinary", _("Ordinarie"), True),
        ("deputy", _("Vice"), True),
        ("total", _("Totalt"), True),
        ("upc", "UPC", True),
        ("coc", "COC", True),
        ("secon", "SECON", True),
    ]
    columns = []
    for key, label, numeric in labels:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        next_sort = key if not current or descending else f"-{key}"
        columns.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "url": "?" + form.querystring(sort=next_sort),
                "aria_sort": ("descending" if descending else "ascending") if current else "none",
                "arrow": ("↓" if descending else "↑") if current else "",
            }
        )
    return columns


def _client_rows(clients: list[cont.ClientContinuity]) -> list[dict[str, Any]]:
    return [
        {
            "client": c,
            "ordinary": count_percent(c.ordinary, c.visits),
            "deputy": count_percent(c.deputy, c.visits),
            "total": count_percent(c.fok_total, c.visits),
            "upc": decimal_comma(c.upc, 2),
            "coc": decimal_comma(c.coc, 2),
            "secon": decimal_comma(c.secon, 2),
        }
        for c in clients
    ]


def _table_body(rows: list[dict[str, Any]], reachable: set[int], sort_query: str) -> SafeString:
    """The page's table rows (one per client, 70 on a typical unit) as markup.

    Built here rather than with a template loop: per row the template engine
    resolved about twenty variables, escaped and localized each one and
    reversed the drill-down URL twice, which was most of the page's time in
    Python (docs/performance.md, "Pages"). Every text is escaped below; the
    markup is what the template had."""
    visits_url = pk_url("continuity_client_visits")
    query = escape(sort_query)
    out = []
    for row in rows:
        c = row["client"]
        name = escape(c.name)
        if c.client_id in reachable:
            url = f"{visits_url(c.client_id)}?{query}"
            name = (
                f'<a href="{url}" hx-get="{url}" hx-target="#client-visits" '
                f'hx-swap="innerHTML" data-opens-dialog aria-haspopup="dialog">{name}</a>'
            )
        out.append(
            f'<tr data-testid="row-{escape(c.customer_number)}">'
            f'<th scope="row" class="row-label">{name}<br><span class="muted small nowrap">'
            f"{escape(c.personal_id)} ({escape(c.customer_number)})</span></th>"
            f'<td class="num">{c.staff}</td><td class="num">{c.visits}</td>'
            f'<td class="num">{c.double_staffed}</td>'
            f'<td class="num" data-testid="ordinary">{escape(row["ordinary"])}</td>'
            f'<td class="num" data-testid="deputy">{escape(row["deputy"])}</td>'
            f'<td class="num" data-testid="total">{escape(row["total"])}</td>'
            f'<td class="num">{escape(row["upc"])}</td><td class="num">{escape(row["coc"])}</td>'
            f'<td class="num">{escape(row["secon"])}</td></tr>\n'
        )
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def _pdf_table_body(rows: list[dict[str, Any]]) -> SafeString:
    """The PDF's table rows: no whitespace between cells and no class per
    cell (the stylesheet aligns every cell after the first), since WeasyPrint
    parses, styles and lays out every node; this table is most of the PDF's
    time (docs/performance.md, "Unit continuity PDF")."""
    out = []
    for row in rows:
        c = row["client"]
        out.append(
            f"<tr><td>{escape(c.name)}, {escape(c.personal_id)} ({escape(c.customer_number)})"
            f"</td><td>{c.staff}</td><td>{c.visits}</td><td>{c.double_staffed}</td>"
            f"<td>{escape(row['ordinary'])}</td><td>{escape(row['deputy'])}</td>"
            f"<td>{escape(row['total'])}</td><td>{escape(row['upc'])}</td>"
            f"<td>{escape(row['coc'])}</td><td>{escape(row['secon'])}</td></tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def _report_context(report: cont.ContinuityReport, *, all_label: str) -> dict[str, Any]:
    ordinary = sum(c.ordinary or 0 for c in report.clients)
    deputy = sum(c.deputy or 0 for c in report.clients)
    labels = reason_labels()
    return {
        "report": report,
        "unit_label": f"{report.unit.name}" if report.unit else all_label,
        "staff_mean": decimal_comma(report.staff_mean),
        "staff_median": decimal_comma(report.staff_median),
        "fok_percent": percent_text(report.fok_visits, report.contact_visits),
        "ordinary_percent": percent_text(ordinary, report.contact_visits),
        "deputy_percent": percent_text(deputy, report.contact_visits),
        "excluded": [(labels[key], count) for key, count in report.excluded_by_reason.items()],
        "staff_chart": staff_chart(report),
        "contact_chart": contact_share_chart(report),
        "dash": DASH,
    }


def continuity_pdf_bytes(
    report: cont.ContinuityReport,
    *,
    request: HttpRequest | None = None,
    all_label: str | None = None,
    printed_by: str = "",
) -> bytes:
    """The PDF of the report: the background job and `continuity_report --format pdf`."""
    from omsorg.output.charts import as_image

    context = _report_context(report, all_label=all_label or _("Alla enheter"))
    context["table_body"] = _pdf_table_body(_client_rows(report.clients))
    context["double_header"] = _("Dubbelbemanning").replace("bemanning", "\u00adbemanning", 1)
    context["contact_chart"] = as_image(
        context["contact_chart"], _("Vem utförde besöken hos brukare med fast omsorgskontakt")
    )
    context["staff_chart"] = as_image(context["staff_chart"], _("Antal personal per brukare"))
    return render_pdf(
        "reports/pdf_continuity.html", context, request=request, printed_by=printed_by
    )


def _file_stem(prefix: str, unit: Unit | None, *dates: dt.date) -> str:
    parts = [prefix, unit.code if unit else "alla", *(d.isoformat() for d in dates)]
    return "_".join(parts).replace(" ", "-")


def _report_title(unit: Unit | None, date_from: dt.date, date_to: dt.date) -> str:
    return _("Kontinuitetsrapport, %(unit)s, %(start)s–%(end)s") % {
        "unit": unit.name if unit else _("alla mina enheter"),
        "start": date_from.isoformat(),
        "end": date_to.isoformat(),
    }


def _pdf_only(
    request: HttpRequest,
    fmt: str,
    template: str,
    context: dict[str, Any],
    units: int,
    url_name: str,
    fields: list[tuple[str, str]],
) -> HttpResponse:
    """The page (or CSV request) of "all my units" over more than output.PAGE_UNITS
    units: no report in the request, the PDF button instead (the task worker
    makes it). A CSV cannot be offered that way: 400 with the same page."""
    context.update(
        {
            "too_many": units,
            "page_units": output.PAGE_UNITS,
            "pdf_action": reverse(url_name),
            "pdf_fields": fields,
        }
    )
    return render(request, template, context, status=200 if fmt == output.HTML else 400)


def _continuity(request: HttpRequest, preset: str | None) -> HttpResponse:
    """The continuity report as page, CSV or PDF (reports.views.output)."""
    fmt = output.output_format(request, preset)
    units = _user_units(request)
    if request.method == "POST":
        if not units:
            raise Http404  # no unit: nothing to print
        form = _posted_form(request, units, with_to=True)
    else:
        form = _continuity_form(request, units)
    context: dict[str, Any] = {"form": form, "units": units}
    if not form.is_valid():
        status = 200 if fmt == output.HTML else 400
        return render(request, "reports/continuity.html", context, status=status)
    unit, scope = _scope(form)
    date_from, date_to = form.cleaned_data["from"], form.cleaned_data["to"]
    sort = output.form_data(request).get("sort", "name")
    fields = output.hidden_fields(form.data, ("unit", "from", "to")) + [("sort", sort)]
    if fmt == output.PDF:
        title = _report_title(unit, date_from, date_to)
        return output.pdf_response(
            request,
            kind=Job.Kind.CONTINUITY_PDF,
            title=title,
            url_name="continuity_report",
            fields=fields,
            back_query=form.querystring(sort=sort),
        )
    if unit is None and output.too_many_units(len(scope)):
        # Not in the request: the task worker makes the PDF (a page or a CSV of
        # every client of a municipality took seconds and 14 MB at full scale).
        return _pdf_only(
            request,
            fmt,
            "reports/continuity.html",
            context,
            len(scope),
            "continuity_report",
            fields,
        )
    report = cont.continuity_report(unit, date_from, date_to, units=scope)
    # One order for the page, the CSV and the PDF (the job sorts the same way).
    report.clients, sort = _sorted_clients(report.clients, sort)
    if fmt == output.CSV:
        log.record(request, AccessKind.EXPORT, clients=[c.client_id for c in report.clients])
        name = _file_stem("kontinuitet", unit, date_from, date_to)
        return csv_response(report_csv(report), f"{name}.csv")
    clients = report.clients
    log.record(request, AccessKind.REPORT, clients=[c.client_id for c in report.clients])
    context.update(_report_context(report, all_label=_("Alla mina enheter")))
    rows = _client_rows(clients)
    # Drill-down links only for clients the user still reaches.
    reachable = access.reachable_client_ids(request.user, [c.client_id for c in clients])
    context.update(
        {
            "rows": rows,
            "table_body": _table_body(rows, reachable, form.querystring(sort=sort)),
            "columns": _columns(form, sort),
            "sort": sort,
            "query": form.querystring(),
            "sort_query": form.querystring(sort=sort),
            "pdf_action": reverse("continuity_report"),
            "pdf_fields": output.hidden_fields(form.data, ("unit", "from", "to"))
            + [("sort", sort)],
        }
    )
    template = "reports/continuity.html"
    target = _htmx(request).target if _htmx(request) else None
    if target in {"report-table", "report"}:
        template += f"#{target}"
    return render(request, template, context)


continuity_report, continuity_report_as = output.report_views(
    access.may_view_continuity_reports, _continuity
)


def continuity_pdf_job(job: Job, progress: Progress) -> JobOutput:
    """The task worker's half of the continuity PDF: the same form and
    selector as the page, for the units the job's owner has now."""
    user = job.user
    if not access.may_view_continuity_reports(user):
        raise JobFailed(_("Du har inte längre behörighet till rapporten."))
    units = access.units_for_user(user).order_by("name")
    list(units)
    form = PeriodForm(dict(job.params), units=units, with_to=True)
    if not form.is_valid():
        raise JobFailed(_("Urvalet går inte längre att skriva ut; välj det igen på sidan."))
    unit, scope = _scope(form)
    date_from, date_to = form.cleaned_data["from"], form.cleaned_data["to"]
    progress(10, _("Beräknar rapporten"))
    report = cont.continuity_report(unit, date_from, date_to, units=scope)
    report.clients, _sort = _sorted_clients(report.clients, job.params.get("sort", "name"))
    record_export(job, [c.client_id for c in report.clients])
    progress(40, _("Skapar PDF-filen"))
    pdf = continuity_pdf_bytes(
        report, all_label=_("Alla mina enheter"), printed_by=printed_by(user)
    )
    return JobOutput(
        pdf, _file_stem("kontinuitet", unit, date_from, date_to) + ".pdf", "application/pdf"
    )


@report_view
def continuity_client_visits(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = access.get_client_for_user(request.user, client_pk)
    units = _user_units(request)
    form = _continuity_form(request, units)
    context: dict[str, Any] = {"form": form, "client": client}
    if form.is_valid():
        unit, scope = _scope(form)
        visits = cont.client_visits(
            client, unit, form.cleaned_data["from"], form.cleaned_data["to"], units=scope
        )
        names = {u.pk: u.name for u in units}
        for visit in visits:
            visit.unit_name = names.get(visit.unit_id, "")
        log.record(request, AccessKind.REPORT, clients=[client])
        context.update(
            {
                "visits": visits,
                "show_unit": unit is None,
                "reasons": reason_labels(),
                "back": "?" + form.querystring(sort=request.GET.get("sort", "")),
            }
        )
    template = "reports/continuity_client.html"
    if _htmx(request):
        template += "#visits"
    return render(request, template, context)


# --- KKiK --------------------------------------------------------------------------------


def _kpi_summary(kpi: cont.ContinuityKpi) -> dict[str, Any]:
    return {
        "kpi": kpi,
        "median": median_text(kpi.median),
        "mean": decimal_comma(kpi.mean),
        "over_20": percent_text(kpi.over_20, kpi.eligible_clients),
    }


def _kpi_context(form: PeriodForm) -> dict[str, Any]:
    from omsorg.output.charts import line_chart

    date_from = form.cleaned_data["from"]
    unit, scope = _scope(form)
    shown_units = [unit] if unit else list(scope)
    # The units as a list (they are read already): the query then names them
    # by id and runs one unit without a parallel worker, 25 instead of 47 ms
    # for a unit of 70 clients at full scale (docs/performance.md, "Pages").
    per_unit = cont.continuity_kpi_by_unit(cast("QuerySet[Unit]", shown_units), date_from)
    if len(per_unit) == 1 and (unit is not None or len(scope) == 1):
        # One unit in scope: pooling its clients gives the same rows as the
        # per-unit query (every visit counted is on that unit), so the page
        # needs one report query less.
        overall = cont.ContinuityKpi(
            unit=unit, date_from=date_from, days=per_unit[0].days, clients=per_unit[0].clients
        )
    else:
        overall = cont.continuity_kpi(unit, date_from, units=scope)
    # Only the periods that have data (issue 12.2): an axis of empty months
    # around one point says nothing. The same values as a table are the
    # chart's text alternative.
    trend = []
    trend_rows = []
    # Each earlier period over one unit or a few is reused while their data are
    # unchanged (reports.continuity._reused).
    for step in range(TREND_POINTS - 1, -1, -1):
        start = date_from - TREND_STEP * step
        point = overall if step == 0 else cont.continuity_kpi(unit, start, units=scope)
        if point.median is None:
            continue
        trend.append((date_format(start, "j b"), point.median))
        trend_rows.append(
            {
                "date_from": start,
                "date_to": point.date_to,
                "median": median_text(point.median),
                "clients": point.eligible_clients,
            }
        )
    return {
        "overall": _kpi_summary(overall),
        "per_unit": [_kpi_summary(kpi) for kpi in per_unit],
        "date_to": overall.date_to,
        "scope_label": unit.name if unit else _("Alla mina enheter"),
        "trend_chart": line_chart(
            trend,
            title=_("Median antal personal per 14-dagarsperiod, var fjärde vecka bakåt"),
            y_label=_("Median"),
        )
        if trend
        else None,
        "trend_rows": trend_rows,
        "threshold": cont.KPI_MANY_STAFF,
    }


def _kpi_client_ids(context: dict[str, Any]) -> list[int]:
    return [c.client_id for row in context["per_unit"] for c in row["kpi"].clients]


def _kpi_title(unit: Unit | None, date_from: dt.date) -> str:
    return _("Kontinuitet KKiK, %(unit)s, från %(start)s") % {
        "unit": unit.name if unit else _("alla mina enheter"),
        "start": date_from.isoformat(),
    }


def _kpi(request: HttpRequest, preset: str | None) -> HttpResponse:
    """The KKiK measure as page, CSV or PDF (reports.views.output)."""
    fmt = output.output_format(request, preset)
    units = _user_units(request)
    if request.method == "POST":
        if not units:
            raise Http404  # no unit: nothing to print
        form = _posted_form(request, units, with_to=False)
    else:
        form = _kpi_form(request, units)
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        status = 200 if fmt == output.HTML else 400
        return render(request, "reports/kpi.html", context, status=status)
    unit, scope = _scope(form)
    date_from = form.cleaned_data["from"]
    fields = output.hidden_fields(form.data, ("unit", "from"))
    if fmt == output.PDF:
        title = _kpi_title(unit, date_from)
        return output.pdf_response(
            request,
            kind=Job.Kind.KPI_PDF,
            title=title,
            url_name="continuity_kpi",
            fields=fields,
            back_query=form.querystring(),
        )
    if unit is None and output.too_many_units(len(scope)):
        # As the continuity report: a whole organisation's KKiK (per unit,
        # pooled, and the trend: seven organisation-wide queries, several
        # seconds at full scale) is made by the task worker, as a PDF.
        template = "reports/kpi.html"
        if fmt == output.HTML and _htmx(request) and _htmx(request).target == "kpi":
            template += "#kpi"
        return _pdf_only(request, fmt, template, context, len(scope), "continuity_kpi", fields)
    if fmt == output.CSV:
        kpis = cont.continuity_kpi_by_unit(scope.filter(pk=unit.pk) if unit else scope, date_from)
        clients = [c.client_id for k in kpis for c in k.clients]
        log.record(request, AccessKind.EXPORT, clients=clients)
        return csv_response(kpi_csv(kpis), f"{_file_stem('kkik', unit, date_from)}.csv")
    context.update(_kpi_context(form))
    context["query"] = form.querystring()
    context["pdf_action"] = reverse("continuity_kpi")
    context["pdf_fields"] = fields
    log.record(request, AccessKind.REPORT, clients=_kpi_client_ids(context))
    template = "reports/kpi.html"
    if _htmx(request) and _htmx(request).target == "kpi":
        template += "#kpi"
    return render(request, template, context)


continuity_kpi, continuity_kpi_as = output.report_views(access.may_view_continuity_reports, _kpi)


def kpi_pdf_job(job: Job, progress: Progress) -> JobOutput:
    """The task worker's half of the KKiK PDF (see continuity_pdf_job)."""
    user = job.user
    if not access.may_view_continuity_reports(user):
        raise JobFailed(_("Du har inte längre behörighet till rapporten."))
    units = access.units_for_user(user).order_by("name")
    list(units)
    form = PeriodForm(dict(job.params), units=units, with_to=False)
    if not form.is_valid():
        raise JobFailed(_("Urvalet går inte längre att skriva ut; välj det igen på sidan."))
    progress(10, _("Beräknar måttet"))
    context = _kpi_context(form)
    record_export(job, _kpi_client_ids(context))
    progress(50, _("Skapar PDF-filen"))
    pdf = render_pdf("reports/pdf_kpi.html", context, printed_by=printed_by(user))
    unit, _scope_units = _scope(form)
    return JobOutput(
        pdf, _file_stem("kkik", unit, form.cleaned_data["from"]) + ".pdf", "application/pdf"
    )
