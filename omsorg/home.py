"""The start page. It lives at project level because it composes the apps:
contacts (clients not yet handled, handbook 1.3), plans (deadlines, the provider routine)
and reports (worklists)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit import log
from audit.models import AccessKind
from contacts import access, selectors
from contacts.models import Unit
from plans.selectors import OverduePlan, overdue_counts, overdue_plans
from reports.views.worklists import worklist_summary

# The start-page card shows this many clients per unit; the rest behind a link.
CARD_LIMIT = 25
# A user with more units than this (a coordinator of a district, an
# administrator, who sees every unit) gets one row a unit with the counts, each
# linking to that unit's cards (?enhet=<id>), instead of a card per unit: 300
# cards of names made a page of 2.4 MB that took seconds to build.
CARD_UNITS = 12


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    my_units = access.units_for_user(request.user).select_related("provider", "care_type")
    if not access.may_read_clients(request.user):
        # The statistics reader: no client names here, only the way to handbook 1.8.
        context = {"cards": [], "plan_cards": [], "has_units": my_units.exists(), "today": today}
        return render(request, "contacts/home.html", context)
    all_units = list(my_units)
    chosen = _chosen_unit(request, all_units)
    units = [chosen] if chosen is not None else all_units
    overview = chosen is None and len(units) > CARD_UNITS
    # Three queries for all the units, however many (an administrator sees every unit).
    counted = selectors.unit_cards(units, today, 0 if overview else CARD_LIMIT)
    # The provider routine plan deadlines per unit: computed once for all the units,
    # shown per unit here and counted in the worklists; over many units only
    # counted (the list of every unit's took a fifth of a second).
    by_unit: dict[int, list[OverduePlan]] = {}
    if overview:
        plan_counts = overdue_counts(units, today)
    else:
        for item in overdue_plans(units, today):
            by_unit.setdefault(item.unit_id, []).append(item)
        plan_counts = {unit_id: len(items) for unit_id, items in by_unit.items()}
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
                "plans": plan_counts.get(unit.pk, 0),
            }
        )
    plan_cards = (
        []
        if overview
        else [
            {
                "unit": unit,
                "items": by_unit.get(unit.pk, [])[:CARD_LIMIT],
                "count": len(by_unit.get(unit.pk, [])),
            }
            for unit in units
            if unit.care_type is None or unit.care_type.offers_care_contact or by_unit.get(unit.pk)
        ]
    )
    scope = my_units.filter(pk=chosen.pk) if chosen is not None else my_units
    moves_in = selectors.recent_moves_in(scope, today)
    context = {
        "cards": cards,
        "plan_cards": plan_cards,
        "has_units": bool(cards),
        "today": today,
        "moves_in": moves_in,
        "overview": overview,
        "chosen": chosen,
        "many_units": len(all_units) > 1,
    }
    context.update(worklist_summary(request, plans=sum(plan_counts.values()), units=scope))
    # The overview names no client: only the moves are logged then.
    shown = [c for card in cards for c in card["clients"]]  # type: ignore[attr-defined]
    shown_plans = [
        item.client_id
        for card in plan_cards
        for item in card["items"]  # type: ignore[attr-defined]
    ]
    moved = [move.client for move in moves_in]
    log.record(request, AccessKind.LIST, clients=[*shown, *shown_plans, *moved])
    return render(request, "contacts/home.html", context)


def _chosen_unit(request: HttpRequest, units: list[Unit]) -> Unit | None:
    """The unit of ?enhet=<id>, one of the user's; anything else is not found."""
    raw = request.GET.get("enhet")
    if raw is None:
        return None
    unit = next((u for u in units if raw.isdigit() and u.pk == int(raw)), None)
    if unit is None:
        raise Http404(_("Enheten finns inte bland dina enheter."))
    return unit
