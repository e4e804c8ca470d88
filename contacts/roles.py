"""Roles (Django groups) and the reference data every installation needs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    UNIT_MANAGER = "Enhetschef", _("Enhetschef")
    STATISTICS = "Statistikläsare", _("Statistikläsare")
    COORDINATOR = "Samordnare", _("Samordnare")
    CARE_STAFF = "Omsorgspersonal", _("Omsorgspersonal")
    ADMINISTRATOR = "Administratör", _("Administratör")


# What each role may do, as "app_label.codename". Every decision in
# contacts.access asks for one of these permissions, never for a group name, so
# a group renamed in the admin keeps its powers; these lists only seed the
# groups (ensure_reference_data adds what is missing, after every migrate).
_READ_RECORDS = [
    "contacts.view_client",  # the client record and its tabs, letters
    "contacts.view_relative",  # the "Närstående" tab
    "contacts.view_carecontact",
    "contacts.view_carecontactchange",  # the history of the user's own units
    "journal.view_journalnote",
    "plans.view_implementationplan",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.UNIT_MANAGER: [
        *_READ_RECORDS,
        "contacts.change_carecontact",
        "contacts.view_staff",
        "journal.add_journalnote",
        "plans.change_implementationplan",
        "contacts.view_fok_statistics",
        "contacts.view_continuity_reports",
    ],
    # Handbook 1.8 only: the figures and client lists of the FOK statistics.
    Role.STATISTICS: ["contacts.view_fok_statistics"],
    Role.COORDINATOR: [
        *_READ_RECORDS,
        "contacts.view_staff",
        # The provider routine: the coordinator draws up the implementation plan
        # with the client at the first meeting, and documents it.
        "journal.add_journalnote",
        "plans.change_implementationplan",
        "contacts.view_continuity_reports",
    ],
    Role.CARE_STAFF: [*_READ_RECORDS, "journal.add_journalnote"],
    Role.ADMINISTRATOR: [
        *_READ_RECORDS,
        "contacts.view_all_units",
        "contacts.view_staff",
        "contacts.import_data",
        "contacts.view_fok_statistics",
        "contacts.view_continuity_reports",
        "audit.view_accesslogentry",
        "contacts.add_staff",
        "contacts.change_staff",
        "contacts.add_unit",
        "contacts.change_unit",
        "contacts.view_unit",
        "contacts.add_provider",
        "contacts.change_provider",
        "contacts.view_provider",
        "contacts.change_client",
        "contacts.add_caretype",
        "contacts.change_caretype",
        "contacts.view_caretype",
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "auth.view_group",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
    ],
}

DEFAULT_CARE_TYPES = [
    ("hemtjanst", "Hemtjänst", True),
    ("sarskilt-boende", "Särskilt boende", False),
]


def ensure_reference_data(**kwargs: Any) -> None:
    """Create the role groups and default care types (idempotent; post_migrate).

    The roles name permissions of apps migrated after this one (journal, plans,
    audit, axes), so every app's permissions are created first."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .models import CareType

    using = kwargs.get("using", "default")
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
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
