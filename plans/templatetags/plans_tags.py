"""Plan deadlines shown on other apps' pages (the client record) without those
apps importing plans: the page's template loads this library."""

from typing import Any

from django import template
from django.utils import timezone

from contacts import access

from ..selectors import plan_flags_for_client, plan_flags_for_services

register = template.Library()


@register.inclusion_tag("plans/_plan_flags.html", takes_context=True)
def client_plan_flags(context: dict[str, Any], client: Any, record: Any = None) -> dict[str, Any]:
    """The client's plan deadlines on the viewer's units. ``record``: the
    page's contacts.reading.ClientRecord, whose services (and the viewer's
    units among the ongoing ones) are then not read again."""
    request = context["request"]
    if not access.may_read_plans(request.user):
        return {"flags": []}
    today = timezone.localdate()
    if record is not None:
        mine = [uc.unit.pk for uc in record.my_contacts]
        return {"flags": plan_flags_for_services(client, record.services, mine, today)}
    units = access.units_for_user(request.user)
    return {"flags": plan_flags_for_client(client, today, units=units)}
