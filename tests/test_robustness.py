"""Every named page, for every role: no 500 for any input, scoping by unit, and
no write on a refused POST.

A small world on two units (Hemtjänst Norr, where the users work, and Hemtjänst
Söder, which they must never see) is built once per test. Every URL name of
the project is requested with the ids of the user's own objects, with ids from
the other unit, with junk query strings and junk form bodies. Each request runs
inside a savepoint that is rolled back, so every request sees the same world.

ARGS below maps every URL name to its arguments; a new URL name fails
test_every_url_name_is_covered until it is added, so new pages are covered too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from contacts import services
from contacts.models import CareContact
from contacts.roles import Role
from jobs.models import Job
from journal import services as journal_services
from journal.models import JournalNote
from reports.visits import MARK_KEYS
from rota import services as rota_services
from tests.contacts.factories import (
    ClientFactory,
    RelativeFactory,
    ServiceFactory,
    StaffFactory,
    UnitFactory,
    VisitFactory,
    make_user,
)
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

Status = CareContact.Status
TODAY = timezone.localdate()
START = dt.date(2025, 1, 1)

# Strings that only the other unit's objects carry: a page shown to a user of
# Hemtjänst Norr must never contain them.
SECRETS = ("Hemligsson", "7770001", "hemlig1", "Hemlighetsfull", "HEMLIG-ANTECKNING", "HEMLIG-PLAN")
# The same for the user without units: nothing of either unit.
ALL_NAMES = ("Synligsson", "7770002", "Tvåenhetsson", "7770003", *SECRETS)


# --- the world ---------------------------------------------------------------------------


def _accept(client, unit, ordinary, deputy, by):  # type: ignore[no-untyped-def]
    services.care_contact_change(
        client=client,
        unit=unit,
        status=Status.ACCEPTED,
        ordinary=ordinary,
        deputy=deputy,
        effective=START + dt.timedelta(days=9),
        by=by,
    )


def _visits(client, unit, staff, prefix):  # type: ignore[no-untyped-def]
    """Visits in February 2025 (the fixed queries) and in the last weeks (the
    default periods of the reports)."""
    days = [dt.date(2025, 2, d) for d in (3, 4, 5, 10)]
    days += [TODAY - dt.timedelta(days=n) for n in (2, 5, 9, 16, 20)]
    for n, day in enumerate(days):
        start = dt.datetime.combine(day, dt.time(8 + n % 3), tzinfo=dt.UTC)
        VisitFactory(
            visit_id=f"{prefix}-{n}",
            client=client,
            unit=unit,
            start=start,
            end=start + dt.timedelta(minutes=30),
            staff=[staff[n % len(staff)]],
            planned_staff=[staff[0]],
            receipt="incomplete" if n % 2 else "complete",
            registered_afterwards=n == 1,
        )


def build_world() -> SimpleNamespace:
    """The two units, their staff, clients, plans, notes, visits and requests,
    and a user of every role on Hemtjänst Norr (also used by the phone tests).
    The users have no password (hashing one takes half a second): the tests
    log in with force_login, or set the one password they need."""
    north = UnitFactory(code="U1", name="Hemtjänst Norr")
    south = UnitFactory(code="U2", name="Hemtjänst Söder")

    def user(name: str, role: str, units: list[Any]) -> Any:
        return make_user(name, role=role, units=units, password=None)

    users = {
        "chef": user("chef", Role.UNIT_MANAGER, [north]),
        "statistik": user("statistik", Role.STATISTICS, [north]),
        "samordnare": user("samordnare", Role.COORDINATOR, [north]),
        "personal": user("personal", Role.CARE_STAFF, [north]),
        "admin": user("admin", Role.ADMINISTRATOR, [north]),
        # Every permission of a unit manager, but no unit: sees nothing.
        "utanenhet": user("utanenhet", Role.UNIT_MANAGER, []),
    }
    south_chef = user("sodrachef", Role.UNIT_MANAGER, [south])
    chef = users["chef"]

    anna = StaffFactory(units=[north], first_name="Anna", last_name="Ask", signature="anas")
    bo = StaffFactory(units=[north], first_name="Bo", last_name="Berg", signature="bobe")
    cissi = StaffFactory(units=[north], first_name="Cissi", last_name="Cedar", signature="cice")
    secret = StaffFactory(
        units=[south], first_name="Hemlig", last_name="Hemlighetsfull", signature="hemlig1"
    )
    south_staff = StaffFactory(units=[south], first_name="Dora", last_name="Dal", signature="doda")
    south_deputy = StaffFactory(units=[south], first_name="Ebbe", last_name="Ek", signature="ebek")

    mine = ClientFactory(
        first_name="Agda", last_name="Synligsson", customer_number="7770002",
        phone="070-111 22 33", email="agda@example.org", address="Storgatan 1",
        other_information="Nyckel i kodlåda. " + "Långtordutanmellanslag" * 6,
    )  # fmt: skip
    theirs = ClientFactory(first_name="Gösta", last_name="Hemligsson", customer_number="7770001")
    both = ClientFactory(first_name="Berit", last_name="Tvåenhetsson", customer_number="7770003")
    RelativeFactory(client=mine, name="Dotter Synligsson", phone="070-999 00 00")
    RelativeFactory(client=theirs, name="Son Hemligsson")
    service_mine = ServiceFactory(client=mine, unit=north, start=START)
    ServiceFactory(client=mine, unit=north, start=START, kind="alarm")
    service_theirs = ServiceFactory(client=theirs, unit=south, start=START)
    ServiceFactory(client=both, unit=north, start=START)
    service_both_south = ServiceFactory(client=both, unit=south, start=START, kind="meals")

    _accept(mine, north, anna, bo, chef)
    _accept(both, north, bo, cissi, chef)
    _accept(theirs, south, secret, south_staff, south_chef)
    _accept(both, south, south_staff, south_deputy, south_chef)

    _visits(mine, north, [anna, bo, cissi], "VN")
    _visits(both, north, [bo, cissi], "VB")
    _visits(theirs, south, [secret, south_staff], "VS")
    _visits(both, south, [south_staff], "VBS")

    plan_mine = PlanFactory(client=mine, unit=north, important_information="Synlig plan")
    plan_theirs = PlanFactory(client=theirs, unit=south, important_information="HEMLIG-PLAN")
    PlanFactory(client=both, unit=south, important_information="HEMLIG-PLAN på Söder")

    journal_services.journal_note_create(
        client=mine, unit=north, kind=JournalNote.Kind.GENERAL,
        event_date=dt.date(2025, 2, 1), text="Besök enligt plan.", by=chef,
    )  # fmt: skip
    journal_services.journal_note_create(
        client=both, unit=south, kind=JournalNote.Kind.GENERAL,
        event_date=dt.date(2025, 2, 1), text="HEMLIG-ANTECKNING", by=south_chef,
    )  # fmt: skip
    journal_services.journal_note_create(
        client=theirs, unit=south, kind=JournalNote.Kind.FOK,
        event_date=dt.date(2025, 2, 1), text="HEMLIG-ANTECKNING", by=south_chef,
    )  # fmt: skip
    request_mine = services.contact_change_request_record(
        client=mine, unit=north, reason="Vill byta kontakt.", by=chef
    )
    request_theirs = services.contact_change_request_record(
        client=theirs, unit=south, reason="HEMLIG-ANTECKNING", by=south_chef
    )
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    printout_mine = rota_services.rota_printout_create(
        client=mine, unit=north, week_start=monday, by=chef
    )
    printout_theirs = rota_services.rota_printout_create(
        client=theirs, unit=south, week_start=monday, by=south_chef
    )
    # Background jobs (a finished PDF each): only their owner sees them.
    job_mine = Job.objects.create(
        user=chef, kind=Job.Kind.CONTINUITY_PDF, title="Kontinuitetsrapport, Hemtjänst Norr",
        status=Job.Status.DONE, progress=100, result=b"%PDF-1.7", result_name="k.pdf",
        result_type="application/pdf",
    )  # fmt: skip
    job_theirs = Job.objects.create(
        user=south_chef, kind=Job.Kind.CONTINUITY_PDF, title="HEMLIG-ANTECKNING",
        status=Job.Status.DONE, progress=100, result=b"%PDF-1.7", result_name="s.pdf",
        result_type="application/pdf",
    )  # fmt: skip
    own = SimpleNamespace(
        unit=north, client=mine, staff=anna, service=service_mine, plan=plan_mine,
        request=request_mine, care_contact=CareContact.objects.get(client=mine, unit=north),
        printout=printout_mine, job=job_mine,
    )  # fmt: skip
    other = SimpleNamespace(
        unit=south, client=theirs, staff=secret, service=service_theirs, plan=plan_theirs,
        request=request_theirs, care_contact=CareContact.objects.get(client=theirs, unit=south),
        printout=printout_theirs, job=job_theirs,
    )  # fmt: skip
    return SimpleNamespace(
        users=users, own=own, other=other, both=both,
        both_south_service=service_both_south, bo=bo, cissi=cissi,
    )  # fmt: skip


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    return build_world()


# --- every URL name: arguments and a valid query -----------------------------------------

# URL name -> the arguments, given the own (or the other unit's) objects.
ARGS: dict[str, Callable[[Any], list[int]]] = {
    "home": lambda o: [],
    "healthz": lambda o: [],
    "login": lambda o: [],
    "logout": lambda o: [],
    "oidc_authentication_init": lambda o: [],
    "oidc_authentication_callback": lambda o: [],
    "admin:index": lambda o: [],
    "client_detail": lambda o: [o.client.pk],
    "fok_edit": lambda o: [o.client.pk, o.unit.pk],
    "my_clients": lambda o: [],
    "planning": lambda o: [],
    "import_csv": lambda o: [],
    "staff_list": lambda o: [],
    "staff_detail": lambda o: [o.staff.pk],
    "staff_availability": lambda o: [o.staff.pk],
    "staff_edit": lambda o: [o.staff.pk],
    "staff_handover": lambda o: [o.staff.pk],
    "client_move": lambda o: [o.client.pk],
    "service_end": lambda o: [o.client.pk, o.service.pk],
    "contact_change_request": lambda o: [o.client.pk, o.unit.pk],
    "client_history": lambda o: [o.client.pk],
    "journal_search": lambda o: [],
    "journal_note_create": lambda o: [o.client.pk],
    "plan_list": lambda o: [o.client.pk],
    "plan_create": lambda o: [o.client.pk],
    "plan_edit": lambda o: [o.plan.pk],
    "plan_end": lambda o: [o.plan.pk],
    "plan_print": lambda o: [o.plan.pk],
    "contact_letter": lambda o: [o.client.pk, o.unit.pk],
    "continuity_report": lambda o: [],
    "continuity_report_csv": lambda o: [],
    "continuity_report_pdf": lambda o: [],
    "continuity_client_visits": lambda o: [o.client.pk],
    "continuity_kpi": lambda o: [],
    "continuity_kpi_csv": lambda o: [],
    "continuity_kpi_pdf": lambda o: [],
    "kolada_report": lambda o: [],
    "kolada_csv": lambda o: [],
    "fok_statistics": lambda o: [],
    "fok_statistics_csv": lambda o: [],
    "fok_statistics_pdf": lambda o: [],
    "visit_overview": lambda o: [],
    "visit_overview_csv": lambda o: [],
    "visit_overview_pdf": lambda o: [],
    "worklists": lambda o: [],
    "rota_client_week": lambda o: [o.client.pk],
    "rota_print": lambda o: [o.client.pk],
    "rota_printout_pdf": lambda o: [o.printout.pk],
    "accessibility_statement": lambda o: [],
    "access_log": lambda o: [],
    "access_log_csv": lambda o: [],
    "job_list": lambda o: [],
    "job_detail": lambda o: [o.job.pk],
    "job_download": lambda o: [o.job.pk],
}

_PERIOD = {"from": "2025-02-01", "to": "2025-02-14", "sort": "-upc"}
_VISITS = {
    "fran": "2025-02-01",
    "till": "2025-02-14",
    "sida": "1",
    **dict.fromkeys(MARK_KEYS, "on"),
}
# URL name -> a valid query string (given the own objects): the form pages.
# The junk checks vary one parameter of it at a time.
QUERIES: dict[str, Callable[[Any], dict[str, str]]] = {
    "client_detail": lambda o: {"flik": "fok"},
    "fok_edit": lambda o: {"begaran": str(o.request.pk)},
    "client_history": lambda o: {"per": "2025-02-01"},
    "my_clients": lambda o: {"q": "Agda"},
    "planning": lambda o: {"enhet": str(o.unit.pk), "datum": "2025-02-03", "vy": "vecka"},
    "staff_list": lambda o: {"enhet": str(o.unit.pk)},
    "worklists": lambda o: {"enhet": str(o.unit.pk)},
    "plan_create": lambda o: {"unit": str(o.unit.pk)},
    "journal_search": lambda o: {
        "client": str(o.client.pk),
        "unit": str(o.unit.pk),
        "kind": "general",
        "date_from": "2025-01-01",
        "date_to": "2025-12-31",
        "page": "1",
    },
    "continuity_report": lambda o: {"unit": o.unit.code, **_PERIOD},
    "continuity_report_csv": lambda o: {"unit": o.unit.code, **_PERIOD},
    "continuity_report_pdf": lambda o: {"unit": o.unit.code, **_PERIOD},
    "continuity_client_visits": lambda o: {"unit": o.unit.code, **_PERIOD},
    "continuity_kpi": lambda o: {"unit": o.unit.code, "from": "2025-02-03"},
    "continuity_kpi_csv": lambda o: {"unit": o.unit.code, "from": "2025-02-03"},
    "continuity_kpi_pdf": lambda o: {"unit": o.unit.code, "from": "2025-02-03"},
    "kolada_report": lambda o: {"ar": "2025", "vecka": "6"},
    "kolada_csv": lambda o: {"ar": "2025", "vecka": "6"},
    "fok_statistics": lambda o: {
        "status": "accepted",
        "datum": "2025-03-01",
        "enhet": o.unit.code,
        "visa": "alla",
    },
    "fok_statistics_csv": lambda o: {"status": "accepted", "datum": "2025-03-01"},
    "fok_statistics_pdf": lambda o: {"status": "accepted", "datum": "2025-03-01"},
    "visit_overview": lambda o: {"enhet": o.unit.code, **_VISITS},
    "visit_overview_csv": lambda o: {"enhet": o.unit.code, **_VISITS},
    "visit_overview_pdf": lambda o: {"enhet": o.unit.code, **_VISITS},
    "rota_client_week": lambda o: {"vecka": "2025-W06"},
    "rota_printout_pdf": lambda o: {},
}
# Downloads take long to lay out: only their dates and unit get junk.
SLOW = {name for name in QUERIES if name.endswith("_pdf")} | {
    "contact_letter",
    "plan_print",
    "rota_printout_pdf",
}
SLOW_PARAMS = {"from", "to", "fran", "till", "datum", "unit", "enhet"}

# The query from the brief, verbatim.
BRIEF_JUNK = (
    "from=2025-13-45&to=x&unit=abc&enhet=-1&status=nope&date=0000-00-00&page=999999"
    "&page=abc&sort=;drop&flik=xyz&per=31/02/2025&begaran=abc&client=abc"
)
JUNK_VALUES = [
    "",
    "abc",
    "-1",
    "99999999999999999999",
    "2025-13-45",
    "0001-01-01",
    "9999-12-31",
    ";drop table contacts_client;--",
    "x" * 3000,
    "åäö ÅÄÖ 😀 \u202eRTL \u0000nul",
]
PER_PARAM = 3
EVERY_PARAM = sorted(
    {
        p
        for make in QUERIES.values()
        for p in make(
            SimpleNamespace(
                unit=SimpleNamespace(pk=1, code="U1"),
                client=SimpleNamespace(pk=1),
                request=SimpleNamespace(pk=1),
            )
        )
    }  # fmt: skip
    | {"date", "visa", "vy", "q", "per", "begaran", "flik", "sida", "page", "sort", "ar", "vecka"}
)


def _url_names() -> set[str]:
    """Every named URL pattern of the project; of the admin only its index."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return {n for n in names if not n.startswith("admin:") or n == "admin:index"}


