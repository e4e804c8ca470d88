"""Password sign-in: Django's ModelBackend with one switch.

OMSORG_LOCAL_LOGIN=0 (the organisation signs in with OpenID Connect) refuses
every password except a superuser's: the break-glass account for when the
identity provider is down. The rule is here, not in the login view, so it
holds for every password form (/login/, /admin/login/) and for sessions that
were opened with a password before the switch was turned off.

It also reads a user's permissions in one query (``get_all_permissions``):
Django's ModelBackend asks two, built by the ORM on every request, and the
menu asks about the permissions on every page."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


def local_login_enabled() -> bool:
    return bool(getattr(settings, "OMSORG_LOCAL_LOGIN", True))


class LocalPasswordBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        # ModelBackend: inactive (deactivated) users are refused.
        if not super().user_can_authenticate(user):
            return False
        return local_login_enabled() or bool(getattr(user, "is_superuser", False))

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """ModelBackend's answer ("app_label.codename" of the user's own and
        their groups' permissions, every permission for a superuser, none for
        an inactive user), kept on the user object for the request as
        ModelBackend keeps it, so the OpenID Connect backend (also a
        ModelBackend) reads the same set."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                if user_obj.is_superuser:
                    cursor.execute(_permissions_sql()["all"])
                else:
                    cursor.execute(_permissions_sql()["user"], [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{app}.{codename}" for app, codename in cursor.fetchall()}
        return user_obj._perm_cache  # type: ignore[no-any-return]


@functools.cache
def _permissions_sql() -> dict[str, str]:
    quote = connection.ops.quote_name
    user_model = get_user_model()
    permissions = quote(Permission._meta.db_table)
    content_types = quote(ContentType._meta.db_table)
    user_permissions = quote(user_model.user_permissions.through._meta.db_table)
    user_groups = quote(user_model.groups.through._meta.db_table)
    group_permissions = quote(Group.permissions.through._meta.db_table)
    every = (
        f"SELECT ct.app_label, p.codename FROM {permissions} p "
        f"JOIN {content_types} ct ON ct.id = p.content_type_id"
    )
    own = (
        f"{every} WHERE p.id IN ("
        f"SELECT up.permission_id FROM {user_permissions} up WHERE up.user_id = %s "
        f"UNION SELECT gp.permission_id FROM {group_permissions} gp "
        f"JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s)"
    )
    return {"all": every, "user": own}
