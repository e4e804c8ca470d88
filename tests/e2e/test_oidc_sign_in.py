"""Sign-in with OpenID Connect against a real OpenID Provider (the certified
oidc-provider package on 127.0.0.1, tests/accounts/provider.py) in Chromium:
the authorization-code flow with PKCE, roles and units from the claims, a user
whose groups changed, tampered state and nonce, another issuer's answers and
tokens, and sign-out at the provider."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from contacts.roles import Role
from imports.importers import import_csv
from tests.accounts.provider import OpenIDProvider, oidc_settings
from tests.contacts.factories import UnitFactory

pytestmark = pytest.mark.django_db(transaction=True)

User = get_user_model()

ANNA = {
    "given_name": "Anna",
    "family_name": "Ek",
    "email": "anna.ek@ekdala.example.org",
    "groups": ["omsorg-chefer", "alla-anstallda"],
    "omsorg_enheter": ["U1", "U2", "X9"],
}


@pytest.fixture(scope="session")
def provider(live_server, tmp_path_factory):
    op = OpenIDProvider(
        workdir=tmp_path_factory.mktemp("oidc"),
        redirect_uris=[f"{live_server.url}/oidc/callback/"],
        post_logout_redirect_uris=[f"{live_server.url}/login/"],
    ).start()
    yield op
    op.stop()


@pytest.fixture(scope="session")
def other_provider(live_server, tmp_path_factory):
    """Another organisation's provider: its own keys, and an issuer
    (…/annan-organisation) that is not the address it is fetched from."""
    op = OpenIDProvider(
        workdir=tmp_path_factory.mktemp("oidc-other"),
        redirect_uris=[f"{live_server.url}/oidc/callback/"],
        post_logout_redirect_uris=[f"{live_server.url}/login/"],
        issuer="{origin}/annan-organisation",
        name="other",
    ).start()
    yield op
    op.stop()


@pytest.fixture(scope="session")
def quiet_other_provider(live_server, tmp_path_factory):
    """The other provider again, but answering without naming itself (no
    RFC 9207 iss parameter): only the ID token tells where it is from."""
    op = OpenIDProvider(
        workdir=tmp_path_factory.mktemp("oidc-quiet"),
        redirect_uris=[f"{live_server.url}/oidc/callback/"],
        post_logout_redirect_uris=[f"{live_server.url}/login/"],
        issuer="{origin}/annan-organisation",
        name="quiet",
        omit_response_iss=True,
    ).start()
    yield op
    op.stop()


@pytest.fixture
def sso(settings, provider):
    oidc_settings(settings, provider)
    provider.set_accounts({"anna": ANNA})
    return provider


@pytest.fixture
def units(db):
    return [UnitFactory(code=code, name=f"Hemtjänst {code}") for code in ("U1", "U2", "U3")]


@pytest.fixture
def browser_page(page):
    """A fresh browser (no provider session: the page fixture clears cookies);
    nothing leaves 127.0.0.1 (the provider's pages link a web font)."""
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())
    page.set_default_timeout(15_000)
    return page


def start_sign_in(page, live_server, next_path=""):
    page.goto(f"{live_server.url}/login/{next_path}")
    page.get_by_role("link", name="Logga in med Ekdala kommun").click()


def sign_in_at_provider(page, login):
    """The provider's own pages: sign in (any password), then consent when asked."""
    page.get_by_placeholder("Enter any login").fill(login)
    page.get_by_placeholder("and password").fill("vilket-som-helst")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_load_state()
    consent = page.get_by_role("button", name="Continue")
    if consent.count():
        consent.click()


def roles_of(username):
    return sorted(User.objects.get(username=username).groups.values_list("name", flat=True))


def units_of(username):
    return sorted(User.objects.get(username=username).units.values_list("code", flat=True))


def message(page):
    return page.locator(".messages").inner_text()


