"""Worklists for unit managers and coordinators (reports.worklists): what to
fix on my units today, each row linking to where it is fixed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit import log
from audit.models import AccessKind
from contacts import access
from contacts.models import Unit
from plans.selectors import overdue_plans
from reports.worklists import Row, worklist_counts
from reports.worklists import worklists as compute_worklists

# Rows of each list on the page of all the lists; the rest behind "Visa alla".
SECTION_ROWS = 25
# Rows on a page of one list (?lista=<key>).
LIST_PAGE_SIZE = 100


@require_GET
@login_required
@access.requires(access.may_view_staff)
def worklists(request: HttpRequest) -> HttpResponse:
    """All the lists, the first SECTION_ROWS rows of each, or one list
    (?lista=<key>) a page at a time: over a municipality's 300 units the
    lists hold 20,000 rows (4 MB of HTML at once). Only the rows shown are
    logged as read."""
    today = timezone.localdate()
    units = access.units_for_user(request.user)
    all_units = list(units.order_by("name"))
    chosen = None
    raw = request.GET.get("enhet", "")
    if raw.isdigit():
        chosen = access.get_unit_for_user(request.user, int(raw))
        units = units.filter(pk=chosen.pk)
    result = compute_worklists(units, today, overdue=overdue_plans(units, today))
    every: list[dict[str, Any]] = [
        {"key": key, "title": title, "rows": rows, "count": len(rows)}
        for key, title, rows in result.sections()
    ]
    one = next((s for s in every if s["key"] == request.GET.get("lista")), None)
    page_obj: Page[Row] | None = None
    if one is not None:
        page_obj = Paginator(one["rows"], LIST_PAGE_SIZE).get_page(request.GET.get("sida"))
        sections = [{**one, "rows": list(page_obj.object_list)}]
    else:
        sections = [{**s, "rows": s["rows"][:SECTION_ROWS]} for s in every]
    shown = [row.client_pk for s in sections for row in s["rows"] if row.client_pk is not None]
    log.record(request, AccessKind.LIST, clients=shown)
    return render(
        request,
        "reports/worklists.html",
        {
            "summary": every,
            "sections": sections,
            "one": one,
            "page_obj": page_obj,
            "unit_query": f"enhet={chosen.pk}&" if chosen else "",
            "units": all_units,
            "chosen": chosen,
            "bad_unit": bool(raw) and not raw.isdigit(),
            "today": today,
        },
    )


def worklist_summary(
    request: HttpRequest, *, plans: int | None = None, units: QuerySet[Unit] | None = None
) -> dict[str, Any]:
    """Context for templates/reports/_worklist_summary.html on the start page:
    {"worklists": WorklistCounts} for managers and coordinators, {} for
    everyone else. ``plans``: the number of plan deadlines on the units when
    the caller already counted them; ``units``: the user's units
    (access.units_for_user) when the caller has them already, so they are
    read once."""
    if not access.may_view_staff(request.user):
        return {}
    if units is None:
        units = access.units_for_user(request.user)
    return {"worklists": worklist_counts(units, timezone.localdate(), plans=plans)}
