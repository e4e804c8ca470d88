from typing import Any

from django.http import HttpRequest

from . import access


def roles(request: HttpRequest) -> dict[str, Any]:
    """The menu's and pages' flags, decided in contacts.access."""
    if not request.user.is_authenticated:
        return {}
    return access.flags(request.user)
