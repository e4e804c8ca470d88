"""Handbook 1.8 "Sök fast omsorgskontakt": the statistics search page, with CSV
and PDF of the same result. Definitions: docs/statistics.md."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import log
from audit.models import AccessKind
from contacts import access
from contacts.models import Unit
from jobs.models import Job
from jobs.services import JobFailed, JobOutput, Progress, record_export
from omsorg.http import HtmxHttpRequest
from omsorg.output.csv import csv_response
from omsorg.output.pdf import printed_by, render_pdf
from reports.fok_statistics import STATUS_CHOICES, FokStatistics, fok_statistics

from . import output

# The query parameters that make a search; everything else (visa, ...) is display.
SEARCH_PARAMS = ("status", "datum", "enhet")
EXPAND_ALL = "alla"


class FokStatisticsForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("– Välj –")), *STATUS_CHOICES],
        error_messages={
            "required": gettext_lazy("Välj en status."),
            "invalid_choice": gettext_lazy("Välj en av statusarna i listan."),
        },
    )
    datum = forms.DateField(
        label=gettext_lazy("Datum"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Ange ett datum."),
            "invalid": gettext_lazy("Ange datumet som ÅÅÅÅ-MM-DD."),
        },
    )
    enhet = forms.ChoiceField(label=gettext_lazy("Enhet"), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {unit.code: unit for unit in units}
        cast(forms.ChoiceField, self.fields["enhet"]).choices = [
            ("", _("Alla mina enheter")),
            *((unit.code, unit.name) for unit in self.units.values()),
        ]

    def clean_datum(self) -> dt.date:
        value: dt.date = self.cleaned_data["datum"]
        if value.year < 1900:
            raise forms.ValidationError(_("Ange ett datum efter år 1900."))
        return value

    def clean_enhet(self) -> Unit | None:
        return self.units.get(self.cleaned_data.get("enhet") or "")


def _search(
    request: HttpRequest, data: QueryDict | None = None
) -> tuple[FokStatisticsForm, FokStatistics | None, str]:
    """The form, the result when the form is valid, and the search's query string."""
    params = request.GET if data is None else data
    units = access.units_for_user(request.user).order_by("name")
    result = None
    form, valid = _form(request.user, params, units, bound=request.method == "POST")
    if valid:
        data_ = form.cleaned_data
        result = fok_statistics(data_["enhet"], data_["status"], data_["datum"], units=units)
    query = _query(params)
    return form, result, query


def _query(params: QueryDict) -> str:
    query = QueryDict(mutable=True)
    for name in SEARCH_PARAMS:
        if name in params:
            query[name] = str(params.get(name, ""))
    return query.urlencode()


def _form(
    user: Any, params: QueryDict | dict[str, Any], units: QuerySet[Unit], *, bound: bool = False
) -> tuple[FokStatisticsForm, bool]:
    """The search form bound to ``params`` (unbound when nothing was searched,
    unless ``bound``) and whether it is valid; another unit's code gives 404."""
    code = params.get("enhet", "")
    # Compared in Python: the raw parameter may hold text PostgreSQL refuses (NUL).
    if code and code not in {unit.code for unit in units}:
        # Another unit's code gives 404, as every object outside the user's units.
        raise Http404
    submitted = bound or any(name in params for name in SEARCH_PARAMS)
    form = FokStatisticsForm(
        params if submitted else None,
        units=units,
        initial={"datum": timezone.localdate()},
    )
    return form, submitted and form.is_valid()


def _statistics(request: HtmxHttpRequest, preset: str | None) -> HttpResponse:
    """Handbook 1.8 as page, CSV or PDF (reports.views.output)."""
    fmt = output.output_format(request, preset)
    if request.method == "POST" and not access.units_for_user(request.user).exists():
        raise Http404  # no unit: nothing to print
    form, result, query = _search(request, output.form_data(request))
    if fmt != output.HTML and result is None:
        if request.method == "POST" or not form.is_bound:
            # The page shows the form's Swedish error messages.
            return _page(request, form, None, query, status=400)
        return _redirect_to_form(request, query)
    if result is not None and fmt == output.CSV:
        log.record(request, AccessKind.EXPORT, clients=[c.pk for c in result.clients])
        return csv_response(result.as_csv(bom=True), _download_name(result, "csv"))
    if result is not None and fmt == output.PDF:
        fields = output.hidden_fields(output.form_data(request), SEARCH_PARAMS)
        title = _title(request, result)
        return output.pdf_response(
            request,
            kind=Job.Kind.FOK_STATISTICS_PDF,
            title=title,
            url_name="fok_statistics",
            fields=fields,
            back_query=query,
        )
    return _page(request, form, result, query)