def test_every_url_name_is_covered():
    names = _url_names()
    missing = names - ARGS.keys()
    assert not missing, f"Add these URL names to ARGS (and POSTS if they take POST): {missing}"
    assert not ARGS.keys() - names, "ARGS names a URL that no longer exists"
    assert QUERIES.keys() <= ARGS.keys()


# --- requests ----------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int
    content: str
    error: str = ""
    context: Any = None
    written: bool = False


FINGERPRINTED_APPS = {"contacts", "journal", "plans", "rota", "auth"}


def _fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the project's tables (and the auth tables): a refused POST
    must leave all of it as it was."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in FINGERPRINTED_APPS:
            # Logging in sets last_login; that is no write of the page's.
            names = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
            rows = model._default_manager.order_by("pk").values_list(*names)
            tables[model._meta.label] = list(rows)
    return tables


WRITE_SQL = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)
READ_ONLY_SQL = re.compile(r"\s*(SELECT|SAVEPOINT|RELEASE|ROLLBACK|SET|SHOW|EXPLAIN)\b", re.I)


class _StatementWatch:
    """Notices whether a request sent a statement that may change a
    fingerprinted table (any INSERT, UPDATE or DELETE on one, and any
    statement that is neither a plain write nor read-only). Most requests of
    the crawl are refused or answered with a form error and send none: for
    those, reading every table again (dozens of queries per request) is
    skipped; whatever may have written is compared table by table."""

    def __init__(self) -> None:
        self.may_have_written = False
        self.tables = {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in FINGERPRINTED_APPS
        }

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        write = WRITE_SQL.match(sql)
        if write is not None:
            if write.group(1) in self.tables:
                self.may_have_written = True
        elif not READ_ONLY_SQL.match(sql):
            self.may_have_written = True
        return execute(sql, params, many, context)


