"""The production setup is secure by default (issue 10, "Headers"; issue 8, "a
newcomer's first ten minutes"): docker-compose.yml turns the HTTPS settings
on unless told otherwise and has no default database password, gunicorn's
workers and timeout are chosen, and the app's health check works."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import reverse

from tests.test_settings import run_manage

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = (ROOT / "docker-compose.yml").read_text()
PRODUCTION = {
    "DJANGO_SECRET_KEY": "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN",
    "DJANGO_ALLOWED_HOSTS": "omsorg.example.org",
}


def service(name: str) -> str:
    """The lines of one service of docker-compose.yml."""
    match = re.search(rf"^  {name}:\n((?:    .*\n|\s*\n)+)", COMPOSE, re.MULTILINE)
    assert match, f"no service {name!r}"
    return match.group(1)


def compose_default(variable: str) -> str | None:
    """The default docker-compose.yml gives ${VARIABLE:-default}; None when
    it has none (``${VARIABLE:?message}`` or no default at all)."""
    match = re.search(rf"\$\{{{variable}:-([^}}]*)\}}", COMPOSE)
    return match.group(1) if match else None


def test_the_deploy_check_fails_when_https_is_turned_off():
    """The counterpart of test_settings' clean deploy check: the check does see
    the HTTPS settings, so turning them off is never silent."""
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_HSTS_SECONDS="0",
        **PRODUCTION,
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr, warning


def test_compose_is_secure_by_default():
    app = service("app")
    assert compose_default("DJANGO_SECURE_COOKIES") == "1"
    assert compose_default("DJANGO_SSL_REDIRECT") == "1"
    assert int(compose_default("DJANGO_HSTS_SECONDS") or 0) >= 365 * 24 * 60 * 60
    assert "DJANGO_DEBUG" not in COMPOSE.replace("# ", "")
    assert "${DJANGO_SECRET_KEY:?" in app


def test_compose_has_no_default_database_password():
    assert compose_default("POSTGRES_PASSWORD") is None
    assert "${POSTGRES_PASSWORD:?" in service("db")
    assert "${POSTGRES_PASSWORD:?" in service("app")


def test_compose_restarts_and_checks_the_health_of_the_app():
    app = service("app")
    assert "restart: unless-stopped" in app
    assert "restart: unless-stopped" in service("db")
    assert 'test: ["CMD", "python", "scripts/healthcheck.py"]' in app
    assert (ROOT / "scripts" / "healthcheck.py").is_file()


def test_the_task_worker_may_finish_its_job_when_stopped():
    """db_worker finishes its job on SIGTERM; Docker kills after 10 s by default."""
    worker = service("worker")
    assert "command: python manage.py db_worker" in worker
    assert re.search(r"stop_grace_period: [1-9]\d*m\n", worker)


def test_gunicorn_workers_and_timeout_are_chosen(monkeypatch):
    for name in ("GUNICORN_WORKERS", "GUNICORN_TIMEOUT", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 3
    assert config["timeout"] == 120
    assert config["graceful_timeout"] == 30
    assert config["bind"] == "0.0.0.0:8000"
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "60")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["workers"], config["timeout"]) == (5, 60)
    # The image starts gunicorn with that file (from the working directory).
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "exec gunicorn omsorg.wsgi:application" in dockerfile
    assert "--workers" not in dockerfile


@pytest.mark.django_db
def test_healthz_needs_no_login_and_checks_the_database(client):
    response = client.get(reverse("healthz"))
    assert (response.status_code, response.content) == (200, b"ok")
    assert "no-cache" in response["Cache-Control"]
    with mock.patch("omsorg.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503


@pytest.mark.django_db(transaction=True)
def test_the_container_health_check_asks_healthz(live_server, monkeypatch):
    """scripts/healthcheck.py, as Docker runs it, against a running app."""
    port = live_server.url.rsplit(":", 1)[1]
    monkeypatch.setenv("PORT", port)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "localhost,omsorg.example.org")
    check = runpy.run_path(str(ROOT / "scripts" / "healthcheck.py"))
    assert check["main"]() == 0
    monkeypatch.setenv("PORT", "9")  # nothing listens there
    assert check["main"]() == 1


def test_form_action_allows_the_identity_providers_logout(monkeypatch):
    """The logout form's answer redirects to the provider's end-session
    endpoint, and browsers check that redirect against form-action."""
    monkeypatch.setenv("DJANGO_SECRET_KEY", PRODUCTION["DJANGO_SECRET_KEY"])
    monkeypatch.setenv("OIDC_ISSUER", "https://login.example.org/realms/ekdala")
    monkeypatch.setenv("OMSORG_CSP_FORM_ACTION", "https://sso.example.org")
    settings = runpy.run_path(str(ROOT / "omsorg" / "settings.py"))
    assert settings["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"] == [
        "'self'",
        "https://login.example.org",
        "https://sso.example.org",
    ]
    monkeypatch.delenv("OIDC_ISSUER")
    monkeypatch.delenv("OMSORG_CSP_FORM_ACTION")
    settings = runpy.run_path(str(ROOT / "omsorg" / "settings.py"))
    assert settings["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"] == ["'self'"]
