"""Sign-in and sign-out pages.

/login/ shows the password form (while OMSORG_LOCAL_LOGIN is on) and, when
OpenID Connect is configured, "Logga in med <organisation>". The OIDC views
are mozilla-django-oidc's, with discovery and Swedish messages instead of a
400 page when the provider's answer cannot be trusted. /logout/ also ends the
session at the provider (RP-initiated logout).

The OIDC callback is a GET that writes (the user and their roles, the
session): the authorization-code flow leaves no other way."""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from mozilla_django_oidc import views as oidc_views

from . import oidc
from .backends import local_login_enabled

logger = logging.getLogger(__name__)

# /login/?nodinloggning: the password form while local login is off, for
# superusers only (the backend refuses everyone else).
BREAK_GLASS = "nodinloggning"


def login_context(request: HttpRequest) -> dict[str, Any]:
    """What the login page shows besides the form: the OIDC button, and the
    password form while local login is on (or for break-glass)."""
    local = local_login_enabled()
    break_glass = not local and (BREAK_GLASS in request.GET or request.method == "POST")
    return {
        "oidc_enabled": oidc.enabled(),
        "organisation": oidc.organisation_name(),
        "show_password_form": local or break_glass,
        "break_glass": break_glass,
    }


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponseBase:
    view = auth_views.LoginView.as_view(
        redirect_authenticated_user=True, extra_context=login_context(request)
    )
    return view(request)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out here and, after an OIDC sign-in, at the provider too."""
    target = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if id_token and oidc.enabled():
        target = oidc.end_session_url(request, id_token) or target
    auth.logout(request)
    messages.info(request, _("Du är utloggad."))
    return HttpResponseRedirect(target)


def _refuse(request: HttpRequest, message: str) -> HttpResponse:
    if request.user.is_authenticated:
        auth.logout(request)
    messages.error(request, message)
    return HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL_FAILURE))


class AuthenticationRequestView(oidc_views.OIDCAuthenticationRequestView):
    """Redirects to the provider (state, nonce and PKCE code challenge in the
    session)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The endpoint is looked up in get(), where a failure can be shown.
        super(oidc_views.OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc.get_oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if not oidc.enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc.get_oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except oidc.ProviderUnavailable as exc:
            logger.error("OIDC sign-in: %s", exc)
            return _refuse(request, _unavailable())
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        response: HttpResponse = super().get(request)
        return response


class AuthenticationCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The provider's answer: checked (state, iss, then the code exchanged
    with the PKCE verifier and the ID token verified), then signed in."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc.get_oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if not oidc.enabled():
            raise Http404
        if request.GET.get("error"):
            logger.info(
                "OIDC sign-in ended by the provider: %s %s",
                request.GET.get("error"),
                request.GET.get("error_description", ""),
            )
            super().get(request)  # forgets the state
            return _refuse(request, _("Inloggningen avbröts. Försök igen."))
        if not request.GET.get("code") or not request.GET.get("state"):
            return _refuse(request, _("Inloggningen kunde inte slutföras. Försök igen."))
        try:
            # RFC 9207: a provider that names itself in the answer must be ours
            # (another provider's answer, sent to this callback, is refused
            # before its code is used).
            issuer = request.GET.get("iss")
            if issuer is not None and issuer != oidc.issuer_of_tokens():
                raise SuspiciousOperation(f"authorization response from the issuer {issuer!r}")
            response: HttpResponse = super().get(request)
        except oidc.SignInRefused as exc:
            logger.info("OIDC sign-in refused: %s", exc)
            return _refuse(request, str(exc))
        except SuspiciousOperation as exc:
            logger.warning("OIDC sign-in rejected: %s", exc)
            return _refuse(
                request, _("Inloggningen kunde inte verifieras och avbröts. Försök igen.")
            )
        except (requests.RequestException, oidc.ProviderUnavailable) as exc:
            logger.error("OIDC sign-in failed: %s", exc)
            return _refuse(request, _unavailable())
        if not request.user.is_authenticated:
            return _refuse(request, _("Inloggningen kunde inte slutföras. Försök igen."))
        return response


def _unavailable() -> str:
    return _("Inloggning med %(organisation)s fungerar inte just nu. Försök igen om en stund.") % {
        "organisation": oidc.organisation_name()
    }
