import os
from pathlib import Path

import pytest
from django.db import connection

from contacts.roles import Role
from tests.contacts.factories import ServiceFactory, StaffFactory, UnitFactory, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The SQLite test database is a file in the project's tmp/ (see settings).
(Path(__file__).resolve().parents[1] / "tmp").mkdir(exist_ok=True)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "postgres_only(reason): the test needs PostgreSQL itself (say why); "
        "skipped when the suite runs on SQLite",
    )


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    for item in items:
        marker = item.get_closest_marker("postgres_only")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {reason}"))


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def database_url() -> str:
    """DATABASE_URL of the test database, for a child process (a management
    command run as from the shell) to see what the test wrote."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    login = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def unit(db):
    return UnitFactory(code="U1", name="Hemtjänst Norr")


@pytest.fixture
def other_unit(db):
    return UnitFactory(code="U2", name="Hemtjänst Söder")


@pytest.fixture
def manager(unit):
    return make_user("chef", role=Role.UNIT_MANAGER, units=[unit])


@pytest.fixture
def carer(unit):
    return make_user("personal", role=Role.CARE_STAFF, units=[unit])


@pytest.fixture
def nurse(unit):
    return StaffFactory(units=[unit])


@pytest.fixture
def client_on_unit(unit):
    return ServiceFactory(unit=unit).client


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        locale="sv-SE", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def login(page, live_server, username, password="pw"):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}/")
