"""Password sign-in with OMSORG_LOCAL_LOGIN, the login page, sign-out, and
what the OIDC claims make of a user (without a provider: the flow itself is
tested against a real one in tests/e2e/test_oidc_sign_in.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts import oidc
from accounts.services import KEEP
from contacts.roles import Role
from tests.contacts.factories import UnitFactory, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def with_oidc(settings):
    settings.OIDC_ISSUER = "https://login.ekdala.example.org"
    settings.OIDC_RP_CLIENT_ID = "omsorg"
    settings.OIDC_ORGANISATION = "Ekdala kommun"
    settings.OIDC_ROLE_MAP = {"chefer": "unit_manager", "personal": "care_staff"}
    settings.OIDC_CLAIM_UNITS = "enheter"
    return settings


# --- password sign-in --------------------------------------------------------------------


def test_the_password_form_is_there_by_default_without_an_sso_button(client):
    page = client.get("/login/").content.decode()
    assert 'name="password"' in page
    assert "Logga in med" not in page
    make_user("anna", units=[])
    response = client.post("/login/", {"username": "anna", "password": "pw"})
    assert response.status_code == 302


def test_with_oidc_the_page_offers_the_organisation_and_keeps_the_next_page(client, with_oidc):
    page = client.get("/login/?next=/mina-brukare/").content.decode()
    assert "Logga in med Ekdala kommun" in page
    assert 'href="/oidc/authenticate/?next=/mina-brukare/"' in page
    assert 'name="password"' in page


def test_local_login_off_removes_the_form_and_refuses_every_password_but_a_superusers(
    client, with_oidc
):
    with_oidc.OMSORG_LOCAL_LOGIN = False
    page = client.get("/login/").content.decode()
    assert 'name="password"' not in page
    assert "Logga in med Ekdala kommun" in page

    make_user("chef", role=Role.UNIT_MANAGER)
    refused = client.post("/login/", {"username": "chef", "password": "pw"})
    assert refused.status_code == 200
    assert "Fel användarnamn eller lösenord" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Nor through the admin's password form.
    client.post("/admin/login/", {"username": "chef", "password": "pw"})
    assert "_auth_user_id" not in client.session

    # Break-glass: a superuser, on the page that says what it is for.
    User.objects.create_superuser("root", password="nod-lösenord-123")
    page = client.get("/login/?nodinloggning").content.decode()
    assert "Nödinloggning" in page and 'name="password"' in page
    allowed = client.post("/login/", {"username": "root", "password": "nod-lösenord-123"})
    assert allowed.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="root").pk)


def test_turning_local_login_off_ends_open_password_sessions(client, settings):
    make_user("chef", role=Role.UNIT_MANAGER)
    assert client.login(username="chef", password="pw")
    assert client.get("/").status_code == 200
    settings.OMSORG_LOCAL_LOGIN = False
    assert client.get("/").status_code == 302


def test_without_oidc_the_sso_views_do_not_exist(client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_a_callback_without_a_sign_in_under_way_is_refused_with_a_message(client, with_oidc):
    response = client.get("/oidc/callback/?code=abc&state=def", follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert "Inloggningen kunde inte" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unreachable_provider_gives_a_message_not_an_error(client, with_oidc):
    with_oidc.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens on the discard port
    with_oidc.OIDC_TIMEOUT = 2
    oidc.clear_metadata_cache()
    response = client.get("/oidc/authenticate/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert "Inloggning med Ekdala kommun fungerar inte just nu" in response.content.decode()


def test_signing_out_after_a_password_sign_in_stays_here(client):
    make_user("anna")
    client.login(username="anna", password="pw")
    response = client.post("/logout/")
    assert response.headers["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/logout/").status_code == 405


# --- claims ------------------------------------------------------------------------------


def claims(**extra):
    return {
        "sub": "1",
        "preferred_username": "Anna.Ek@ekdala.se",
        "given_name": "Anna",
        "family_name": "Ek",
        "email": "anna.ek@ekdala.se",
        "groups": ["chefer"],
        "enheter": ["U1"],
        **extra,
    }


def test_claims_map_to_names_roles_and_units(with_oidc):
    u1 = UnitFactory(code="U1")
    mapped = oidc.map_claims(claims(groups=["chefer", "personal", "annat"], enheter="U1 U7"))
    assert mapped.username == "Anna.Ek@ekdala.se"
    assert mapped.fields == {
        "first_name": "Anna",
        "last_name": "Ek",
        "email": "anna.ek@ekdala.se",
        "is_staff": False,
    }
    # Both mapped groups give their role; an unknown unit code is ignored.
    assert mapped.roles == {Role.UNIT_MANAGER, Role.CARE_STAFF}
    assert mapped.units == [u1]


def test_a_single_group_may_come_as_a_string_and_a_full_name_alone(with_oidc):
    mapped = oidc.map_claims(
        {"preferred_username": "bo", "name": "Bo Erik Berg", "groups": "personal"}
    )
    assert mapped.roles == {Role.CARE_STAFF}
    assert (mapped.fields["first_name"], mapped.fields["last_name"]) == ("Bo Erik", "Berg")


def test_without_a_role_map_and_units_claim_both_are_left_to_the_import(with_oidc):
    with_oidc.OIDC_ROLE_MAP = {}
    with_oidc.OIDC_CLAIM_UNITS = ""
    mapped = oidc.map_claims(claims())
    assert mapped.roles is KEEP and mapped.units is KEEP
    unit = UnitFactory(code="U1")
    user = make_user("Anna.Ek@ekdala.se", role=Role.COORDINATOR, units=[unit])
    assert oidc.sign_in_user(claims()) == user
    assert list(user.groups.values_list("name", flat=True)) == [Role.COORDINATOR]
    assert list(user.units.all()) == [unit]


def test_sign_in_matches_the_imported_username_without_regard_to_case(with_oidc):
    UnitFactory(code="U1")
    user = make_user("anna.ek@ekdala.se", role=Role.COORDINATOR)
    signed_in = oidc.sign_in_user(claims())
    assert signed_in == user
    assert User.objects.count() == 1
    assert list(user.groups.values_list("name", flat=True)) == [Role.UNIT_MANAGER]


def test_sign_in_refuses_the_deactivated_the_unprovisioned_and_those_without_a_role(
    with_oidc,
):
    user = make_user("anna.ek@ekdala.se", role=Role.COORDINATOR)
    user.is_active = False
    user.save()
    with pytest.raises(oidc.SignInRefused, match="avstängt"):
        oidc.sign_in_user(claims())
    user.refresh_from_db()
    assert not user.is_active  # a sign-in never reactivates

    with pytest.raises(oidc.SignInRefused, match="ingen roll"):
        oidc.sign_in_user(claims(preferred_username="ny", groups=["annat"]))
    assert not User.objects.filter(username="ny").exists()

    with_oidc.OIDC_CREATE_USERS = False
    with pytest.raises(oidc.SignInRefused, match="inget konto"):
        oidc.sign_in_user(claims(preferred_username="ny"))

    with pytest.raises(oidc.SignInRefused, match="användarnamn"):
        oidc.sign_in_user(claims(preferred_username=""))


def test_an_administrator_from_the_claims_may_use_the_admin_and_loses_it_with_the_role(
    with_oidc,
):
    with_oidc.OIDC_ROLE_MAP = {"it": "administrator", "chefer": "unit_manager"}
    user = oidc.sign_in_user(claims(groups=["it"]))
    assert user.is_staff and not user.is_superuser
    user = oidc.sign_in_user(claims(groups=["chefer"]))
    assert not user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == [Role.UNIT_MANAGER]


def test_groups_that_are_no_role_are_kept(with_oidc):
    user = make_user("anna.ek@ekdala.se", role=Role.COORDINATOR)
    user.groups.add(Group.objects.create(name="Nyckelansvariga"))
    oidc.sign_in_user(claims())
    assert sorted(user.groups.values_list("name", flat=True)) == sorted(
        ["Nyckelansvariga", Role.UNIT_MANAGER]
    )


# --- configured from the environment -----------------------------------------------------


def run_shell(code, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "OMSORG_"))}
    clean.update({"DJANGO_DEBUG": "1", **env})
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_everything_is_configured_from_the_environment():
    code = (
        "from django.conf import settings as s; from accounts import oidc;"
        "print(oidc.enabled(), s.OIDC_ISSUER, s.OIDC_RP_CLIENT_ID, s.OIDC_RP_CLIENT_SECRET);"
        "print(s.OIDC_RP_SCOPES, s.OIDC_CLAIM_USERNAME, s.OIDC_CLAIM_GROUPS, s.OIDC_CLAIM_UNITS);"
        "print(sorted(s.OIDC_ROLE_MAP.items()), s.OMSORG_LOCAL_LOGIN, s.OIDC_USE_PKCE)"
    )
    result = run_shell(
        code,
        OIDC_ISSUER="https://login.example.org/tenant/v2.0",
        OIDC_CLIENT_ID="omsorg",
        OIDC_CLIENT_SECRET="hemligt",
        OIDC_SCOPES="openid profile email",
        OIDC_CLAIM_USERNAME="upn",
        OIDC_CLAIM_GROUPS="roles",
        OIDC_CLAIM_UNITS="enheter",
        OIDC_ROLE_MAP="omsorg-chefer=unit_manager, omsorg-personal=care_staff",
        OMSORG_LOCAL_LOGIN="0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "True https://login.example.org/tenant/v2.0 omsorg hemligt",
        "openid profile email upn roles enheter",
        "[('omsorg-chefer', 'unit_manager'), ('omsorg-personal', 'care_staff')] False True",
    ]


def test_a_malformed_role_map_stops_the_start_and_an_unknown_role_fails_the_check():
    malformed = run_shell("from django.conf import settings; settings.DEBUG", OIDC_ROLE_MAP="x")
    assert malformed.returncode != 0
    assert "OIDC_ROLE_MAP: expected NAME=VALUE pairs, got 'x'" in malformed.stderr
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "OMSORG_"))}
    unknown = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "DJANGO_DEBUG": "1", "OIDC_ROLE_MAP": "omsorg-chefer=boss"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert unknown.returncode != 0
    assert "omsorg-chefer=boss: unknown role code" in unknown.stderr
