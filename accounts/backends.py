"""Password sign-in: Django's ModelBackend with one switch.

OMSORG_LOCAL_LOGIN=0 (the organisation signs in with OpenID Connect) refuses
every password except a superuser's: the break-glass account for when the
identity provider is down. The rule is here, not in the login view, so it
holds for every password form (/login/, /admin/login/) and for sessions that
were opened with a password before the switch was turned off."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def local_login_enabled() -> bool:
    return bool(getattr(settings, "OMSORG_LOCAL_LOGIN", True))


class LocalPasswordBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        # ModelBackend: inactive (deactivated) users are refused.
        if not super().user_can_authenticate(user):
            return False
        return local_login_enabled() or bool(getattr(user, "is_superuser", False))
