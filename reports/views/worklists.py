"""Worklists for unit managers and coordinators (reports.worklists): what to
fix on my units today, each row linking to where it is fixed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
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
from reports.worklists import worklists as compute_worklists


@require_GET
@login_required
@access.requires(access.may_view_staff)
def worklists(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    units = access.units_for_user(request.user)
    all_units = list(units.order_by("name"))
    chosen = None
    raw = request.GET.get("enhet", "")
    if raw.isdigit():
        chosen = access.get_unit_for_user(request.user, int(raw))
        units = units.filter(pk=chosen.pk)
    overdue = overdue_plans(units, today)
    result = compute_worklists(units, today, overdue=overdue)
    listed = [row.client for _key, _title, rows in result.sections() for row in rows]
    log.record(request, AccessKind.LIST, clients=[*listed, *(o.client_id for o in overdue)])
    sections = [
        {"key": key, "title": title, "rows": rows} for key, title, rows in result.sections()
    ]
    return render(
        request,
        "reports/worklists.html",
        {
            "worklists": result,
            "sections": sections,
            "units": all_units,
            "chosen": chosen,
            "bad_unit": bool(raw) and not raw.isdigit(),
            "today": today,
        },
    )


def worklist_summary(
    request: HttpRequest, *, overdue: Any = None, units: QuerySet[Unit] | None = None
) -> dict[str, Any]:
    """Context for templates/reports/_worklist_summary.html on the start page:
    {"worklists": ...} for managers and coordinators, {} for everyone else.
    ``overdue``: the plan deadlines when the caller already computed them;
    ``units``: the user's units (access.units_for_user) when the caller has
    them already, so they are read once."""
    if not access.may_view_staff(request.user):
        return {}
    if units is None:
        units = access.units_for_user(request.user)
    return {"worklists": compute_worklists(units, timezone.localdate(), overdue=overdue)}
