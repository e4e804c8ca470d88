"""Who may read and write implementation plans (built on contacts.access).

Reading: everyone who may open the client, for plans on their own units.
Writing (create, edit, end): the unit manager (contacts.change_carecontact on
the unit, as for appointing contacts) and the unit's coordinators: the provider routine
says the coordinator draws up the plan with the client at the first meeting.
Care staff and statistics readers read only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from contacts import access
from contacts.models import Unit
from contacts.roles import Role, has_role

from .models import ImplementationPlan

AnyUser = access.AnyUser


def plans_for_user(user: AnyUser) -> QuerySet[ImplementationPlan]:
    return ImplementationPlan.objects.filter(unit__in=access.units_for_user(user))


def get_plan_for_user(user: AnyUser, pk: int) -> ImplementationPlan:
    return get_object_or_404(plans_for_user(user).select_related("client", "unit"), pk=pk)


def may_write_plans(user: AnyUser) -> bool:
    """The role part of can_edit_plans (no unit check), for showing buttons."""
    return bool(
        user.is_authenticated
        and (user.has_perm("contacts.change_carecontact") or has_role(user, Role.COORDINATOR))
    )


def can_edit_plans(user: AnyUser, unit: Unit) -> bool:
    return may_write_plans(user) and access.units_for_user(user).filter(pk=unit.pk).exists()


def require_edit_plans(user: AnyUser, unit: Unit) -> None:
    if not can_edit_plans(user, unit):
        raise PermissionDenied
