"""Login hardening: the client's address, the lockout page of django-axes and
the session's idle and absolute timeouts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for logins through a request (the login
    page, the admin). ``authenticate()`` without a request comes from code
    (management commands, tests), not from a visitor, and has nothing to
    throttle: it goes straight to the next backend."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, *args: Any, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)  # type: ignore[no-any-return]


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from: REMOTE_ADDR, or behind a trusted
    reverse proxy the last address it appended to X-Forwarded-For. Used by the
    access log and by django-axes."""
    if settings.OMSORG_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:45]
    address = request.META.get("REMOTE_ADDR") or None
    return address[:45] if address else None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """django-axes: the login page with a Swedish explanation (429)."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60) if settings.AXES_COOLOFF_TIME else 0
    if minutes:
        text = ngettext(
            "För många misslyckade inloggningsförsök. Inloggningen är spärrad i %(n)s minut "
            "för det här användarnamnet från den här datorn. Kontakta en administratör om "
            "du behöver komma in tidigare.",
            "För många misslyckade inloggningsförsök. Inloggningen är spärrad i %(n)s minuter "
            "för det här användarnamnet från den här datorn. Kontakta en administratör om "
            "du behöver komma in tidigare.",
            minutes,
        ) % {"n": minutes}
    else:
        text = _(
            "För många misslyckade inloggningsförsök. Inloggningen är spärrad för det här "
            "användarnamnet från den här datorn tills en administratör häver spärren."
        )
    from accounts.views import login_context

    context = {
        **login_context(request),
        "form": AuthenticationForm(request),
        "locked_out": text,
        "next": request.POST.get("next", "") if request.method == "POST" else "",
    }
    return render(request, "registration/login.html", context, status=429)


# Session keys: [user id, login time] and the time of the last request (seconds).
LOGIN_KEY = "_omsorg_login"
SEEN_KEY = "_omsorg_seen"
# The last-seen time is written at most this often, so that an active user does
# not cost a session write on every request; the idle timeout is this exact.
SEEN_RESOLUTION = 60


def session_started(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """user_logged_in receiver: the session's clock starts at the login."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_KEY] = [user.pk, now]
        request.session[SEEN_KEY] = now


def _expiry(request: HttpRequest, now: float) -> str | None:
    """Why the signed-in user's session is over ("idle", "max"), or None;
    records the request as activity."""
    session = request.session
    login = session.get(LOGIN_KEY)
    if not isinstance(login, list) or len(login) != 2 or login[0] != request.user.pk:
        session[LOGIN_KEY] = [request.user.pk, now]
        session[SEEN_KEY] = now
        return None
    seen = float(session.get(SEEN_KEY) or login[1])
    if now - seen > settings.OMSORG_SESSION_IDLE_MINUTES * 60:
        return "idle"
    if now - float(login[1]) > settings.OMSORG_SESSION_MAX_HOURS * 3600:
        return "max"
    if now - seen >= SEEN_RESOLUTION:
        session[SEEN_KEY] = now
    return None


class SessionTimeoutMiddleware:
    """Ends a session after OMSORG_SESSION_IDLE_MINUTES without a request and
    OMSORG_SESSION_MAX_HOURS after login (SESSION_COOKIE_AGE alone runs from the
    last session write, not from the login), and says so on the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = _expiry(request, time.time())
            if reason is not None:
                return self._expired(request, reason)
        return self.get_response(request)

    def _expired(self, request: HttpRequest, reason: str) -> HttpResponse:
        logout(request)
        if reason == "idle":
            text = _(
                "Du har loggats ut eftersom du inte har använt tjänsten på %(n)s minuter. "
                "Logga in igen."
            ) % {"n": settings.OMSORG_SESSION_IDLE_MINUTES}
        else:
            text = _(
                "Du har loggats ut eftersom du har varit inloggad i %(n)s timmar. Logga in igen."
            ) % {"n": settings.OMSORG_SESSION_MAX_HOURS}
        messages.info(request, text)
        htmx = getattr(request, "htmx", None)
        if htmx:
            # An htmx fragment must not be replaced by the login page: load it whole,
            # and come back to the page (not the fragment) after logging in.
            back = urlsplit(htmx.current_url or "/")
            path = back.path + (f"?{back.query}" if back.query else "")
            login_url = resolve_url(settings.LOGIN_URL)
            return HttpResponseClientRedirect(f"{login_url}?{urlencode({'next': path})}")
        return redirect_to_login(request.get_full_path())


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """settings.PERMISSIONS_POLICY as a header value: {"camera": []} ->
    "camera=()", {"fullscreen": ["self"]} -> "fullscreen=(self)"."""
    return ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in sorted(policy.items())
    )


class PermissionsPolicyMiddleware:
    """Sets the Permissions-Policy header (settings.PERMISSIONS_POLICY) on every
    response that has none: the app uses no camera, microphone, location,
    payment or USB, so no page may ask the browser for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response


def identity_provider_origins() -> list[str]:
    """The origins of the identity provider (its issuer and end-session
    endpoint) as configured now."""
    origins = {
        f"{parts.scheme}://{parts.netloc}"
        for parts in map(
            urlsplit,
            [
                getattr(settings, "OIDC_ISSUER", "") or "",
                getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "") or "",
            ],
        )
        if parts.scheme in {"http", "https"} and parts.netloc
    }
    return sorted(origins)


class IdentityProviderFormActionMiddleware:
    """ "Logga ut" is a form whose answer redirects to the identity provider's
    end-session endpoint, and browsers check that redirect against the
    form-action of the page the form is on. settings.CONTENT_SECURITY_POLICY
    names the provider configured at start; this adds the one configured now
    (configuration that changes at run time, as in the sign-in tests). Listed
    after django-csp's middleware, so it runs first on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        configured = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]
        missing = [o for o in identity_provider_origins() if o not in configured]
        if missing:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), *missing]
            response._csp_update = update  # type: ignore[attr-defined]
        return response