def _request(
    http: HttpClient,
    method: str,
    url: str,
    *,
    before: Any = None,
    always_compare: bool = False,
    **kwargs: Any,
) -> Outcome:
    """One request in a savepoint that is rolled back afterwards. With
    ``before`` (a _fingerprint()), also whether the request wrote anything:
    compared table by table when the request sent a statement that may write
    (``always_compare``: in any case, for work that may write outside the
    connection's cursor wrapper, such as COPY)."""
    watch = _StatementWatch()
    with transaction.atomic():
        try:
            with connection.execute_wrapper(watch):
                response = getattr(http, method)(url, **kwargs)
        except Exception as exc:  # the test client re-raises a view's exception
            trace = traceback.format_exception(exc)
            outcome = Outcome(500, "", "".join(trace[-4:]))
        else:
            content = ""
            if "text/html" in response.get("Content-Type", ""):
                content = response.content.decode()
            outcome = Outcome(response.status_code, content, context=response.context)
        compare = watch.may_have_written or always_compare
        if before is not None and outcome.status < 500 and compare:
            outcome.written = _fingerprint() != before
        transaction.set_rollback(True)
    return outcome


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)

    def add(self, what: str) -> None:
        self.problems.append(what)

    def check_no_500(self, label: str, outcome: Outcome) -> None:
        if outcome.status >= 500:
            self.add(f"{label}: {outcome.status} {outcome.error}")

    def check_no_leak(self, label: str, outcome: Outcome, secrets: tuple[str, ...]) -> None:
        leaked = [s for s in secrets if s in outcome.content]
        if leaked:
            self.add(f"{label}: shows another unit's data {leaked}")

    def assert_none(self) -> None:
        assert not self.problems, "\n".join(self.problems)


