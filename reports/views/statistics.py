"""Handbook 1.8 "Sök fast omsorgskontakt": the statistics search page, with CSV
and PDF of the same result. Definitions: docs/statistics.md."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from audit import log
from audit.models import AccessKind
from contacts import access
from contacts.models import Unit
from omsorg.http import HtmxHttpRequest
from omsorg.output.csv import csv_response
from omsorg.output.pdf import pdf_response, render_pdf
from reports.fok_statistics import STATUS_CHOICES, FokStatistics, fok_statistics

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


def _search(request: HttpRequest) -> tuple[FokStatisticsForm, FokStatistics | None, str]:
    """The form, the result when the form is valid, and the search's query string."""
    units = access.units_for_user(request.user).order_by("name")
    code = request.GET.get("enhet", "")
    # Compared in Python: the raw parameter may hold text PostgreSQL refuses (NUL).
    if code and code not in {unit.code for unit in units}:
        # Another unit's code gives 404, as every object outside the user's units.
        raise Http404
    submitted = any(name in request.GET for name in SEARCH_PARAMS)
    form = FokStatisticsForm(
        request.GET if submitted else None,
        units=units,
        initial={"datum": timezone.localdate()},
    )
    result = None
    if submitted and form.is_valid():
        data = form.cleaned_data
        result = fok_statistics(data["enhet"], data["status"], data["datum"], units=units)
    query = QueryDict(mutable=True)
    for name in SEARCH_PARAMS:
        if name in request.GET:
            query[name] = request.GET[name]
    return form, result, query.urlencode()


@require_GET
@login_required
@access.requires(access.may_view_statistics)
def fok_statistics_page(request: HtmxHttpRequest) -> HttpResponse:
    form, result, query = _search(request)
    expand = request.GET.get("visa", "")
    if result is not None:
        log.record(request, AccessKind.REPORT, clients=[c.pk for c in result.clients])
    context = {
        "form": form,
        "result": result,
        "query": query,
        "expand_all": expand == EXPAND_ALL,
        "expanded": {expand} if expand and expand != EXPAND_ALL else set(),
        "unit_label": _unit_label(request, result) if result else "",
        # Names link to the record only for clients the user may open (never
        # for the statistics reader, who sees the lists of handbook 1.8 only).
        "reachable": (
            access.reachable_client_ids(request.user, [c.pk for c in result.clients])
            if result
            else set()
        ),
    }
    if request.htmx and result is not None:
        target = request.htmx.target or ""
        # One staff member's row opened or closed: only that group is swapped.
        row = result.staff_by_signature(target.removeprefix("staff-"))
        if target.startswith("staff-") and row is not None:
            return render(
                request, "reports/fok_statistics.html#staff_group", {**context, "row": row}
            )
    if request.htmx:
        return render(request, "reports/fok_statistics.html#search", context)
    return render(request, "reports/fok_statistics.html", context)


def _download_name(result: FokStatistics, extension: str) -> str:
    unit = result.unit.code if result.unit else "alla"
    return f"fok-statistik-{unit}-{result.status}-{result.on.isoformat()}.{extension}"


def _redirect_to_form(request: HttpRequest, query: str) -> HttpResponse:
    # The page shows the form's Swedish error messages.
    return redirect(f"{reverse('fok_statistics')}?{query}")


@require_GET
@login_required
@access.requires(access.may_view_statistics)
def fok_statistics_csv(request: HttpRequest) -> HttpResponse:
    _form, result, query = _search(request)
    if result is None:
        return _redirect_to_form(request, query)
    log.record(request, AccessKind.EXPORT, clients=[c.pk for c in result.clients])
    return csv_response(result.as_csv(bom=True), _download_name(result, "csv"))


@require_GET
@login_required
@access.requires(access.may_view_statistics)
def fok_statistics_pdf(request: HttpRequest) -> HttpResponse:
    _form, result, query = _search(request)
    if result is None:
        return _redirect_to_form(request, query)
    log.record(request, AccessKind.EXPORT, clients=[c.pk for c in result.clients])
    pdf = render_pdf(
        "reports/pdf_fok_statistics.html",
        {"result": result, "unit_label": _unit_label(request, result)},
        request=request,
    )
    return pdf_response(pdf, _download_name(result, "pdf"))


def _unit_label(request: HttpRequest, result: FokStatistics) -> str:
    if result.unit is not None:
        return result.unit.name
    names = access.units_for_user(request.user).order_by("name").values_list("name", flat=True)
    return _("Alla mina enheter") + " (" + ", ".join(names) + ")"
