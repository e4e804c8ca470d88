"""Worklists for unit managers and coordinators (reports.worklists): what to
fix on my units today, each row linking to where it is fixed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from contacts import access
from contacts.views.staff import may_view_staff, require_view_staff
from reports.worklists import worklists as compute_worklists


@require_GET
@login_required
def worklists(request: HttpRequest) -> HttpResponse:
    require_view_staff(request.user)
    today = timezone.localdate()
    units = access.units_for_user(request.user)
    all_units = list(units.order_by("name"))
    chosen = None
    raw = request.GET.get("enhet", "")
    if raw.isdigit():
        chosen = access.get_unit_for_user(request.user, int(raw))
        units = units.filter(pk=chosen.pk)
    result = compute_worklists(units, today)
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


def worklist_summary(request: HttpRequest, *, overdue: Any = None) -> dict[str, Any]:
    """Context for templates/reports/_worklist_summary.html on the start page:
    {"worklists": ...} for managers and coordinators, {} for everyone else.
    ``overdue``: the plan deadlines when the caller already computed them."""
    if not may_view_staff(request.user):
        return {}
    units = access.units_for_user(request.user)
    return {"worklists": compute_worklists(units, timezone.localdate(), overdue=overdue)}
