from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from contacts import access, selectors
from contacts.models import Service


@require_GET
@login_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = access.get_client_for_user(request.user, pk)
    today = timezone.localdate()
    user_units = access.units_for_user(request.user)
    services = list(client.services.select_related("unit").order_by("unit__name", "start"))
    ongoing_unit_ids = {s.unit_id for s in services if s.ongoing_on(today)}
    contacts = {
        cc.unit_id: cc
        for cc in selectors.client_care_contacts(client).select_related(
            "ordinary", "deputy", "created_by__staff", "changed_by__staff"
        )
    }
    my_unit_ids = set(user_units.filter(pk__in=ongoing_unit_ids).values_list("pk", flat=True))
    units = sorted({s.unit for s in services if s.unit_id in ongoing_unit_ids}, key=str)
    fok_rows = [
        {
            "unit": unit,
            "care_contact": contacts.get(unit.pk),
            "mine": unit.pk in my_unit_ids,
        }
        for unit in units
    ]
    return render(
        request,
        "contacts/client_detail.html",
        {
            "client": client,
            "age": client.age_on(today),
            "services": services,
            "fok_rows": fok_rows,
            "relatives": list(client.relatives.all()),
            "today": today,
            "Service": Service,
        },
    )
