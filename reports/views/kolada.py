"""The national figures (Kolada / KKiK) for whoever reports them: the page and
its CSV download. For coordinators and unit managers
(contacts.view_continuity_reports), over the units they belong to.

Over more than output.PAGE_UNITS units (an administrator's whole municipality) the
figures are not computed in the request: the page offers the CSV file, which
the task worker makes (a job, as the reports' PDFs are)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from contacts import access
from contacts.models import Unit
from jobs.models import Job
from jobs.services import JobFailed, JobOutput, Progress, job_start
from jobs.views import job_started_response
from omsorg.output.csv import csv_response

from .. import kolada
from . import output

PERMISSION = "contacts.view_continuity_reports"


class WindowForm(forms.Form):
    """The first of the two weeks (ISO year and week number), from GET."""

    ar = forms.IntegerField(
        label=gettext_lazy("År"),
        error_messages={
            "required": gettext_lazy("Ange ett år."),
            "invalid": gettext_lazy("Ange året med siffror."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    vecka = forms.IntegerField(
        label=gettext_lazy("Första veckan (1–53)"),
        error_messages={
            "required": gettext_lazy("Ange en vecka."),
            "invalid": gettext_lazy("Ange veckan med siffror."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 53}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, week = data.get("ar"), data.get("vecka")
        if year is not None and week is not None:
            try:
                data["window"] = kolada.window_for(year, week)
            except kolada.WeekError as exc:
                self.add_error("ar" if exc.field == "year" else "vecka", str(exc))
        return data


def _form(query: Any) -> WindowForm:
    """The form from the query (or a job's params); the last two full weeks
    where a field is missing."""
    default = kolada.default_window(timezone.localdate())
    data = {"ar": str(default.year), "vecka": str(default.week)}
    data.update({key: str(query[key]).strip() for key in ("ar", "vecka") if key in query})
    return WindowForm(data)


def _units(user: access.AnyUser) -> tuple[QuerySet[Unit], str]:
    units = access.units_for_user(user).order_by("name")
    every = len(units) == Unit.objects.count()
    return units, _("Hela organisationen") if every else _("Alla mina enheter")


def _report(units: QuerySet[Unit], label: str, form: WindowForm) -> kolada.KoladaReport:
    return kolada.kolada_report(units, form.cleaned_data["window"], organisation_label=label)


def _file_name(window: kolada.Window) -> str:
    (y1, w1), (y2, w2) = window.weeks
    return f"kolada_personalkontinuitet_{y1}-v{w1:02d}_{y2}-v{w2:02d}.csv"


def _job_context(form: WindowForm, units: QuerySet[Unit]) -> dict[str, Any]:
    """The notice and the button that has the task worker make the CSV file."""
    window = form.cleaned_data["window"]
    return {
        "too_many": len(units),
        "page_units": output.PAGE_UNITS,
        "job_action": reverse("kolada_csv"),
        "job_fields": [("ar", window.year), ("vecka", window.week)],
    }


@require_GET
@login_required
@permission_required(PERMISSION, raise_exception=True)
def kolada_report(request: HttpRequest) -> HttpResponse:
    form = _form(request.GET)
    context: dict[str, Any] = {"form": form}
    units, label = _units(request.user)
    if form.is_valid() and output.too_many_units(len(units)):
        context.update(_job_context(form, units))
    elif form.is_valid():
        report = _report(units, label, form)
        window = report.window
        context.update(
            {
                "report": report,
                "threshold": kolada.KPI_MANY_STAFF,
                "ended": window.ended_by(timezone.localdate()),
                "query": urlencode({"ar": window.year, "vecka": window.week}),
            }
        )
    template = "reports/kolada.html"
    if getattr(request, "htmx", False):
        template += "#kolada"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(PERMISSION, raise_exception=True)
def kolada_csv(request: HttpRequest) -> HttpResponse:
    """GET: the file at once (up to output.PAGE_UNITS units; otherwise 400 with the
    page that offers the job). POST: start the job that makes it."""
    units, label = _units(request.user)
    if request.method == "POST" and not units:
        raise Http404  # no unit: nothing to make
    # The button posts the weeks it was shown; a POST without them is refused.
    form = WindowForm(request.POST) if request.method == "POST" else _form(request.GET)
    if not form.is_valid():
        return render(request, "reports/kolada.html", {"form": form}, status=400)
    window = form.cleaned_data["window"]
    if request.method == "POST":
        job = job_start(
            user=request.user,  # type: ignore[arg-type]
            kind=Job.Kind.KOLADA_CSV,
            title=_("Kolada personalkontinuitet %(weeks)s (CSV)") % {"weeks": window.label},
            params={"ar": window.year, "vecka": window.week},
        )
        return job_started_response(request, job)
    if output.too_many_units(len(units)):
        context = {"form": form, **_job_context(form, units)}
        return render(request, "reports/kolada.html", context, status=400)
    report = _report(units, label, form)
    return csv_response(kolada.kolada_csv(report), _file_name(window))


def kolada_csv_job(job: Job, progress: Progress) -> JobOutput:
    """The task worker's half of the CSV: the same form and figures as the
    download, for the units the user has when the job runs."""
    user: User = job.user
    if not access.may_view_continuity_reports(user):
        raise JobFailed(_("Du har inte längre behörighet till rapporten."))
    form = _form(job.params)
    if not form.is_valid():
        raise JobFailed(_("Veckorna går inte längre att välja; välj dem igen på sidan."))
    progress(10, _("Beräknar måttet"))
    units, label = _units(user)
    report = _report(units, label, form)
    progress(90, _("Skapar CSV-filen"))
    content = ("\ufeff" + kolada.kolada_csv(report)).encode("utf-8")
    return JobOutput(content, _file_name(report.window), "text/csv; charset=utf-8")
