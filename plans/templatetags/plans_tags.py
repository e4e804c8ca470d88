"""Plan deadlines shown on other apps' pages (the client record) without those
apps importing plans: the page's template loads this library."""

from typing import Any

from django import template
from django.utils import timezone

from contacts import access

from ..selectors import plan_flags_for_client

register = template.Library()


@register.inclusion_tag("plans/_plan_flags.html", takes_context=True)
def client_plan_flags(context: dict[str, Any], client: Any) -> dict[str, Any]:
    request = context["request"]
    if not access.may_read_plans(request.user):
        return {"flags": []}
    units = access.units_for_user(request.user)
    return {"flags": plan_flags_for_client(client, timezone.localdate(), units=units)}