def _page(
    request: HtmxHttpRequest,
    form: FokStatisticsForm,
    result: FokStatistics | None,
    query: str,
    *,
    status: int = 200,
) -> HttpResponse:
    expand = request.GET.get("visa", "")
    # "All my units" over more units than a page shows together (an
    # administrator's municipality: 15,000 clients, 4,000 staff, megabytes of
    # HTML): the counts only; the lists are in the CSV file and the PDF.
    # The form holds the user's units already.
    too_many = result is not None and result.unit is None and output.too_many_units(len(form.units))
    if result is not None and not too_many:
        log.record(request, AccessKind.REPORT, clients=[c.pk for c in result.clients])
    context = {
        "too_many": too_many,
        "page_units": output.PAGE_UNITS,
        "form": form,
        "result": result,
        "query": query,
        "expand_all": expand == EXPAND_ALL,
        "expanded": {expand} if expand and expand != EXPAND_ALL else set(),
        "unit_label": _unit_label(request.user, result) if result else "",
        # Names link to the record only for clients the user may open (never
        # for the statistics reader, who sees the lists of handbook 1.8 only).
        "reachable": (
            access.reachable_client_ids(request.user, [c.pk for c in result.clients])
            if result and not too_many
            else set()
        ),
        "pdf_action": reverse("fok_statistics"),
        "pdf_fields": output.hidden_fields(request.GET, SEARCH_PARAMS),
    }
    if request.htmx and result is not None and not too_many:
        target = request.htmx.target or ""
        # One staff member's row opened or closed: only that group is swapped.
        row = result.staff_by_signature(target.removeprefix("staff-"))
        if target.startswith("staff-") and row is not None:
            return render(
                request, "reports/fok_statistics.html#staff_group", {**context, "row": row}
            )
    if request.htmx:
        return render(request, "reports/fok_statistics.html#search", context, status=status)
    return render(request, "reports/fok_statistics.html", context, status=status)


fok_statistics_page, fok_statistics_as = output.report_views(
    access.may_view_statistics,
    _statistics,  # type: ignore[arg-type]
)


def _download_name(result: FokStatistics, extension: str) -> str:
    unit = result.unit.code if result.unit else "alla"
    return f"fok-statistik-{unit}-{result.status}-{result.on.isoformat()}.{extension}"


def _title(request: HttpRequest, result: FokStatistics) -> str:
    return _("Statistik fast omsorgskontakt, %(unit)s, %(day)s") % {
        "unit": result.unit.name if result.unit else _("alla mina enheter"),
        "day": result.on.isoformat(),
    }


def _redirect_to_form(request: HttpRequest, query: str) -> HttpResponse:
    # The page shows the form's Swedish error messages.
    return redirect(f"{reverse('fok_statistics')}?{query}")


def fok_statistics_pdf_job(job: Job, progress: Progress) -> JobOutput:
    """The task worker's half of the statistics PDF: the same form and
    selector as the page, for the units the job's owner has now."""
    user = job.user
    if not access.may_view_statistics(user):
        raise JobFailed(_("Du har inte längre behörighet till statistiken."))
    units = access.units_for_user(user).order_by("name")
    try:
        form, valid = _form(user, job.params, units, bound=True)
    except Http404:
        valid = False
    if not valid:
        raise JobFailed(_("Urvalet går inte längre att skriva ut; välj det igen på sidan."))
    data = form.cleaned_data
    progress(10, _("Beräknar statistiken"))
    result = fok_statistics(data["enhet"], data["status"], data["datum"], units=units)
    record_export(job, [c.pk for c in result.clients])
    progress(40, _("Skapar PDF-filen"))
    pdf = render_pdf(
        "reports/pdf_fok_statistics.html",
        {"result": result, "unit_label": _unit_label(user, result)},
        printed_by=printed_by(user),
    )
    return JobOutput(pdf, _download_name(result, "pdf"), "application/pdf")


def _unit_label(user: Any, result: FokStatistics) -> str:
    if result.unit is not None:
        return result.unit.name
    names = list(access.units_for_user(user).order_by("name").values_list("name", flat=True))
    if output.too_many_units(len(names)):  # not 300 names in a line
        return _("Alla mina enheter (%(count)s enheter)") % {"count": len(names)}
    return _("Alla mina enheter") + " (" + ", ".join(names) + ")"
