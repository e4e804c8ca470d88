"""The national figures (Kolada / KKiK) for whoever reports them: the page and
its CSV download. For coordinators and unit managers
(contacts.view_continuity_reports), over the units they belong to."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from contacts import access
from contacts.models import Unit
from omsorg.output.csv import csv_response

from .. import kolada

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


def _form(request: HttpRequest) -> WindowForm:
    default = kolada.default_window(timezone.localdate())
    data = {"ar": str(default.year), "vecka": str(default.week)}
    data.update({key: request.GET[key].strip() for key in ("ar", "vecka") if key in request.GET})
    return WindowForm(data)


def _units(request: HttpRequest) -> tuple[QuerySet[Unit], str]:
    units = access.units_for_user(request.user).order_by("name")
    every = len(units) == Unit.objects.count()
    return units, _("Hela organisationen") if every else _("Alla mina enheter")


def _report(request: HttpRequest, form: WindowForm) -> kolada.KoladaReport:
    units, label = _units(request)
    return kolada.kolada_report(units, form.cleaned_data["window"], organisation_label=label)


@require_GET
@login_required
@permission_required(PERMISSION, raise_exception=True)
def kolada_report(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        report = _report(request, form)
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


@require_GET
@login_required
@permission_required(PERMISSION, raise_exception=True)
def kolada_csv(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(request, "reports/kolada.html", {"form": form}, status=400)
    report = _report(request, form)
    window = report.window
    (y1, w1), (y2, w2) = window.weeks
    name = f"kolada_personalkontinuitet_{y1}-v{w1:02d}_{y2}-v{w2:02d}.csv"
    return csv_response(kolada.kolada_csv(report), name)
