"""Logins (issue 10.4): lockout after repeated failures (django-axes), Argon2
with PBKDF2 still accepted and upgraded, and idle and absolute session timeouts."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client as HttpClient
from django.urls import reverse

from contacts.roles import Role
from omsorg.security import LOGIN_KEY, SEEN_KEY
from tests.contacts.factories import make_user

pytestmark = pytest.mark.django_db

LOCKED = "För många misslyckade inloggningsförsök"


def _login(http: HttpClient, username: str, password: str):  # type: ignore[no-untyped-def]
    return http.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def chef(unit):
    return make_user("chef", role=Role.UNIT_MANAGER, units=[unit], password="rätt-lösen")


# --- lockout ------------------------------------------------------------------------------


def test_five_failures_lock_the_user_out_from_that_address_with_a_swedish_message(chef, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    http = HttpClient(REMOTE_ADDR="10.0.0.1")
    for _attempt in range(4):
        response = _login(http, "chef", "fel")
        assert response.status_code == 200
        assert "Fel användarnamn eller lösenord" in response.content.decode()
    fifth = _login(http, "chef", "fel")
    assert fifth.status_code == 429
    html = fifth.content.decode()
    assert LOCKED in html and "30 minuter" in html
    assert 'name="username"' in html  # still the login page
    # Even the right password is refused while locked out.
    right = _login(http, "chef", "rätt-lösen")
    assert right.status_code == 429
    assert "_auth_user_id" not in http.session


def test_the_lockout_is_per_user_and_address(chef, unit):
    other = make_user("personal", role=Role.CARE_STAFF, units=[unit], password="annat-lösen")
    attacker = HttpClient(REMOTE_ADDR="10.0.0.1")
    for _attempt in range(5):
        _login(attacker, "chef", "fel")
    assert _login(attacker, "chef", "rätt-lösen").status_code == 429
    # Another user from the same address, and the same user from another address.
    assert (
        _login(HttpClient(REMOTE_ADDR="10.0.0.1"), other.username, "annat-lösen").status_code == 302
    )
    assert _login(HttpClient(REMOTE_ADDR="10.0.0.2"), "chef", "rätt-lösen").status_code == 302


def test_four_failures_then_the_right_password_logs_in_and_resets_the_count(chef):
    http = HttpClient(REMOTE_ADDR="10.0.0.3")
    for _attempt in range(4):
        _login(http, "chef", "fel")
    assert _login(http, "chef", "rätt-lösen").status_code == 302
    assert not AccessAttempt.objects.filter(username="chef", failures_since_start__gt=0).exists()


def test_an_administrator_unlocks_in_the_admin(chef):
    for _attempt in range(5):
        _login(HttpClient(REMOTE_ADDR="10.0.0.4"), "chef", "fel")
    attempt = AccessAttempt.objects.get(username="chef")
    admin = make_user("admin", role=Role.ADMINISTRATOR)
    admin.is_staff = True
    admin.save()
    http = HttpClient()
    http.force_login(admin)
    listing = http.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "chef" in listing.content.decode()
    response = http.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert _login(HttpClient(REMOTE_ADDR="10.0.0.4"), "chef", "rätt-lösen").status_code == 302


def test_a_unit_manager_cannot_unlock(chef, unit):
    other = make_user("chef2", role=Role.UNIT_MANAGER, units=[unit])
    other.is_staff = True
    other.save()
    http = HttpClient()
    http.force_login(other)
    assert http.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


# --- password hashing ---------------------------------------------------------------------


@pytest.mark.production_hashers
def test_new_passwords_are_hashed_with_argon2(unit):
    user = make_user("ny", role=Role.CARE_STAFF, units=[unit], password="ett-lösen")
    assert user.password.startswith("argon2$")


@pytest.mark.production_hashers
def test_an_old_pbkdf2_hash_is_accepted_and_upgraded_at_login(unit):
    user = make_user("gammal", role=Role.CARE_STAFF, units=[unit], password=None)
    get_user_model().objects.filter(pk=user.pk).update(
        password=make_password("gammalt-lösen", hasher="pbkdf2_sha256")
    )
    assert _login(HttpClient(), "gammal", "gammalt-lösen").status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert _login(HttpClient(), "gammal", "gammalt-lösen").status_code == 302


# --- session timeouts ---------------------------------------------------------------------


def _signed_in(user) -> HttpClient:  # type: ignore[no-untyped-def]
    http = HttpClient()
    assert _login(http, user.username, "rätt-lösen").status_code == 302
    return http


def _shift(http: HttpClient, *, seen: float | None = None, login: float | None = None) -> None:
    session = http.session
    if seen is not None:
        session[SEEN_KEY] = time.time() - seen
    if login is not None:
        session[LOGIN_KEY] = [session[LOGIN_KEY][0], time.time() - login]
    session.save()


def test_29_minutes_idle_keeps_the_session(chef, settings):
    settings.OMSORG_SESSION_IDLE_MINUTES = 30
    http = _signed_in(chef)
    _shift(http, seen=29 * 60)
    assert http.get(reverse("home")).status_code == 200


def test_31_minutes_idle_ends_the_session_with_a_swedish_message(chef, settings):
    settings.OMSORG_SESSION_IDLE_MINUTES = 30
    http = _signed_in(chef)
    _shift(http, seen=31 * 60)
    response = http.get(reverse("my_clients"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('my_clients')}"
    page = http.get(response.url).content.decode()
    assert "inte har använt tjänsten på 30 minuter" in page
    assert "_auth_user_id" not in http.session
    # Logged out for real: the next page asks for a login again.
    assert http.get(reverse("home")).status_code == 302


def test_activity_keeps_the_session_alive_until_the_absolute_limit(chef, settings):
    settings.OMSORG_SESSION_IDLE_MINUTES = 30
    settings.OMSORG_SESSION_MAX_HOURS = 8
    http = _signed_in(chef)
    _shift(http, seen=5 * 60, login=7 * 3600 + 59 * 60)
    assert http.get(reverse("home")).status_code == 200
    _shift(http, seen=60, login=8 * 3600 + 60)
    response = http.get(reverse("home"), follow=True)
    assert "har varit inloggad i 8 timmar" in response.content.decode()


def test_an_expired_htmx_request_reloads_the_whole_login_page(chef):
    http = _signed_in(chef)
    _shift(http, seen=31 * 60)
    response = http.get(
        reverse("my_clients"),
        {"q": "x"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/mina-brukare/?q=x"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=%2Fmina-brukare%2F%3Fq%3Dx"


def test_the_idle_and_absolute_limits_are_configurable(chef, settings):
    settings.OMSORG_SESSION_IDLE_MINUTES = 5
    http = _signed_in(chef)
    _shift(http, seen=6 * 60)
    assert http.get(reverse("home")).status_code == 302


def test_an_active_user_costs_no_session_write_per_request(chef):
    http = _signed_in(chef)
    http.get(reverse("healthz"))
    stamp = http.session[SEEN_KEY]
    http.get(reverse("home"))
    assert http.session[SEEN_KEY] == stamp  # written at most once a minute
    _shift(http, seen=61)
    http.get(reverse("home"))
    assert http.session[SEEN_KEY] > stamp
