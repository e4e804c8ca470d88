"""Scoping of implementation plans (one helper per model, as for contacts).

Who may read or write plans is decided in contacts.access (may_read_plans,
may_write_plans, can_edit_plans); this module only applies it to plan rows,
since contacts does not import plans."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from contacts import access

from .models import ImplementationPlan

AnyUser = access.AnyUser


def plans_for_user(user: AnyUser) -> QuerySet[ImplementationPlan]:
    """Plans on the user's units of clients the user reaches there (need-to-know)."""
    if not access.may_read_plans(user):
        return ImplementationPlan.objects.none()
    return ImplementationPlan.objects.filter(access.reachable_on_unit_q(user))


def get_plan_for_user(user: AnyUser, pk: int) -> ImplementationPlan:
    return get_object_or_404(plans_for_user(user).select_related("client", "unit"), pk=pk)
