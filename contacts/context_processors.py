from typing import Any

from django.http import HttpRequest

from .roles import is_administrator


def roles(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "is_administrator": is_administrator(user),
        "can_change_contacts": user.has_perm("contacts.change_carecontact"),
        "can_view_statistics": user.has_perm("contacts.view_fok_statistics"),
        "can_view_reports": user.has_perm("contacts.view_continuity_reports"),
        "can_import": user.has_perm("contacts.import_data"),
    }
