"""Handbook 1.12.2 "Översikt besök" for coordinators and unit managers, with CSV
and PDF of the same selection. Definitions: docs/statistics.md."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
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
from contacts.models import Unit, Visit
from jobs.models import Job
from jobs.services import JobFailed, JobOutput, Progress, record_export
from omsorg.http import HtmxHttpRequest
from omsorg.output.csv import csv_response
from omsorg.output.pdf import printed_by, render_pdf
from reports import visits as selectors

from . import output

PAGE_SIZE = 50
# A PDF past this many rows takes too long to lay out; CSV has no limit.
PDF_LIMIT = 1500
MAX_DAYS = 366
FORM_PARAMS = ("enhet", "fran", "till", "endast_markerade", *selectors.MARK_KEYS)

_DATE_ERRORS = {
    "required": gettext_lazy("Ange ett datum."),
    "invalid": gettext_lazy("Ange datumet som ÅÅÅÅ-MM-DD."),
}


class VisitOverviewForm(forms.Form):
    enhet = forms.ChoiceField(
        label=gettext_lazy("Enhet"),
        error_messages={"required": gettext_lazy("Välj en enhet.")},
    )
    fran = forms.DateField(
        label=gettext_lazy("Från"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE_ERRORS,
    )
    till = forms.DateField(
        label=gettext_lazy("Till"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE_ERRORS,
    )
    endast_markerade = forms.BooleanField(
        label=gettext_lazy("Visa endast markerade besök"), required=False
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {unit.code: unit for unit in units}
        cast(forms.ChoiceField, self.fields["enhet"]).choices = [
            (unit.code, unit.name) for unit in self.units.values()
        ]
        for mark in selectors.MARKS:
            self.fields[mark.key] = forms.BooleanField(label=mark.label, required=False)

    def clean_enhet(self) -> Unit:
        return self.units[self.cleaned_data["enhet"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("fran"), data.get("till")
        if start and end:
            if end < start:
                self.add_error("till", _("Till-datumet kan inte vara före från-datumet."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error(
                    "till", _("Perioden får vara högst %(days)s dagar.") % {"days": MAX_DAYS}
                )
        return data

    @property
    def mark_fields(self) -> list[tuple[forms.BoundField, selectors.Mark]]:
        return [(self[mark.key], mark) for mark in selectors.MARKS]

    def chosen_marks(self) -> list[str]:
        return [key for key in selectors.MARK_KEYS if self.cleaned_data.get(key)]


def _overview(
    request: HttpRequest, params: QueryDict | None = None
) -> tuple[VisitOverviewForm, QuerySet[Visit] | None, str]:
    params = request.GET if params is None else params
    form, visits = _selection(request.user, params, bound=request.method == "POST")
    query = QueryDict(mutable=True)
    for name in FORM_PARAMS:
        if name in params:
            query[name] = str(params.get(name, ""))
    return form, visits, query.urlencode()


def _selection(
    user: Any, params: QueryDict | dict[str, Any], *, bound: bool = False
) -> tuple[VisitOverviewForm, QuerySet[Visit] | None]:
    """The form bound to ``params`` (unbound when nothing was chosen, unless
    ``bound``) and, when valid, the selected visits; another unit's code
    gives 404."""
    units = access.units_for_user(user).order_by("name")
    code = params.get("enhet", "")
    # Compared in Python: the raw parameter may hold text PostgreSQL refuses (NUL).
    if code and code not in {unit.code for unit in units}:
        # Another unit's code gives 404, as every object outside the user's units.
        raise Http404
    submitted = bound or "fran" in params or "till" in params
    today = timezone.localdate()
    first = units.first()
    form = VisitOverviewForm(
        params if submitted else None,
        units=units,
        initial={
            "enhet": first.code if first else "",
            "fran": today - dt.timedelta(days=6),
            "till": today,
            # Every mark is shown until the user chooses otherwise.
            **dict.fromkeys(selectors.MARK_KEYS, True),
        },
    )
    visits = None
    if submitted and form.is_valid():
        data = form.cleaned_data
        visits = selectors.visit_overview(
            data["enhet"],
            data["fran"],
            data["till"],
            marks=form.chosen_marks(),
            only_marked=data["endast_markerade"],
        )
    return form, visits


def _visits(request: HtmxHttpRequest, preset: str | None) -> HttpResponse:
    """Handbook 1.12.2 as page, CSV or PDF (reports.views.output)."""
    fmt = output.output_format(request, preset)
    if request.method == "POST" and not access.units_for_user(request.user).exists():
        raise Http404  # no unit: nothing to print
    form, visits, query = _overview(request, output.form_data(request))
    if fmt != output.HTML and visits is None:
        if request.method == "POST" or not form.is_bound:
            return _page(request, form, None, query, status=400)
        return redirect(f"{reverse('visit_overview')}?{query}")
    if visits is not None and fmt == output.CSV:
        log.record(
            request,
            AccessKind.EXPORT,
            clients=visits.order_by().values_list("client_id", flat=True).distinct(),
        )
        return csv_response(
            selectors.visits_csv(form.cleaned_data["enhet"], visits), _file_name(form, "csv")
        )
    if visits is not None and fmt == output.PDF:
        count = visits.count()
        if count > PDF_LIMIT:
            messages.error(request, _too_many(count))
            return redirect(f"{reverse('visit_overview')}?{query}")
        fields = output.hidden_fields(output.form_data(request), FORM_PARAMS)
        title = _title(form)
        return output.pdf_response(
            request,
            kind=Job.Kind.VISIT_OVERVIEW_PDF,
            title=title,
            url_name="visit_overview",
            fields=fields,
            back_query=query,
        )
    return _page(request, form, visits, query)


def _page(
    request: HtmxHttpRequest,
    form: VisitOverviewForm,
    visits: QuerySet[Visit] | None,
    query: str,
    *,
    status: int = 200,
) -> HttpResponse:
    page_obj = None
    visit_rows: list[selectors.VisitRow] = []
    chosen: list[str] = []
    if visits is not None:
        chosen = form.chosen_marks()
        page_obj = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("sida"))
        visit_rows = selectors.rows(page_obj.object_list, chosen)
        log.record(request, AccessKind.REPORT, clients=[r.visit.client_id for r in visit_rows])
    context = {
        "form": form,
        "page_obj": page_obj,
        "rows": visit_rows,
        "marks": [m for m in selectors.MARKS if m.key in chosen],
        "query": query,
        "has_units": bool(form.units),
        "pdf_action": reverse("visit_overview"),
        "pdf_fields": output.hidden_fields(request.GET, FORM_PARAMS),
    }
    if request.htmx:
        return render(request, "reports/visits.html#overview", context, status=status)
    return render(request, "reports/visits.html", context, status=status)


visit_overview, visit_overview_as = output.report_views(
    access.may_view_continuity_reports,
    _visits,  # type: ignore[arg-type]
)


def _file_name(form: VisitOverviewForm, extension: str) -> str:
    data = form.cleaned_data
    return f"besok-{data['enhet'].code}-{data['fran']}-{data['till']}.{extension}"


def _title(form: VisitOverviewForm) -> str:
    data = form.cleaned_data
    return _("Översikt besök, %(unit)s, %(start)s–%(end)s") % {
        "unit": data["enhet"].name,
        "start": data["fran"].isoformat(),
        "end": data["till"].isoformat(),
    }


def _too_many(count: int) -> str:
    return _(
        "Urvalet har %(count)s besök; en PDF rymmer högst %(limit)s. Välj en kortare "
        "period eller ”Visa endast markerade besök”, eller ladda ner CSV."
    ) % {"count": count, "limit": PDF_LIMIT}


def visit_overview_pdf_job(job: Job, progress: Progress) -> JobOutput:
    """The task worker's half of the visit overview PDF: the same form and
    selector as the page, for the units the job's owner has now."""
    user = job.user
    if not access.may_view_continuity_reports(user):
        raise JobFailed(_("Du har inte längre behörighet till översikten."))
    try:
        form, visits = _selection(user, job.params, bound=True)
    except Http404:
        visits = None
    if visits is None:
        raise JobFailed(_("Urvalet går inte längre att skriva ut; välj det igen på sidan."))
    progress(5, _("Hämtar besöken"))
    count = visits.count()
    if count > PDF_LIMIT:
        raise JobFailed(_too_many(count))
    marks = form.chosen_marks()
    data = form.cleaned_data
    rows = selectors.rows(visits, marks)
    record_export(job, {row.visit.client_id for row in rows})
    progress(30, _("Skapar PDF-filen (%(count)s besök)") % {"count": count})
    pdf = render_pdf(
        "reports/pdf_visits.html",
        {
            "unit": data["enhet"],
            "start": data["fran"],
            "end": data["till"],
            "only_marked": data["endast_markerade"],
            "rows": rows,
            "marks": [m for m in selectors.MARKS if m.key in marks],
            "count": count,
        },
        printed_by=printed_by(user),
    )
    return JobOutput(pdf, _file_name(form, "pdf"), "application/pdf")