ROLES = ["chef", "statistik", "samordnare", "personal", "admin", "utanenhet"]


def _login(world: Any, username: str) -> HttpClient:
    http = HttpClient()
    http.force_login(world.users[username])
    return http


def _secrets(username: str) -> tuple[str, ...]:
    if username == "admin":
        return ()
    return ALL_NAMES if username == "utanenhet" else SECRETS


@pytest.mark.parametrize("username", ROLES)
def test_every_page_answers_without_error_with_own_and_other_ids(world, username):
    http = _login(world, username)
    found = Findings()
    secrets = _secrets(username)
    for name in sorted(ARGS):
        url = reverse(name, args=ARGS[name](world.own))
        own = _request(http, "get", url)
        found.check_no_500(f"GET {url}", own)
        if own.status not in {200, 302, 400, 403, 404, 405}:
            found.add(f"GET {url}: unexpected {own.status}")
        found.check_no_leak(f"GET {url}", own, secrets)
        if name in QUERIES:
            query = QUERIES[name](world.own)
            with_query = _request(http, "get", url, data=query)
            found.check_no_500(f"GET {url} {query}", with_query)
            found.check_no_leak(f"GET {url} {query}", with_query, secrets)
        if name not in SLOW:
            # The htmx request renders the page's partials.
            partial = _request(http, "get", url, headers={"HX-Request": "true"})
            found.check_no_500(f"GET (htmx) {url}", partial)
            found.check_no_leak(f"GET (htmx) {url}", partial, secrets)

        other_args = ARGS[name](world.other)
        if other_args:
            other_url = reverse(name, args=other_args)
            other = _request(http, "get", other_url)
            found.check_no_500(f"GET {other_url} (other unit)", other)
            if username == "admin":
                continue  # administrators see every unit
            if other.status == 200 or (own.status == 200 and other.status != 404):
                found.add(f"GET {other_url}: {other.status} for another unit's object, not 404")
            found.check_no_leak(f"GET {other_url}", other, secrets)
            for huge in (0, 2**31, 10**20):
                huge_url = reverse(name, args=[huge] * len(other_args))
                outcome = _request(http, "get", huge_url)
                found.check_no_500(f"GET {huge_url}", outcome)
                if outcome.status not in {302, 403, 404, 405}:
                    found.add(f"GET {huge_url}: {outcome.status} for an id that does not exist")
    found.assert_none()


