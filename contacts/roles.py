"""Roles (Django groups) and the reference data every installation needs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    UNIT_MANAGER = "Enhetschef", _("Enhetschef")
    STATISTICS = "Statistikläsare", _("Statistikläsare")
    COORDINATOR = "Samordnare", _("Samordnare")
    CARE_STAFF = "Omsorgspersonal", _("Omsorgspersonal")
    ADMINISTRATOR = "Administratör", _("Administratör")


# Permissions per role, as "app_label.codename".
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.UNIT_MANAGER: [
        "contacts.change_carecontact",
        "contacts.view_carecontact",
        "contacts.view_fok_statistics",
        "contacts.view_continuity_reports",
    ],
    Role.STATISTICS: ["contacts.view_carecontact", "contacts.view_fok_statistics"],
    Role.COORDINATOR: ["contacts.view_carecontact", "contacts.view_continuity_reports"],
    Role.CARE_STAFF: ["contacts.view_carecontact"],
    Role.ADMINISTRATOR: [
        "contacts.view_carecontact",
        "contacts.import_data",
        "contacts.view_fok_statistics",
        "contacts.view_continuity_reports",
        "contacts.add_staff",
        "contacts.change_staff",
        "contacts.view_staff",
        "contacts.add_unit",
        "contacts.change_unit",
        "contacts.view_unit",
        "contacts.add_provider",
        "contacts.change_provider",
        "contacts.view_provider",
        "contacts.view_client",
        "contacts.change_client",
        "contacts.add_caretype",
        "contacts.change_caretype",
        "contacts.view_caretype",
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "auth.view_group",
    ],
}

DEFAULT_CARE_TYPES = [
    ("hemtjanst", "Hemtjänst", True),
    ("sarskilt-boende", "Särskilt boende", False),
]


def ensure_reference_data(**kwargs: Any) -> None:
    """Create the role groups and default care types (idempotent; post_migrate)."""
    from .models import CareType

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.add(*wanted)
    for code, name, offers in DEFAULT_CARE_TYPES:
        CareType.objects.get_or_create(
            code=code, defaults={"name": name, "offers_care_contact": offers}
        )


def has_role(user: User | AnonymousUser, role: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.groups.filter(name=role).exists()


def is_administrator(user: User | AnonymousUser) -> bool:
    # Asked several times per page (scoping, menu): remembered on the user
    # object, which lives for one request.
    cached = getattr(user, "_omsorg_is_administrator", None)
    if cached is None:
        cached = bool(
            user.is_authenticated and (user.is_superuser or has_role(user, Role.ADMINISTRATOR))
        )
        if user.is_authenticated:
            user._omsorg_is_administrator = cached  # type: ignore[union-attr,attr-defined]
    return cached