def test_authorization_code_flow_with_pkce_creates_the_user_with_role_and_units(
    browser_page, live_server, sso, units
):
    page = browser_page
    requests = []
    page.on("request", lambda r: requests.append(r.url) if r.url.startswith(sso.url) else None)

    start_sign_in(page, live_server, "?next=/mina-brukare/")
    sign_in_at_provider(page, "anna")
    page.wait_for_url(f"{live_server.url}/mina-brukare/")
    assert page.locator(".who").inner_text() == "Anna Ek"

    # The authorization request: code flow, PKCE (S256), state and nonce.
    auth = next(url for url in requests if urlsplit(url).path == "/auth")
    query = parse_qs(urlsplit(auth).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == [f"{live_server.url}/oidc/callback/"]
    assert set(query["scope"][0].split()) == {"openid", "profile", "email", "groups"}

    anna = User.objects.get(username="anna")
    assert (anna.first_name, anna.last_name, anna.email) == ("Anna", "Ek", ANNA["email"])
    assert not anna.has_usable_password()
    # omsorg-chefer -> unit manager; the other group is no role; X9 is no unit.
    assert roles_of("anna") == [Role.UNIT_MANAGER]
    assert units_of("anna") == ["U1", "U2"]
    # The unit manager's pages open.
    page.goto(f"{live_server.url}/rapporter/kkik/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Personalkontinuitet")


def test_signing_out_ends_the_session_at_the_provider_too(browser_page, live_server, sso, units):
    page = browser_page
    start_sign_in(page, live_server)
    sign_in_at_provider(page, "anna")
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("button", name="Logga ut").click()
    # RP-initiated logout: the provider's end-session endpoint, with the ID
    # token as hint and our login page to come back to.
    page.wait_for_url(re.compile(re.escape(sso.url) + r"/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/login/")
    assert "Du är utloggad." in message(page)

    # Signed out here ...
    page.goto(f"{live_server.url}/mina-brukare/")
    assert urlsplit(page.url).path == "/login/"
    # ... and at the provider: signing in again asks for the password again.
    page.get_by_role("link", name="Logga in med Ekdala kommun").click()
    expect(page.get_by_placeholder("Enter any login")).to_be_visible()


def test_the_end_session_request_carries_the_id_token_hint(browser_page, live_server, sso, units):
    page = browser_page
    start_sign_in(page, live_server)
    sign_in_at_provider(page, "anna")
    page.wait_for_url(f"{live_server.url}/")
    with page.expect_request(re.compile(re.escape(sso.url) + r"/session/end")) as request:
        page.get_by_role("button", name="Logga ut").click()
    query = parse_qs(urlsplit(request.value.url).query)
    assert query["post_logout_redirect_uri"] == [f"{live_server.url}/login/"]
    assert query["client_id"] == ["omsorgskontakt"]
    assert query["id_token_hint"][0].count(".") == 2  # a JWT


def test_a_user_whose_groups_changed_gets_the_new_role_and_units_only(
    browser_page, live_server, sso, units
):
    page = browser_page
    start_sign_in(page, live_server)
    sign_in_at_provider(page, "anna")
    page.wait_for_url(f"{live_server.url}/")
    assert roles_of("anna") == [Role.UNIT_MANAGER]

    # Moved in the organisation's directory: now care staff on U3.
    sso.set_accounts({"anna": {**ANNA, "groups": ["omsorg-personal"], "omsorg_enheter": ["U3"]}})
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/login/")
    start_sign_in(page, live_server)
    sign_in_at_provider(page, "anna")
    page.wait_for_url(f"{live_server.url}/")

    assert roles_of("anna") == [Role.CARE_STAFF]
    assert units_of("anna") == ["U3"]
    assert User.objects.count() == 1
    response = page.goto(f"{live_server.url}/rapporter/kkik/")
    assert response.status == 403

    # Out of every mapped group: the role is taken away and so is the way in.
    sso.set_accounts({"anna": {**ANNA, "groups": ["alla-anstallda"]}})
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/login/")
    start_sign_in(page, live_server)
    sign_in_at_provider(page, "anna")
    page.wait_for_url(f"{live_server.url}/login/")
    assert "Du har ingen roll i Omsorgskontakt" in message(page)
    assert roles_of("anna") == []


def test_a_user_deactivated_by_the_import_cannot_sign_in(browser_page, live_server, sso, units):
    result = import_csv(
        "users",
        "username;first_name;last_name;role;units;active\nanna;Anna;Ek;unit_manager;U1;nej\n",
    )
    assert result.ok, result.errors
    page = browser_page
    start_sign_in(page, live_server)
    sign_in_at_provider(page, "anna")
    page.wait_for_url(f"{live_server.url}/login/")
    assert "Ditt konto är avstängt" in message(page)
    anna = User.objects.get(username="anna")
    # Refused before anything was written: still deactivated, still U1 only.
    assert not anna.is_active
    assert units_of("anna") == ["U1"]


def tamper_authorization_request(page, live_server, **params):
    """Change parameters of the authorization request our app sends. It is a
    redirect (which page.route cannot see), so our /oidc/authenticate/
    answer is fetched here and its Location rewritten."""

    def handle(route):
        response = route.fetch(max_redirects=0)
        parts = urlsplit(response.headers["location"])
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        query.update(params)
        location = urlunsplit(parts._replace(query=urlencode(query)))
        route.fulfill(response=response, headers={**response.headers, "location": location})

    page.route(re.compile(re.escape(live_server.url) + r"/oidc/authenticate/"), handle)


def test_a_state_the_app_did_not_send_is_rejected(browser_page, live_server, sso, units):
    page = browser_page
    tamper_authorization_request(page, live_server, state="x" * 32)
    start_sign_in(page, live_server)
    sign_in_at_provider(page, "anna")
    page.wait_for_url(f"{live_server.url}/login/")
    assert "Inloggningen kunde inte verifieras" in message(page)
    assert not User.objects.exists()


def test_an_id_token_with_another_nonce_is_rejected(browser_page, live_server, sso, units, caplog):
    page = browser_page
    # The provider puts the nonce it was given into the ID token.
    tamper_authorization_request(page, live_server, nonce="n" * 32)
    with caplog.at_level(logging.WARNING, logger="accounts.views"):
        start_sign_in(page, live_server)
        sign_in_at_provider(page, "anna")
        page.wait_for_url(f"{live_server.url}/login/")
    assert "Inloggningen kunde inte verifieras" in message(page)
    assert "Nonce verification failed" in caplog.text
    assert not User.objects.exists()


def test_the_provider_refuses_a_sign_in_without_pkce(
    browser_page, live_server, sso, units, settings
):
    """The provider really requires PKCE, so the flow above proves ours works."""
    settings.OIDC_USE_PKCE = False
    page = browser_page
    start_sign_in(page, live_server)
    page.wait_for_url(f"{live_server.url}/login/")
    assert "Inloggningen avbröts" in message(page)
    assert not User.objects.exists()


def _point_endpoints_at(settings, op):
    """The configured issuer stays ours; the endpoints are another provider's."""
    for name, path in {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "/auth",
        "OIDC_OP_TOKEN_ENDPOINT": "/token",
        "OIDC_OP_USER_ENDPOINT": "/me",
        "OIDC_OP_JWKS_ENDPOINT": "/jwks",
    }.items():
        setattr(settings, name, op.url + path)


def test_an_answer_from_another_issuer_is_rejected_before_its_code_is_used(
    browser_page, live_server, sso, other_provider, units, settings, caplog
):
    _point_endpoints_at(settings, other_provider)
    other_provider.set_accounts({"anna": ANNA})
    page = browser_page
    with caplog.at_level(logging.WARNING, logger="accounts.views"):
        start_sign_in(page, live_server)
        sign_in_at_provider(page, "anna")
        page.wait_for_url(f"{live_server.url}/login/")
    assert "Inloggningen kunde inte verifieras" in message(page)
    assert "authorization response from the issuer" in caplog.text
    assert not User.objects.exists()


def test_an_id_token_from_another_issuer_is_rejected(
    browser_page, live_server, sso, quiet_other_provider, units, settings, caplog
):
    """Even when the answer does not name its issuer, the ID token does: a
    valid token, signed with the other provider's keys, is still refused."""
    other_provider = quiet_other_provider
    _point_endpoints_at(settings, other_provider)
    other_provider.set_accounts({"anna": ANNA})
    page = browser_page
    with caplog.at_level(logging.WARNING, logger="accounts.views"):
        start_sign_in(page, live_server)
        sign_in_at_provider(page, "anna")
        page.wait_for_url(f"{live_server.url}/login/")
    assert "Inloggningen kunde inte verifieras" in message(page)
    assert f"ID token from the issuer '{other_provider.url}/annan-organisation'" in caplog.text
    assert not User.objects.exists()


def test_a_discovery_document_naming_another_issuer_is_not_trusted(
    browser_page, live_server, other_provider, units, settings
):
    oidc_settings(settings, other_provider)
    settings.OIDC_ISSUER = other_provider.url  # it says …/annan-organisation
    page = browser_page
    start_sign_in(page, live_server)
    page.wait_for_url(f"{live_server.url}/login/")
    assert "Inloggning med Ekdala kommun fungerar inte just nu" in message(page)


def test_the_login_page_offers_the_organisation_and_fits_a_phone(
    phone_page, live_server, sso, settings
):
    settings.OMSORG_LOCAL_LOGIN = False
    phone_page.goto(f"{live_server.url}/login/")
    assert phone_page.get_by_role("link", name="Logga in med Ekdala kommun").is_visible()
    assert phone_page.get_by_label("Lösenord").count() == 0
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.screenshot(path="tmp/login-sso-phone.png", full_page=True)
    # Keyboard: the sign-in link is reached and shows focus.
    for _ in range(6):
        phone_page.keyboard.press("Tab")
        if phone_page.evaluate("document.activeElement.dataset.testid") == "oidc-login":
            break
    assert phone_page.evaluate("document.activeElement.dataset.testid") == "oidc-login"
