"""System checks of the sign-in settings (python manage.py check)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .roles import ROLE_CODES


@register(Tags.security)
def sign_in_settings(app_configs: Any, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    issuer = settings.OIDC_ISSUER
    if issuer and not settings.OIDC_RP_CLIENT_ID:
        problems.append(Error("OIDC_ISSUER is set but OIDC_CLIENT_ID is not.", id="accounts.E001"))
    if not settings.OMSORG_LOCAL_LOGIN and not issuer:
        problems.append(
            Warning(
                "OMSORG_LOCAL_LOGIN=0 without OIDC_ISSUER: only superusers can sign in.",
                id="accounts.W001",
            )
        )
    for group, code in settings.OIDC_ROLE_MAP.items():
        if code not in ROLE_CODES:
            problems.append(
                Error(
                    f"OIDC_ROLE_MAP: {group}={code}: unknown role code; "
                    f"use one of {', '.join(ROLE_CODES)}.",
                    id="accounts.E002",
                )
            )
    return problems
