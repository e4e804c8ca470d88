from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from contacts import access, selectors, services
from plans.selectors import OverduePlan, overdue_plans

# The start-page card shows this many clients per unit; the rest behind a link.
CARD_LIMIT = 25


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    services.care_contacts_refresh_due_daily()
    cards = []
    for unit in access.units_for_user(request.user).select_related("provider"):
        clients = selectors.not_handled_clients(unit, today)
        shown = list(clients[: CARD_LIMIT + 1])
        cards.append(
            {
                "unit": unit,
                "clients": shown[:CARD_LIMIT],
                "more": len(shown) > CARD_LIMIT,
                "count": clients.count() if len(shown) > CARD_LIMIT else len(shown),
                "on_unit": selectors.clients_on_unit(unit, today).count(),
            }
        )
    # Seed 003 plan deadlines per unit: three queries for all the user's units.
    my_units = access.units_for_user(request.user)
    overdue: dict[int, list[OverduePlan]] = {}
    for item in overdue_plans(my_units, today):
        overdue.setdefault(item.unit_id, []).append(item)
    plan_cards = [
        {
            "unit": unit,
            "items": overdue.get(unit.pk, [])[:CARD_LIMIT],
            "count": len(overdue.get(unit.pk, [])),
        }
        for unit in my_units.only("pk", "code", "name")
    ]
    return render(
        request,
        "contacts/home.html",
        {"cards": cards, "plan_cards": plan_cards, "today": today},
    )