@pytest.mark.parametrize("username", ["chef", "statistik", "samordnare", "personal", "utanenhet"])
def test_other_units_in_query_strings_are_refused(world, username):
    """A unit, client or request of the other unit in a query string: 404, or the
    page without it, never its data."""
    http = _login(world, username)
    found = Findings()
    other = world.other
    cases = {
        "journal_search": [{"unit": other.unit.pk}, {"client": other.client.pk}],
        "staff_list": [{"enhet": other.unit.pk}],
        "worklists": [{"enhet": other.unit.pk}],
        "planning": [{"enhet": other.unit.pk}],
        "plan_create": [{"unit": other.unit.pk}],
        "fok_statistics": [{"enhet": other.unit.code, "status": "accepted", "datum": "2025-03-01"}],
        "visit_overview": [{"enhet": other.unit.code, **_VISITS}],
        "continuity_report": [{"unit": other.unit.code, **_PERIOD}],
        "continuity_kpi": [{"unit": other.unit.code, "from": "2025-02-03"}],
        "fok_edit": [{"begaran": other.request.pk}],
    }
    for name, queries in cases.items():
        url = reverse(name, args=ARGS[name](world.own))
        for query in queries:
            outcome = _request(http, "get", url, data=query)
            found.check_no_500(f"GET {url} {query}", outcome)
            found.check_no_leak(f"GET {url} {query}", outcome, _secrets(username))
    # The client on both units: reached, but not through the other unit.
    both = world.both
    for name, args in [
        ("fok_edit", [both.pk, other.unit.pk]),
        ("contact_change_request", [both.pk, other.unit.pk]),
        ("contact_letter", [both.pk, other.unit.pk]),
        ("service_end", [both.pk, world.both_south_service.pk]),
    ]:
        url = reverse(name, args=args)
        outcome = _request(http, "get", url)
        found.check_no_500(f"GET {url}", outcome)
        if outcome.status not in {403, 404}:
            found.add(f"GET {url}: {outcome.status} through the other unit, not 404")
    found.assert_none()


def _junk_queries(name: str, own: Any) -> list[tuple[str, Any]]:
    """(label, data) pairs: the brief's query, every parameter at once, and each
    parameter of the page's valid query replaced by each junk value."""
    variants: list[tuple[str, Any]] = [("brief", BRIEF_JUNK)]
    every_param = ("abc", "9999-12-31", "0001-01-01", "x" * 3000, "åäö😀\u0000")
    # A download lays out a whole PDF for each request that gets through.
    for value in every_param if name not in SLOW else every_param[::2]:
        variants.append((f"all={value[:12]!r}", dict.fromkeys(EVERY_PARAM, value)))
    base = QUERIES.get(name, lambda o: {})(own)
    params = set(base) | ({"flik", "page", "sort"} if name not in SLOW else set())
    # Each parameter alone gets a third of the junk values, rotating so that the
    # parameters of a page between them get every value (every parameter gets
    # every value at once above): the same coverage at a third of the requests.
    for index, param in enumerate(sorted(params)):
        if name in SLOW and param not in SLOW_PARAMS:
            continue
        for step in range(PER_PARAM):
            value = JUNK_VALUES[(index * PER_PARAM + step) % len(JUNK_VALUES)]
            variants.append((f"{param}={value[:12]!r}", {**base, param: value}))
    return variants


JUNK_CHUNKS = 4

# A well-formed one-page PDF, for the junk variants below.
LAID_OUT = b"%PDF-1.7\n% laid out by the crawl's stand-in for WeasyPrint\n%%EOF\n"


@contextlib.contextmanager
def _layout_skipped(skip: bool) -> Iterator[None]:
    """The junk variants of a printable page skip WeasyPrint's layout (about a
    second per document): the view, its form and the template with the junk
    still run, so a server error there is still found. The page's valid query
    and the brief's junk are laid out for real (as every role's printouts are
    in test_every_page_answers_...), and the tests of each printout check the
    PDF itself."""
    if not skip:
        yield
        return
    from weasyprint import HTML

    real = HTML.write_pdf
    HTML.write_pdf = lambda self, *args, **kwargs: LAID_OUT  # type: ignore[method-assign]
    try:
        yield
    finally:
        HTML.write_pdf = real  # type: ignore[method-assign]


@pytest.mark.parametrize("chunk", range(JUNK_CHUNKS))
def test_junk_query_strings_never_give_a_server_error(world, chunk):
    """Every page the unit manager opens, and the administrator's import page.
    The pages are dealt into chunks so that parallel workers share them."""
    found = Findings()
    as_manager, as_admin = _login(world, "chef"), _login(world, "admin")
    names = [
        name
        for name in sorted(ARGS)
        if not name.startswith("admin:") and name not in {"login", "logout", "healthz"}
    ]
    for name in names[chunk::JUNK_CHUNKS]:
        url = reverse(name, args=ARGS[name](world.own))
        http = as_manager
        if _request(http, "get", url).status == 403:
            http = as_admin
        if _request(http, "get", url).status in {403, 405}:
            continue  # refused before the query is read
        for label, data in _junk_queries(name, world.own):
            with _layout_skipped(name in SLOW and label != "brief"):
                if isinstance(data, str):
                    outcome = _request(http, "get", f"{url}?{data}")
                else:
                    outcome = _request(http, "get", url, data=data)
            found.check_no_500(f"GET {url} [{label}]", outcome)
            found.check_no_leak(f"GET {url} [{label}]", outcome, SECRETS)
    found.assert_none()


