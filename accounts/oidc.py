"""Sign-in with OpenID Connect (mozilla-django-oidc), configured from the
environment alone (settings: the OIDC block; docs/sso.md).

The provider's endpoints are read from ISSUER/.well-known/openid-configuration
(kept for an hour per process) unless a setting names one. On top of what the
library checks (signature against the provider's keys, expiry, nonce, state,
PKCE) the ID token must come from the configured issuer and be meant for this
client. At every sign-in the user's names, e-mail, roles and units are taken
from the claims (accounts.services); a deactivated user is refused."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from contacts.models import Unit

from . import services
from .roles import ROLE_CODES

logger = logging.getLogger(__name__)

METADATA_TTL = 60 * 60

# Settings of mozilla-django-oidc that may come from the discovery document:
# setting -> key of the document.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}


class ProviderUnavailable(Exception):
    """The provider's discovery document cannot be had or cannot be trusted."""


class SignInRefused(Exception):
    """A valid sign-in of someone who may not use the app; the message is
    Swedish and shown on the login page."""


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def organisation_name() -> str:
    return settings.OIDC_ORGANISATION or _("organisationens konto")


def _same_issuer(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


_cache_lock = threading.Lock()
_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def clear_metadata_cache() -> None:
    with _cache_lock:
        _cache.clear()


def provider_metadata() -> dict[str, Any]:
    """The discovery document of OIDC_ISSUER, checked to name that issuer."""
    issuer = settings.OIDC_ISSUER
    with _cache_lock:
        cached = _cache.get(issuer)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{url}: {exc}") from exc
    if not isinstance(document, dict) or not _same_issuer(str(document.get("issuer")), issuer):
        # OpenID Connect Discovery 1.0, section 4.3: the document must name the
        # issuer it was fetched for, or a provider could speak for another.
        raise ProviderUnavailable(
            f"{url} names the issuer {document.get('issuer')!r}, not {issuer!r}"
            if isinstance(document, dict)
            else f"{url}: not a JSON object"
        )
    with _cache_lock:
        _cache[issuer] = (time.monotonic() + METADATA_TTL, document)
    return document


def issuer_of_tokens() -> str:
    """The iss the ID tokens must carry: the discovery document's spelling
    (trailing slash included) when there is one, else the setting."""
    try:
        return str(provider_metadata()["issuer"])
    except ProviderUnavailable:
        if all(getattr(settings, name) for name in DISCOVERED if name != "OIDC_OP_LOGOUT_ENDPOINT"):
            return settings.OIDC_ISSUER
        raise


def get_oidc_setting(attr: str, *args: Any) -> Any:
    """A mozilla-django-oidc setting; endpoints not set come from discovery."""
    if attr in DISCOVERED:
        explicit = getattr(settings, attr, "")
        if explicit:
            return explicit
        try:
            return provider_metadata().get(DISCOVERED[attr]) or (args[0] if args else None)
        except ProviderUnavailable:
            if args:
                return args[0]
            raise
    if args:
        return getattr(settings, attr, args[0])
    return getattr(settings, attr)


# --- claims ------------------------------------------------------------------------------


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        # A single group as a string; unit codes may come space- or comma-separated.
        return [part for part in value.replace(",", " ").split() if part]
    if isinstance(value, list | tuple):
        return [str(part) for part in value if str(part).strip()]
    return [str(value)]


@dataclass
class MappedClaims:
    username: str
    fields: dict[str, Any]
    roles: Any  # set of Role values, or services.KEEP
    units: Any  # list of Unit, or services.KEEP


def map_claims(claims: dict[str, Any]) -> MappedClaims:
    """What the claims say about the user, by the configured claim names."""
    username = str(claims.get(settings.OIDC_CLAIM_USERNAME) or "").strip()
    fields: dict[str, Any] = {}
    first = claims.get(settings.OIDC_CLAIM_FIRST_NAME)
    last = claims.get(settings.OIDC_CLAIM_LAST_NAME)
    if first is None and last is None and claims.get("name"):
        # Only a full name: everything before the last word is the first name.
        first, _sep, last = str(claims["name"]).strip().rpartition(" ")
    if first is not None:
        fields["first_name"] = str(first)[:150]
    if last is not None:
        fields["last_name"] = str(last)[:150]
    email = claims.get(settings.OIDC_CLAIM_EMAIL)
    if email is not None:
        fields["email"] = str(email)[:254]

    roles: Any = services.KEEP
    if settings.OIDC_ROLE_MAP:
        groups = set(_as_list(claims.get(settings.OIDC_CLAIM_GROUPS)))
        roles = set()
        for group, code in settings.OIDC_ROLE_MAP.items():
            if group in groups:
                if code in ROLE_CODES:
                    roles.add(ROLE_CODES[code].value)
                else:
                    logger.error("OIDC_ROLE_MAP: unknown role code %r for %r", code, group)
        fields["is_staff"] = ROLE_CODES["administrator"].value in roles

    units: Any = services.KEEP
    if settings.OIDC_CLAIM_UNITS:
        codes = _as_list(claims.get(settings.OIDC_CLAIM_UNITS))
        units = list(Unit.objects.filter(code__in=codes).order_by("code"))
        unknown = set(codes) - {unit.code for unit in units}
        if unknown:
            logger.warning("OIDC sign-in of %s: unknown unit codes %s", username, sorted(unknown))
    return MappedClaims(username=username, fields=fields, roles=roles, units=units)


def sign_in_user(claims: dict[str, Any]) -> Any:
    """Create or update the user the claims describe; SignInRefused if they
    may not sign in (deactivated, no role, not provisioned)."""
    mapped = map_claims(claims)
    if not mapped.username:
        raise SignInRefused(
            _("Inloggningen saknar användarnamn (”%(claim)s”). Kontakta IT-avdelningen.")
            % {"claim": settings.OIDC_CLAIM_USERNAME}
        )
    existing = services.users_by_username([mapped.username])
    user = existing.get(services.username_key(mapped.username))
    if user is not None and not user.is_active:
        raise SignInRefused(_("Ditt konto är avstängt i Omsorgskontakt."))
    if user is None and not settings.OIDC_CREATE_USERS:
        raise SignInRefused(
            _("Du har inget konto i Omsorgskontakt. Kontakta den som administrerar systemet.")
        )
    if user is None and mapped.roles is not services.KEEP and not mapped.roles:
        raise SignInRefused(
            _("Du har ingen roll i Omsorgskontakt. Kontakta den som administrerar systemet.")
        )
    if user is not None and user.is_superuser:
        # Never taken away by a sign-in.
        mapped.fields.pop("is_staff", None)
    item = services.UserData(
        username=user.username if user is not None else mapped.username,
        fields=mapped.fields if user is not None else {"is_active": True, **mapped.fields},
        roles=mapped.roles,
        units=mapped.units,
    )
    result = services.users_bulk_upsert(items=[item])
    user = result.users[item.username]
    if mapped.roles is not services.KEEP and not mapped.roles and not user.is_superuser:
        # The provider no longer gives this person a role: the old one is gone
        # (above) and so is the way in.
        raise SignInRefused(
            _("Du har ingen roll i Omsorgskontakt. Kontakta den som administrerar systemet.")
        )
    return user


# --- the backend -------------------------------------------------------------------------


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with endpoints from discovery, the issuer
    and audience checked, and users kept in step with their claims."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes a backend for every sign-in and every request of a
        # signed-in user: settings and endpoints are read when needed, not here.
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return get_oidc_setting(attr, *args)

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802  (the library's attribute names)
        return get_oidc_setting("OIDC_OP_TOKEN_ENDPOINT")

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str | None:  # noqa: N802
        return get_oidc_setting("OIDC_OP_USER_ENDPOINT", None)

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return get_oidc_setting("OIDC_OP_JWKS_ENDPOINT")

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:  # noqa: N802
        return settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:  # noqa: N802
        return settings.OIDC_RP_CLIENT_SECRET

    @property
    def OIDC_RP_SIGN_ALGO(self) -> str:  # noqa: N802
        return settings.OIDC_RP_SIGN_ALGO

    @property
    def OIDC_RP_IDP_SIGN_KEY(self) -> None:  # noqa: N802
        return None

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        # Only the callback view passes a nonce; a password sign-in (username,
        # password) must never reach the provider.
        if not enabled() or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        # Signature (the provider's keys), expiry and nonce: the library.
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        issuer = issuer_of_tokens()
        if payload.get("iss") != issuer:
            raise SuspiciousOperation(
                f"ID token from the issuer {payload.get('iss')!r}, expected {issuer!r}"
            )
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation(f"ID token for the audience {audience!r}")
        if len(audiences) > 1 and payload.get("azp") != settings.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation(f"ID token authorised for {payload.get('azp')!r}")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The ID token's claims, completed by the userinfo endpoint where
        there is one (it must describe the same subject)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo describes another subject")
            claims.update(info)
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        return sign_in_user(claims)

    def get_user(self, user_id: int) -> Any:
        # The library's get_user would keep a deactivated user signed in.
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def end_session_url(request: Any, id_token: str) -> str | None:
    """RP-initiated logout at the provider, or None when it has none."""
    from urllib.parse import urlencode

    from django.urls import reverse

    try:
        endpoint = get_oidc_setting("OIDC_OP_LOGOUT_ENDPOINT", None)
    except ProviderUnavailable:
        logger.warning("OIDC sign-out: the provider's discovery document is unavailable")
        return None
    if not endpoint:
        return None
    back = settings.OIDC_POST_LOGOUT_REDIRECT_URL or request.build_absolute_uri(reverse("login"))
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": back,
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
