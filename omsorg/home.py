"""The start page. It lives at project level because it composes the apps:
contacts (clients not yet handled, handbook 1.3), plans (deadlines, the provider routine)
and reports (worklists)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit import log
from audit.models import AccessKind
from contacts import access, selectors
from plans.selectors import OverduePlan, overdue_plans
from reports.views.worklists import worklist_summary

# The start-page card shows this many clients per unit; the rest behind a link.
CARD_LIMIT = 25


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    my_units = access.units_for_user(request.user).select_related("provider", "care_type")
    if not access.may_read_clients(request.user):
        # The statistics reader: no client names here, only the way to handbook 1.8.
        context = {"cards": [], "plan_cards": [], "has_units": my_units.exists(), "today": today}
        return render(request, "contacts/home.html", context)
    units = list(my_units)
    # Three queries for all the units, however many (an administrator sees every unit).
    counted = selectors.unit_cards(units, today, CARD_LIMIT)
    cards = []
    for unit in units:
        offers_contact = unit.care_type is None or unit.care_type.offers_care_contact
        card = counted[unit.pk]
        cards.append(
            {
                "unit": unit,
                "offers_contact": offers_contact,
                "clients": card.clients if offers_contact else [],
                "more": offers_contact and card.not_handled > CARD_LIMIT,
                "count": card.not_handled if offers_contact else 0,
                "on_unit": card.on_unit,
            }
        )
    # The provider routine plan deadlines per unit: computed once for all the user's units,
    # shown per unit here and counted in the worklists.
    overdue = overdue_plans(units, today)
    by_unit: dict[int, list[OverduePlan]] = {}
    for item in overdue:
        by_unit.setdefault(item.unit_id, []).append(item)
    plan_cards = [
        {
            "unit": unit,
            "items": by_unit.get(unit.pk, [])[:CARD_LIMIT],
            "count": len(by_unit.get(unit.pk, [])),
        }
        for unit in units
        if unit.care_type is None or unit.care_type.offers_care_contact or by_unit.get(unit.pk)
    ]
    moves_in = selectors.recent_moves_in(my_units, today)
    context = {
        "cards": cards,
        "plan_cards": plan_cards,
        "has_units": bool(cards),
        "today": today,
        "moves_in": moves_in,
    }
    context.update(worklist_summary(request, overdue=overdue, units=my_units))
    shown = [c for card in cards for c in card["clients"]]  # type: ignore[attr-defined]
    shown_plans = [
        item.client_id for unit_items in by_unit.values() for item in unit_items[:CARD_LIMIT]
    ]
    moved = [move.client for move in moves_in]
    log.record(request, AccessKind.LIST, clients=[*shown, *shown_plans, *moved])
    return render(request, "contacts/home.html", context)