# --- POST --------------------------------------------------------------------------------

MANAGERS = {"chef"}
PLANNERS = {"chef", "samordnare"}
# The roles that document (contacts.access.may_write_journal).
DOCUMENTERS = {"chef", "samordnare", "personal"}
# The roles that read client records (contacts.access.may_read_clients).
READERS = {"chef", "samordnare", "personal", "admin"}
# contacts.access.may_view_continuity_reports and may_view_statistics.
REPORT_READERS = {"chef", "samordnare", "admin"}
STATISTICS_READERS = {"chef", "statistik", "admin"}


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("data.csv", text.encode(), content_type="text/csv")


# URL name -> (roles that may write, a valid-looking body given the world).
POSTS: dict[str, tuple[set[str], Callable[[Any], dict[str, Any]]]] = {
    "fok_edit": (
        MANAGERS,
        lambda w: {"status": "accepted", "ordinary": w.bo.pk, "deputy": w.cissi.pk},
    ),
    "staff_availability": (MANAGERS, lambda w: {"available": "0", "employment_end": ""}),
    "staff_edit": (
        MANAGERS,
        lambda w: {
            "first_name": "Anna",
            "last_name": "Ny",
            "title": "assistant_nurse",
            "phone": "070-123 45 67",
            "email": "anna@example.org",
            "fok_selectable": "on",
            "title_certificate_date": "2024-01-15",
        },
    ),
    "staff_handover": (
        MANAGERS,
        lambda w: {
            "effective": TODAY.isoformat(),
            "handover_note": "Anna slutar.",
            f"r{w.own.care_contact.pk}-ordinary": w.cissi.pk,
            f"r{w.own.care_contact.pk}-deputy": w.bo.pk,
        },
    ),
    "client_move": (
        MANAGERS,
        lambda w: {"from_unit": w.own.unit.pk, "to_unit": w.other.unit.pk, "on": "2025-06-01"},
    ),
    "service_end": (MANAGERS, lambda w: {"end": "2025-06-30"}),
    "contact_change_request": (
        MANAGERS,
        lambda w: {"reason": "Vill ha en annan kontakt.", "requested_on": "2025-03-01"},
    ),
    "journal_note_create": (
        DOCUMENTERS,
        lambda w: {
            "unit": w.own.unit.pk,
            "event_date": "2025-03-01",
            "kind": "general",
            "text": "Samtal med brukaren.",
        },
    ),
    "plan_create": (
        PLANNERS,
        lambda w: {
            "unit": w.own.unit.pk,
            "period_start": "2026-01-01",
            "established": "2026-01-01",
            "participated": "ja",
        },
    ),
    "plan_edit": (
        PLANNERS,
        lambda w: {
            "period_start": "2025-01-10",
            "established": "2025-01-10",
            "participated": "nej",
            "important_information": "Ändrad.",
        },
    ),
    "plan_end": (PLANNERS, lambda w: {"end": "2025-06-30"}),
    "rota_print": (
        READERS,
        lambda w: {"week": f"{TODAY:%G-W%V}", "unit": w.own.unit.pk},
    ),
    # The PDF button of each report starts a background job (POST, format=pdf).
    "continuity_report": (
        REPORT_READERS,
        lambda w: {"unit": w.own.unit.code, **_PERIOD, "format": "pdf"},
    ),
    "continuity_kpi": (
        REPORT_READERS,
        lambda w: {"unit": w.own.unit.code, "from": "2025-02-03", "format": "pdf"},
    ),
    "fok_statistics": (
        STATISTICS_READERS,
        lambda w: {
            "status": "accepted",
            "datum": "2025-03-01",
            "enhet": w.own.unit.code,
            "format": "pdf",
        },
    ),
    "visit_overview": (
        REPORT_READERS,
        lambda w: {"enhet": w.own.unit.code, **_VISITS, "format": "pdf"},
    ),
    # The Kolada CSV of more units than a page computes (a background job).
    "kolada_csv": (REPORT_READERS, lambda w: {"ar": "2025", "vecka": "6"}),
    "import_csv": (
        {"admin"},
        lambda w: {"kind": "units", "file": _csv("code;name\nU9;Hemtjänst Väst\n")},
    ),
}
# Views that accept POST but write nothing of the domain.
POST_NOT_DOMAIN = {"login", "logout", "admin:index"}


def _junk_bodies(name: str, world: Any) -> list[tuple[str, dict[str, Any]]]:
    valid = POSTS[name][1](world)
    bodies: list[tuple[str, dict[str, Any]]] = [("empty", {})]
    for value in ("abc", "-1", "99999999999999999999", "9999-99-99", "0001-01-01", "x" * 30000,
                  "åäö😀\u0000"):  # fmt: skip
        bodies.append(
            (f"all={value[:12]!r}", {k: value for k in valid if not hasattr(valid[k], "read")})
        )
    # Ids from the other unit in a well-formed body (forged pickers).
    forged = {
        k: (world.other.staff.pk if k.endswith(("ordinary", "deputy")) else v)
        for k, v in valid.items()
    }
    for key in ("unit", "to_unit"):
        if key in forged:
            forged[key] = world.other.unit.pk
    if forged != valid:
        bodies.append(("forged", forged))
    if name == "import_csv":
        bodies.append(("binary", {"kind": "clients", "file": SimpleUploadedFile(
            "x.csv", b"\xff\xfe\x00\x00PK\x03\x04garbage", content_type="text/csv")}))  # fmt: skip
        bodies.append(("kind", {"kind": "nope", "file": _csv("a;b\n1;2\n")}))
        for kind in ("units", "staff", "clients", "services", "contacts", "visits", "users"):
            bodies.append(
                (f"{kind}-junk", {"kind": kind, "file": _csv("code;name;x\n;;;\n\u0000;abc\n")})
            )
    return bodies


