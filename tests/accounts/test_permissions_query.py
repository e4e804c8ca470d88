"""accounts.backends.LocalPasswordBackend reads a user's permissions in one
query: the same set as Django's ModelBackend for every kind of user, and a
change of permissions counts from the next request."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import LocalPasswordBackend
from contacts import access
from contacts.roles import Role
from tests.contacts.factories import ServiceFactory, UnitFactory, make_user

pytestmark = pytest.mark.django_db


def fresh(user):  # type: ignore[no-untyped-def]
    """The user as the next request loads it (no permissions kept on it)."""
    return get_user_model().objects.get(pk=user.pk)


def both(user) -> tuple[set[str], set[str]]:  # type: ignore[no-untyped-def]
    return (
        LocalPasswordBackend().get_all_permissions(fresh(user)),
        ModelBackend().get_all_permissions(fresh(user)),
    )


@pytest.mark.parametrize("role", [*Role, None])
def test_each_role_has_the_permissions_django_would_give(role):
    user = make_user("someone", role=role)
    ours, django = both(user)
    assert ours == django
    assert bool(ours) == (role is not None)


def test_own_permissions_and_several_groups_are_combined_without_duplicates():
    user = make_user("mixed", role=Role.UNIT_MANAGER)
    extra = Group.objects.create(name="Nattpatrull")
    extra.permissions.add(Permission.objects.get(codename="view_client"))  # also a manager's
    extra.permissions.add(Permission.objects.get(codename="view_accesslogentry"))
    user.groups.add(extra)
    user.user_permissions.add(Permission.objects.get(codename="add_unit"))
    ours, django = both(user)
    assert ours == django
    assert {"audit.view_accesslogentry", "contacts.add_unit", "contacts.view_client"} <= ours


def test_a_superuser_has_every_permission_and_an_inactive_user_none():
    boss = get_user_model().objects.create_superuser("boss", password="pw")
    ours, django = both(boss)
    every = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    assert ours == django == every
    gone = make_user("gone", role=Role.ADMINISTRATOR)
    gone.is_active = False
    gone.save()
    assert both(gone) == (set(), set())


def test_one_query_however_many_permissions_are_asked():
    user = fresh(make_user("asker", role=Role.UNIT_MANAGER))
    with CaptureQueriesContext(connection) as queries:
        flags = access.flags(user)
    assert len(queries) == 1
    assert flags["can_change_contacts"] and not flags["is_administrator"]


def test_a_permission_taken_away_counts_from_the_next_request(client):
    unit = UnitFactory()
    person = ServiceFactory(unit=unit).client
    group = Group.objects.create(name="Tillfällig")
    group.permissions.add(Permission.objects.get(codename="view_client"))
    user = make_user("temp", role=None, units=[unit])
    user.groups.add(group)
    client.force_login(user)
    record = reverse("client_detail", args=[person.pk])
    assert client.get(record).status_code == 200
    group.permissions.clear()
    # Without the permission the record is not found, as any client out of reach.
    assert client.get(record).status_code == 404
