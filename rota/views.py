""" "Vem kommer?": the client's week on the record (for staff) and the printed
large-print sheet for the client and relatives."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit import log
from audit.models import AccessKind
from contacts import access
from contacts.models import Client
from omsorg.output.pdf import pdf_response, render_pdf

from . import selectors, services
from .forms import FIRST_MONDAY, LAST_MONDAY, PrintForm, parse_week, week_value
from .models import RotaPrintout

WEEK = dt.timedelta(days=7)


def _default_week(today: dt.date) -> dt.date:
    """Next week: what the client is handed at a visit."""
    return selectors.week_monday(today) + WEEK


def _week_url(client: Client, monday: dt.date) -> str:
    url = reverse("rota_client_week", args=[client.pk])
    return f"{url}?{urlencode({'vecka': week_value(monday)})}"


def _sections(request: HttpRequest, client: Client, week_start: dt.date) -> list[dict[str, Any]]:
    units = list(selectors.sheet_units(user=request.user, client=client, week_start=week_start))
    printed = selectors.latest_printouts(
        client=client, unit_ids=[u.pk for u in units], week_start=week_start
    )
    sections = []
    for unit in units:
        sheet = selectors.week_sheet(client=client, unit=unit, week_start=week_start)
        printout = printed.get(unit.pk)
        before = selectors.sheet_from_printout(printout).lines if printout else None
        marked = selectors.compare(before, sheet.lines)
        counts = selectors.change_counts(marked)
        sections.append(
            {
                "unit": unit,
                "sheet": sheet,
                "days": selectors.days_of(week_start, marked),
                "printout": printout,
                "counts": counts,
                "changed": any(counts.values()),
            }
        )
    return sections


def _render_week(
    request: HttpRequest,
    client: Client,
    week_start: dt.date,
    *,
    errors: list[str],
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    this_week = selectors.week_monday(today)
    weeks = [
        ("prev", week_start - WEEK),
        ("this", this_week),
        ("next", this_week + WEEK),
        ("after", week_start + WEEK),
    ]
    nav = {
        key: _week_url(client, monday)
        for key, monday in weeks
        if FIRST_MONDAY <= monday <= LAST_MONDAY
    }
    return render(
        request,
        "rota/client_week.html",
        {
            "client": client,
            "week_start": week_start,
            "week_end": week_start + dt.timedelta(days=6),
            "week_number": week_start.isocalendar()[1],
            "week_value": week_value(week_start),
            "is_this_week": week_start == this_week,
            "is_next_week": week_start == this_week + WEEK,
            "nav": nav,
            "errors": errors,
            "sections": _sections(request, client, week_start),
        },
        status=status,
    )


@require_GET
@login_required
def client_week(request: HttpRequest, pk: int) -> HttpResponse:
    client = access.get_client_for_user(request.user, pk)
    log.record(request, AccessKind.CLIENT, clients=[client])
    default = _default_week(timezone.localdate())
    errors: list[str] = []
    raw = request.GET.get("vecka", "")
    week_start = default
    if raw:
        parsed, error = parse_week(raw)
        if parsed is None:
            errors.append(f"{error} {_('Visar nästa vecka.')}")
        else:
            week_start = parsed
    return _render_week(request, client, week_start, errors=errors)


@require_POST
@login_required
def client_week_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Record what is printed (so the next printout can mark changes), then show
    the sheet: Post/Redirect/Get to the printout."""
    client = access.get_client_for_user(request.user, pk)
    form = PrintForm(request.POST, client=client, user=request.user)
    if not form.is_valid():
        week = form.cleaned_data.get("week") or _default_week(timezone.localdate())
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return _render_week(request, client, week, errors=errors, status=400)
    printout = services.rota_printout_create(
        client=client,
        unit=form.cleaned_data["unit"],
        week_start=form.cleaned_data["week"],
        by=request.user,  # type: ignore[arg-type]
    )
    return redirect("rota_printout_pdf", pk=printout.pk)


@require_GET
@login_required
def printout_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A printout exactly as it was printed, with the changes since the printout
    before it marked."""
    printout = get_object_or_404(
        RotaPrintout.objects.select_related("previous"),
        pk=pk,
        unit__in=access.units_for_user(request.user),
    )
    client = access.get_client_for_user(request.user, printout.client_id)
    log.record(request, AccessKind.EXPORT, clients=[client], parameters={"printout": printout.pk})
    printout.client = client
    sheet = selectors.sheet_from_printout(printout)
    previous = printout.previous
    before = selectors.sheet_from_printout(previous).lines if previous else None
    marked = selectors.compare(before, sheet.lines)
    context = {
        "client": client,
        "sheet": sheet,
        "printout": printout,
        "previous": previous,
        "days": selectors.days_of(sheet.week_start, marked),
        "changed": any(selectors.change_counts(marked).values()),
        "week_number": sheet.week_start.isocalendar()[1],
        "week_end": sheet.week_end,
    }
    pdf = render_pdf("rota/pdf_week.html", context, request=request)
    filename = f"vem-kommer-{client.customer_number}-{week_value(sheet.week_start)}.pdf"
    return pdf_response(pdf, filename)