def test_every_view_that_takes_post_is_in_posts(world):
    """An empty POST from the unit manager: every view that answers other than
    405 must be listed in POSTS, so its refusals are checked below."""
    takes_post = set()
    for user in ("chef", "admin"):
        http = _login(world, user)
        for name in ARGS:
            url = reverse(name, args=ARGS[name](world.own))
            if _request(http, "post", url).status != 405:
                takes_post.add(name)
    assert takes_post - POST_NOT_DOMAIN == POSTS.keys()


ENGLISH = ("This field", "Enter a valid", "Select a valid", "Ensure this value", "Null char")


def _swedish_errors(outcome: Outcome) -> list[str]:
    """A refused form shows its errors (Django's errorlist), in Swedish."""
    problems = []
    if 'class="errorlist' not in outcome.content and "lc-error-box" not in outcome.content:
        problems.append("no error message on a refused form")
    problems += [f"English error text {text!r}" for text in ENGLISH if text in outcome.content]
    return problems


REFUSAL_BODIES = {"empty", "all='abc'", "forged"}
HTMX_BODIES = {"empty", "all='abc'", "all='åäö😀\\x00'", "forged"}


@pytest.mark.parametrize("username", ROLES)
def test_posts_never_give_a_server_error_and_refusals_write_nothing(world, username):
    found = Findings()
    http = _login(world, username)
    before = _fingerprint()
    for name in sorted(POSTS):
        writers, _valid = POSTS[name]
        may_write = username in writers
        url = reverse(name, args=ARGS[name](world.own))
        for headers in ({}, {"HX-Request": "true"}):
            # Fresh bodies for each round: an uploaded file is read once.
            bodies = _junk_bodies(name, world)
            if not may_write:
                # Refused before the body is read: a few bodies show that, and
                # the valid body alone in the htmx round.
                bodies = [b for b in bodies if b[0] in REFUSAL_BODIES and not headers]
                bodies.append(("valid", POSTS[name][1](world)))
            elif headers:
                # htmx gets the same form handling: the junk the plain round
                # sent once, the htmx round samples.
                bodies = [b for b in bodies if b[0] in HTMX_BODIES or b[0].endswith("-junk")]
            if may_write or not headers:
                assert {label for label, _ in bodies} >= {"empty", "all='abc'"}
            for label, body in bodies:
                outcome = _request(
                    http, "post", url, data=body, headers=headers, before=before,
                    always_compare=name == "import_csv",
                )  # fmt: skip
                written = outcome.written
                where = f"POST {url} [{label}]{' htmx' if headers else ''}"
                found.check_no_500(where, outcome)
                if outcome.status >= 500:
                    continue
                if not may_write or username == "utanenhet":
                    if outcome.status not in {403, 404}:
                        found.add(f"{where}: {outcome.status} for a user who may not write")
                elif outcome.status in {302, 204} or (
                    name == "import_csv" and outcome.status == 200 and written
                ):
                    found.add(f"{where}: junk was accepted ({outcome.status})")
                elif outcome.status in {200, 400}:
                    if name != "import_csv":
                        for problem in _swedish_errors(outcome):
                            found.add(f"{where}: {problem}")
                elif outcome.status != 404:
                    # 404: an id in the body outside the user's units.
                    found.add(f"{where}: unexpected {outcome.status}")
                if outcome.status not in {302, 204} and written and name != "import_csv":
                    found.add(f"{where}: refused ({outcome.status}) but wrote to the database")
                if written and name == "import_csv" and label != "valid":
                    found.add(f"{where}: a junk import wrote to the database")
                found.check_no_leak(where, outcome, _secrets(username))
    found.assert_none()


@pytest.mark.parametrize("name", sorted(POSTS))
def test_a_valid_post_from_a_user_who_may_write_is_not_an_error(world, name):
    """The valid-looking bodies above are real: the right role's POST succeeds
    or gives a form error, and refusals for other roles are not vacuous."""
    writers, valid = POSTS[name]
    username = sorted(writers)[0]
    http = _login(world, username)
    url = reverse(name, args=ARGS[name](world.own))
    outcome = _request(http, "post", url, data=valid(world))
    assert outcome.status in {200, 204, 302}, (outcome.status, outcome.error)


def test_objects_of_another_unit_cannot_be_posted(world):
    """Scoping for POST: the other unit's staff, client and plan give 404 and
    write nothing, while the same body for the own objects does write."""
    http = _login(world, "chef")
    before = _fingerprint()
    cases: list[tuple[str, Callable[[Any], list[int]], Callable[[Any], dict[str, Any]]]] = [
        ("staff_availability", ARGS["staff_availability"], lambda o: {"available": "0"}),
        ("fok_edit", ARGS["fok_edit"], lambda o: {"status": "declined", "reason": "Nej"}),
        ("service_end", ARGS["service_end"], lambda o: {"end": "2025-06-30"}),
        ("plan_end", ARGS["plan_end"], lambda o: {"end": "2025-06-30"}),
        (
            "journal_note_create",
            ARGS["journal_note_create"],
            lambda o: {
                "text": "x",
                "kind": "general",
                "unit": o.unit.pk,
                "event_date": "2025-03-01",
            },
        ),
    ]
    for name, args, body in cases:
        url = reverse(name, args=args(world.other))
        theirs = _request(http, "post", url, data=body(world.other), before=before)
        assert theirs.status == 404 and not theirs.written, (name, theirs.status, theirs.error)
        url = reverse(name, args=args(world.own))
        mine = _request(http, "post", url, data=body(world.own), before=before)
        assert mine.status == 302 and mine.written, (name, mine.status, mine.error)


