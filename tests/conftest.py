import os
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

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
    config.addinivalue_line(
        "markers",
        "production_hashers: hash passwords with the production hashers (Argon2 first) "
        "instead of the suite's fast one",
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


# Argon2 as configured costs about 100 MB and a noticeable fraction of a second
# per hash, paid on every user a test creates and every login: the suite hashes
# with MD5 instead, except in the tests marked production_hashers, which prove
# that production hashes with Argon2.
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    production = list(settings.PASSWORD_HASHERS)
    settings.PASSWORD_HASHERS = [FAST_HASHER, *production]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()
    yield
    settings.PASSWORD_HASHERS = production
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: reports cached by an earlier
    test (contacts.versions) belong to data that test rolled back."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _production_hashers(request):
    if request.node.get_closest_marker("production_hashers") is None:
        yield
        return
    settings = request.getfixturevalue("settings")
    # Still verifies (and then upgrades) what the fast hasher made before.
    production = [h for h in settings.PASSWORD_HASHERS if h != FAST_HASHER]
    settings.PASSWORD_HASHERS = [*production, FAST_HASHER]
    yield


@pytest.fixture(scope="session", autouse=True)
def _reference_data_restored_after_flush():
    """After a transactional test (the browser tests), Django empties every
    table and then sends post_migrate, whose receivers build the content types,
    permissions, role groups and care types anew: some 270 queries, up to a
    second per test on PostgreSQL. The first flush in a process still does
    exactly that; what it builds is then kept, and later flushes put those very
    rows back in a few INSERTs (same ids, so Django's content type cache stays
    right). tests/test_migrations.py checks what the migrations build."""
    from django.core.management.commands import flush

    from contacts.bulk import insert_rows  # COPY on PostgreSQL, one INSERT on SQLite

    original = flush.emit_post_migrate_signal
    snapshots: dict[str, list[tuple[str, list[str], list[tuple[Any, ...]]]]] = {}

    def emit_or_restore(verbosity: int, interactive: bool, db: str, **kwargs: Any) -> None:
        if db not in snapshots:
            original(verbosity, interactive, db, **kwargs)
            snapshots[db] = _table_rows(connections[db])
            return
        with transaction.atomic(using=db), connections[db].cursor() as cursor:
            for table, columns, rows in snapshots[db]:
                insert_rows(cursor, table, columns, rows)

    flush.emit_post_migrate_signal = emit_or_restore
    yield
    flush.emit_post_migrate_signal = original


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete_on_postgresql():
    """PostgreSQL's flush is one TRUNCATE of every table: half a second after
    each transactional test, spent making new files for tables that hold a few
    rows. DELETE empties them in milliseconds; Django's foreign keys are
    deferred, so the order does not matter inside the flush's transaction.
    Sequences are left alone, as TRUNCATE without RESTART IDENTITY does."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences:
            return original(self, style, tables, reset_sequences=True, allow_cascade=allow_cascade)
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


def _table_rows(conn: Any) -> list[tuple[str, list[str], list[tuple[Any, ...]]]]:
    """(table, columns, rows) of every table that has rows."""
    from django.apps import apps

    found = []
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)
              if m._meta.managed and not m._meta.proxy}  # fmt: skip
    with conn.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)}")
            rows = cursor.fetchall()
            if rows:
                found.append((table, [d[0] for d in cursor.description], rows))
    return found


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


DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def _contexts(browser, django_db_setup):
    """The worker's two browser contexts (desktop and phone), kept for the
    whole session. They depend on the test database so that they are closed
    before it is dropped; closing them ends the live server's threads that
    served their kept-alive connections, and each thread closes its database
    connection as it ends: they are waited for, since the database cannot be
    dropped while a session is open."""
    contexts = {
        "desktop": browser.new_context(locale="sv-SE", **DESKTOP),
        "phone": browser.new_context(locale="sv-SE", **PHONE),
    }
    yield contexts
    for context in contexts.values():
        context.close()
    for thread in threading.enumerate():
        # socketserver's ThreadingMixIn names them after their target.
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=5)


@pytest.fixture
def page(_contexts):
    yield from _fresh(_contexts["desktop"], DESKTOP["viewport"])


@pytest.fixture
def phone_page(_contexts):
    yield from _fresh(_contexts["phone"], PHONE["viewport"])


@pytest.fixture
def page_at(request):
    """page_at(width): the phone page below 400 px, else the desktop page at
    that width (restored after the test)."""

    def at(width: int) -> Any:
        if width < 400:
            return request.getfixturevalue("phone_page")
        page = request.getfixturevalue("page")
        page.set_viewport_size({"width": width, "height": DESKTOP["viewport"]["height"]})
        return page

    return at


def _fresh(context, viewport):
    """The worker's page of this width, handed to one test at a time in the
    state of a new one.

    A new browser context and page cost Chromium about half a second of CPU
    (a renderer process started and warmed up), more than the test's own page
    loads: the page is kept, and what a test can leave behind is cleared after
    it: cookies (the session), storage, routes, other pages it opened, the
    viewport, listeners it added, and the document (about:blank stops its
    scripts). A page that cannot be cleared (crashed, stuck) is closed, and
    the next test gets a new one. A test that needs other context options (no
    JavaScript, init scripts) makes its own context."""
    page = context.pages[0] if context.pages else context.new_page()
    emitter = page._impl_obj  # Playwright's EventEmitter: its own listeners stay
    kept = (
        {event: (list(f) if isinstance(f, list) else f) for event, f in emitter._events.items()},
        emitter._events_count,
    )
    page.set_default_timeout(10_000)
    yield page
    try:
        for other in context.pages:
            if other != page:
                other.close()
        if page.url.startswith("http"):
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        page.unroute_all(behavior="ignoreErrors")
        context.unroute_all(behavior="ignoreErrors")
        emitter._events, emitter._events_count = kept
        page.set_viewport_size(viewport)
        page.goto("about:blank")
    except Exception:
        for left in context.pages:
            left.close()
    finally:
        context.clear_cookies()


def login(page, live_server, username, password="pw"):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}/")
