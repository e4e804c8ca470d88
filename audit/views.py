"""The access log for administrators: filter by client, user and period,
page through it, export it as CSV."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contacts import access
from contacts.models import Client
from omsorg.http import HtmxHttpRequest
from omsorg.output.csv import csv_line

from . import log, selectors
from .forms import AccessLogFilterForm
from .models import AccessKind, AccessLogEntry

PAGE_SIZE = 50
# A row lists at most this many client names on the page (a report may name
# hundreds); the CSV has them all.
NAMES_SHOWN = 5
EXPORT_CHUNK = 2000
FILTER_PARAMS = ("brukare", "anvandare", "fran", "till")


def _filtered(request: HttpRequest) -> tuple[AccessLogFilterForm, QuerySet[AccessLogEntry] | None]:
    form = AccessLogFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    client = data["brukare"]
    rows = selectors.entries(
        client_id=client.pk if client else None,
        username=data["anvandare"],
        date_from=data["fran"],
        date_to=data["till"],
    )
    return form, rows


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    for key in list(query):
        if key not in FILTER_PARAMS:
            del query[key]
    return query.urlencode()


@require_GET
@login_required
@access.requires(access.may_view_access_log)
def access_log(request: HtmxHttpRequest) -> HttpResponse:
    form, rows = _filtered(request)
    page_obj = None
    shown: list[dict[str, Any]] = []
    if rows is not None:
        page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("sida"))
        entries = list(page_obj.object_list)
        wanted = {i for e in entries for i in e.client_ids[:NAMES_SHOWN]}
        clients = Client.objects.in_bulk(wanted)
        shown = [
            {
                "entry": e,
                "clients": [clients[i] for i in e.client_ids[:NAMES_SHOWN] if i in clients],
                "more": max(0, len(e.client_ids) - NAMES_SHOWN),
                "parameters": _parameters_text(e.parameters),
            }
            for e in entries
        ]
    log.record(request, AccessKind.ACCESS_LOG)
    context = {
        "form": form,
        "page_obj": page_obj,
        "rows": shown,
        "query": _query(request),
        "retention_days": settings.OMSORG_ACCESS_LOG_DAYS,
    }
    template = "audit/access_log.html"
    if request.htmx:
        template += "#search"
    return render(request, template, context)


def _parameters_text(parameters: Any) -> str:
    if not isinstance(parameters, dict):
        return str(parameters)
    return ", ".join(f"{key}={value}" for key, value in parameters.items())


def _csv_lines(rows: QuerySet[AccessLogEntry]) -> Iterator[str]:
    yield "\ufeff"
    yield csv_line(
        [
            _("Tidpunkt"),
            _("Användare"),
            _("Adress"),
            _("Typ"),
            _("Sida eller rapport"),
            _("Parametrar"),
            _("Brukare (id)"),
            _("Brukare (kundnummer)"),
        ]
    )
    tz = timezone.get_current_timezone()
    chunk: list[AccessLogEntry] = []

    def flush(entries: list[AccessLogEntry]) -> Iterator[str]:
        ids = {i for e in entries for i in e.client_ids}
        numbers = dict(Client.objects.filter(pk__in=ids).values_list("pk", "customer_number"))
        for e in entries:
            yield csv_line(
                [
                    timezone.localtime(e.at, tz).strftime("%Y-%m-%d %H:%M:%S"),
                    e.username,
                    e.address or "",
                    e.get_kind_display(),
                    e.what,
                    _parameters_text(e.parameters),
                    " ".join(str(i) for i in e.client_ids),
                    " ".join(numbers.get(i, "") for i in e.client_ids),
                ]
            )

    for entry in rows.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(entry)
        if len(chunk) >= EXPORT_CHUNK:
            yield from flush(chunk)
            chunk = []
    yield from flush(chunk)


@require_GET
@login_required
@access.requires(access.may_view_access_log)
def access_log_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form, rows = _filtered(request)
    if rows is None:
        return render(request, "audit/access_log.html", {"form": form}, status=400)
    log.record(request, AccessKind.ACCESS_LOG)
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="atkomstlogg-{stamp}.csv"'
    return response