# --- the defects this crawl found, one by one --------------------------------------------


def test_planning_far_dates_show_today_with_a_message(world):
    http = _login(world, "samordnare")
    for value in ("0001-01-01", "9999-12-31"):
        outcome = _request(http, "get", reverse("planning"), data={"datum": value, "vy": "vecka"})
        assert outcome.status == 200
        assert "Välj ett datum mellan 1900-01-01 och 2999-12-31. Visar i dag." in outcome.content
        assert outcome.context["day"] == timezone.localdate()


def test_kpi_far_dates_are_a_form_error(world):
    http = _login(world, "chef")
    for value in ("0001-01-01", "9999-12-31"):
        for name in ("continuity_kpi", "continuity_kpi_csv", "continuity_kpi_pdf"):
            outcome = _request(http, "get", reverse(name), data={"from": value})
            assert outcome.status == (200 if name == "continuity_kpi" else 400), outcome.error
            assert "Välj ett datum mellan 1900-01-01 och 2999-12-31." in outcome.content


def test_a_nul_character_in_a_search_is_ignored_or_not_found(world):
    http = _login(world, "chef")
    found = _request(http, "get", reverse("my_clients"), data={"q": "Syn\x00ligsson"})
    assert found.status == 200 and "Synligsson" in found.content
    for name in ("fok_statistics", "visit_overview"):
        outcome = _request(http, "get", reverse(name), data={"enhet": "U1\x00"})
        assert outcome.status == 404, (name, outcome.error)


def test_an_empty_post_to_a_plan_or_note_form_says_what_is_missing(world):
    http = _login(world, "chef")
    required = "Detta fält måste fyllas i."
    for url in (
        reverse("plan_create", args=[world.own.client.pk]),
        reverse("plan_edit", args=[world.own.plan.pk]),
        reverse("plan_end", args=[world.own.plan.pk]),
        reverse("journal_note_create", args=[world.own.client.pk]),
    ):
        outcome = _request(http, "post", url, data={})
        assert outcome.status == 200 and required in outcome.content, url


def test_a_change_request_cannot_be_dated_in_the_future_or_before_the_service(world):
    http = _login(world, "chef")
    url = reverse("contact_change_request", args=[world.own.client.pk, world.own.unit.pk])
    before = _fingerprint()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    cases = {
        tomorrow: "Datumet kan inte vara i framtiden.",
        "2024-12-31": "Datumet kan inte vara före brukarens första insats på enheten (2025-01-01).",
    }
    for day, message in cases.items():
        data = {"reason": "Byte", "requested_on": day}
        outcome = _request(http, "post", url, data=data, before=before)
        assert outcome.status == 200 and message in outcome.content
        assert not outcome.written
    data = {"reason": "Byte", "requested_on": "2025-01-01"}
    ok = _request(http, "post", url, data=data, before=before)
    assert ok.status == 302 and ok.written


# --- the statistics reader tries every page ------------------------------------------------

# Pages the statistics reader may open: the start page and handbook 1.8. The
# infrastructure answers as for everyone: the health check, the login page
# (redirects a signed-in user), logout (POST only) and the admin (its own login).
STATISTICS_PAGES = {"home", "fok_statistics", "fok_statistics_csv", "fok_statistics_pdf"}
# The reader's own background jobs (the statistics PDF): a list of their own.
OWN_JOB_PAGES = {"job_list"}
INFRASTRUCTURE = {
    "healthz": 200,
    "login": 302,
    "logout": 405,
    "admin:index": 302,
    # Public by law, for everyone with or without a login.
    "accessibility_statement": 200,
}


def test_the_statistics_reader_reaches_nothing_but_the_statistics(world):
    """Every URL of the URL conf, with own and other units' ids, GET and POST:
    403 or 404 except the statistics pages and the start page (issue 10.1)."""
    http = _login(world, "statistik")
    found = Findings()
    record_data = (
        "Storgatan 1",
        "070-111 22 33",
        "Dotter Synligsson",
        "Synlig plan",
        "Besök enligt",
    )
    for name in sorted(ARGS):
        for objects in (world.own, world.other):
            url = reverse(name, args=ARGS[name](objects))
            query = QUERIES.get(name, lambda o: {})(world.own)
            outcome = _request(http, "get", url, data=query)
            if name in STATISTICS_PAGES or name in OWN_JOB_PAGES:
                if outcome.status != 200:
                    found.add(f"GET {url}: {outcome.status}, the statistics reader's own page")
            elif name in INFRASTRUCTURE:
                if outcome.status != INFRASTRUCTURE[name]:
                    found.add(f"GET {url}: {outcome.status}")
            elif outcome.status not in {403, 404} and not (
                outcome.status == 405 and name in POSTS  # POST only: checked below
            ):
                found.add(f"GET {url}: {outcome.status}, not 403/404")
            found.check_no_leak(f"GET {url}", outcome, SECRETS + record_data)
            if name in POSTS and "statistik" not in POSTS[name][0]:
                posted = _request(http, "post", url, data=POSTS[name][1](world))
                if posted.status not in {403, 404}:
                    found.add(f"POST {url}: {posted.status}, not 403/404")
    found.assert_none()
