"""Scoping: every query for units, clients, staff and contacts goes through here.

A user sees only the units they belong to (administrators see all). Objects
outside give 404, never a hint that they exist."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Client, Staff, Unit
from .roles import is_administrator

AnyUser = User | AnonymousUser


def units_for_user(user: AnyUser) -> QuerySet[Unit]:
    if not user.is_authenticated:
        return Unit.objects.none()
    if is_administrator(user):
        return Unit.objects.all()
    return Unit.objects.filter(members=user)


def clients_for_user(user: AnyUser) -> QuerySet[Client]:
    """Clients with a service (ongoing or past) on one of the user's units."""
    units = units_for_user(user)
    return Client.objects.filter(services__unit__in=units).distinct()


def staff_for_user(user: AnyUser) -> QuerySet[Staff]:
    units = units_for_user(user)
    return Staff.objects.filter(units__in=units).distinct()


def get_unit_for_user(user: AnyUser, pk: int) -> Unit:
    return get_object_or_404(units_for_user(user), pk=pk)


def get_client_for_user(user: AnyUser, pk: int) -> Client:
    return get_object_or_404(clients_for_user(user), pk=pk)


def get_staff_for_user(user: AnyUser, pk: int) -> Staff:
    return get_object_or_404(staff_for_user(user), pk=pk)


def client_units_for_user(user: AnyUser, client: Client, on: dt.date) -> QuerySet[Unit]:
    """The user's units on which the client has an ongoing service on ``on``."""
    from .models import Service

    return (
        units_for_user(user)
        .filter(services__in=Service.objects.filter(Service.ongoing_q(on), client=client))
        .distinct()
    )


def can_change_contacts(user: AnyUser, unit: Unit) -> bool:
    return bool(
        user.is_authenticated
        and user.has_perm("contacts.change_carecontact")
        and units_for_user(user).filter(pk=unit.pk).exists()
    )


def require_change_contacts(user: AnyUser, unit: Unit) -> None:
    if not can_change_contacts(user, unit):
        raise PermissionDenied
