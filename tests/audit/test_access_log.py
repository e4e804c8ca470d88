"""The access log (issue 10.2): one row per read of personal data, who, which
clients or which report with its parameters, when and from where; an
administrator's page to filter and export it; no edits; retention."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessKind, AccessLogEntry
from audit.selectors import entries
from contacts.roles import Role
from jobs.models import Job
from tests.contacts.factories import make_user
from tests.test_robustness import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    return build_world()


def _http(user: Any, address: str = "10.1.2.3") -> HttpClient:
    http = HttpClient(REMOTE_ADDR=address)
    http.force_login(user)
    return http


def _new_rows(since: int) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(pk__gt=since).order_by("pk"))


def _last_pk() -> int:
    return AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_reading_a_record_tab_writes_one_row_with_who_what_when_and_where(world):
    chef = world.users["chef"]
    http = _http(chef)
    before = timezone.now()
    start = _last_pk()
    response = http.get(reverse("client_detail", args=[world.own.client.pk]), {"flik": "person"})
    assert response.status_code == 200
    [row] = _new_rows(start)
    assert row.user_id == chef.pk and row.username == "chef"
    assert row.address == "10.1.2.3"
    assert row.kind == AccessKind.CLIENT
    assert row.what == "client_detail"
    assert row.parameters == {"flik": "person"}
    assert row.client_ids == [world.own.client.pk]
    assert before <= row.at <= timezone.now()


# Every page that shows personal data, as (URL name, args, query) given the
# world: each GET by the unit manager writes exactly one row naming the client.
def _reads(w: Any) -> list[tuple[str, list[int], dict[str, str], str]]:
    own = w.own
    period = {"unit": own.unit.code, "from": "2025-02-01", "to": "2025-02-14"}
    visits = {"enhet": own.unit.code, "fran": "2025-02-01", "till": "2025-02-14"}
    stats = {"status": "accepted", "datum": "2025-03-01", "enhet": own.unit.code}
    record = [own.client.pk]
    return [
        *[("client_detail", record, {"flik": tab}, AccessKind.CLIENT)
          for tab in ("person", "narstaende", "kontakter", "fok", "ovrigt")],
        ("client_history", record, {}, AccessKind.HISTORY),
        ("journal_search", [], {"client": str(own.client.pk)}, AccessKind.JOURNAL),
        ("journal_search", [], {"unit": str(own.unit.pk)}, AccessKind.JOURNAL),
        ("journal_note_create", record, {}, AccessKind.JOURNAL),
        ("plan_list", record, {}, AccessKind.PLAN),
        ("plan_print", [own.plan.pk], {}, AccessKind.PLAN),
        ("plan_edit", [own.plan.pk], {}, AccessKind.PLAN),
        ("contact_letter", [own.client.pk, own.unit.pk], {}, AccessKind.LETTER),
        ("fok_edit", [own.client.pk, own.unit.pk], {}, AccessKind.CLIENT),
        ("client_move", record, {}, AccessKind.CLIENT),
        ("my_clients", [], {}, AccessKind.LIST),
        ("home", [], {}, AccessKind.LIST),
        ("planning", [], {"enhet": str(own.unit.pk), "datum": "2025-02-03", "vy": "vecka"},
         AccessKind.LIST),
        ("worklists", [], {}, AccessKind.LIST),
        ("staff_detail", [own.staff.pk], {}, AccessKind.LIST),
        ("continuity_report", [], period, AccessKind.REPORT),
        ("continuity_report_csv", [], period, AccessKind.EXPORT),
        ("continuity_report_pdf", [], period, AccessKind.EXPORT),
        ("continuity_client_visits", record, period, AccessKind.REPORT),
        ("continuity_kpi", [], {"unit": own.unit.code, "from": "2025-02-03"}, AccessKind.REPORT),
        ("continuity_kpi_csv", [], {"unit": own.unit.code, "from": "2025-02-03"},
         AccessKind.EXPORT),
        ("continuity_kpi_pdf", [], {"unit": own.unit.code, "from": "2025-02-03"},
         AccessKind.EXPORT),
        ("fok_statistics", [], stats, AccessKind.REPORT),
        ("fok_statistics_csv", [], stats, AccessKind.EXPORT),
        ("fok_statistics_pdf", [], stats, AccessKind.EXPORT),
        ("visit_overview", [], visits, AccessKind.REPORT),
        ("visit_overview_csv", [], visits, AccessKind.EXPORT),
        ("visit_overview_pdf", [], visits, AccessKind.EXPORT),
    ]  # fmt: skip


def test_every_read_of_personal_data_writes_exactly_one_row(world):
    http = _http(world.users["chef"])
    problems = []
    for name, args, query, kind in _reads(world):
        start = _last_pk()
        if name.endswith("_pdf"):
            # A PDF is made by a background job (at once in the tests): the
            # page's button posts the form, the job writes the row when it
            # reads the data, named by the job's kind.
            report = name.removesuffix("_pdf")
            response = http.post(reverse(report, args=args), {**query, "format": "pdf"})
            job = Job.objects.order_by("-pk").first()
            expected = str(job.kind) if job else name
        else:
            response = http.get(reverse(name, args=args), query)
            expected = name
        rows = _new_rows(start)
        label = f"{name} {query}"
        if response.status_code not in {200, 302}:
            problems.append(f"{label}: {response.status_code}")
        elif len(rows) != 1:
            problems.append(f"{label}: {len(rows)} rows")
        else:
            row = rows[0]
            if row.kind != kind or row.what != expected:
                problems.append(f"{label}: logged as {row.kind} {row.what}")
            # KKiK lists only clients with enough visits: none in this small world.
            if world.own.client.pk not in row.client_ids and "kpi" not in name:
                problems.append(f"{label}: does not name the client {row.client_ids}")
            if world.other.client.pk in row.client_ids:
                problems.append(f"{label}: names another unit's client")
            for key, value in query.items():
                if row.parameters.get(key) != value:
                    problems.append(f"{label}: parameter {key} missing {row.parameters}")
    assert not problems, "\n".join(problems)


def test_a_report_lists_all_its_clients_in_one_row(world):
    http = _http(world.users["chef"])
    start = _last_pk()
    query = {"unit": world.own.unit.code, "from": "2025-02-01", "to": "2025-02-14"}
    http.get(reverse("continuity_report"), query)
    [row] = _new_rows(start)
    # Agda and Berit had visits on Norr in the period; the report names both.
    assert row.client_ids == sorted([world.own.client.pk, world.both.pk])
    assert row.parameters == query


def test_refused_and_missing_pages_write_nothing(world):
    http = _http(world.users["chef"])
    start = _last_pk()
    assert http.get(reverse("client_detail", args=[world.other.client.pk])).status_code == 404
    assert http.get(reverse("access_log")).status_code == 403
    assert HttpClient().get(reverse("client_detail", args=[world.own.client.pk])).status_code == 302
    assert _new_rows(start) == []


def test_pages_without_personal_data_write_nothing(world):
    http = _http(world.users["chef"])
    start = _last_pk()
    for url in (reverse("healthz"), reverse("login"), reverse("fok_statistics")):
        http.get(url)
    assert _new_rows(start) == []


def test_the_address_comes_from_the_proxy_only_when_trusted(world, settings):
    header = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.7"}
    url = reverse("client_detail", args=[world.own.client.pk])
    http = _http(world.users["chef"], address="127.0.0.1")
    settings.OMSORG_TRUST_X_FORWARDED_FOR = False
    http.get(url, **header)
    assert AccessLogEntry.objects.latest("pk").address == "127.0.0.1"
    settings.OMSORG_TRUST_X_FORWARDED_FOR = True
    http.get(url, **header)
    assert AccessLogEntry.objects.latest("pk").address == "198.51.100.7"


@pytest.mark.parametrize(
    ("command", "arguments"),
    [
        ("continuity_report", ["--unit", "U1", "--from", "2025-02-01", "--to", "2025-02-14"]),
        ("fok_statistics", ["--unit", "U1", "--status", "accepted", "--date", "2025-03-01"]),
    ],
)
def test_report_commands_write_one_row_with_their_parameters(world, command, arguments):
    """(continuity_kpi records its clients the same way; this small world has
    none that qualify, see test_the_kpi_command_writes_its_row.)"""
    start = _last_pk()
    call_command(command, *arguments, stdout=io.StringIO())
    [row] = _new_rows(start)
    assert row.kind == AccessKind.COMMAND and row.what == command
    assert row.username.endswith("(kommandorad)") and row.address is None
    assert row.parameters["unit"] == "U1"
    assert world.own.client.pk in row.client_ids
    assert world.other.client.pk not in row.client_ids


def test_the_kpi_command_writes_its_row(world):
    start = _last_pk()
    call_command("continuity_kpi", "--unit", "U1", "--from", "2025-02-03", stdout=io.StringIO())
    [row] = _new_rows(start)
    assert row.what == "continuity_kpi" and row.parameters["date_from"] == "2025-02-03"


# --- retention ----------------------------------------------------------------------------


def _entry(at: dt.datetime, **fields: Any) -> AccessLogEntry:
    values = {"username": "chef", "kind": AccessKind.CLIENT, "what": "client_detail"}
    values.update(fields)
    entry = AccessLogEntry.objects.create(**values)
    AccessLogEntry.objects.filter(pk=entry.pk).update(at=at)
    return entry


def test_prune_removes_rows_older_than_the_retention_only(db, settings):
    settings.OMSORG_ACCESS_LOG_DAYS = 1095
    now = timezone.now()
    old = _entry(now - dt.timedelta(days=1095, minutes=1))
    kept = _entry(now - dt.timedelta(days=1094, hours=23))
    out = io.StringIO()
    call_command("prune_access_log", "--dry-run", stdout=out)
    assert "1 rader" in out.getvalue()
    assert AccessLogEntry.objects.filter(pk=old.pk).exists()
    call_command("prune_access_log", stdout=out)
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()
    assert AccessLogEntry.objects.filter(pk=kept.pk).exists()


# --- the administrator's page ---------------------------------------------------------------


@pytest.fixture
def admin_http(world):  # type: ignore[no-untyped-def]
    return _http(world.users["admin"])


def test_only_users_with_the_log_permission_open_the_page(world):
    for role in ("chef", "statistik", "samordnare", "personal"):
        http = _http(world.users[role])
        assert http.get(reverse("access_log")).status_code == 403, role
        assert http.get(reverse("access_log_csv")).status_code == 403, role
    assert _http(world.users["admin"]).get(reverse("access_log")).status_code == 200


def test_filters_by_client_user_and_period(world, admin_http):
    now = timezone.now()
    own, other = world.own.client, world.other.client
    a = _entry(now - dt.timedelta(days=3), client_ids=[own.pk])
    b = _entry(now - dt.timedelta(days=3), username="samordnare", client_ids=[other.pk, own.pk])
    c = _entry(now - dt.timedelta(days=40), client_ids=[other.pk])
    d = _entry(now - dt.timedelta(days=1), kind=AccessKind.REPORT, client_ids=[own.pk + 1000])

    def shown(query: dict[str, str]) -> set[int]:
        response = admin_http.get(reverse("access_log"), query)
        assert response.status_code == 200
        return {r["entry"].pk for r in response.context["rows"]} & {a.pk, b.pk, c.pk, d.pk}

    assert shown({}) == {a.pk, b.pk, c.pk, d.pk}
    assert shown({"brukare": own.customer_number}) == {a.pk, b.pk}
    assert shown({"brukare": other.personal_id}) == {b.pk, c.pk}
    assert shown({"anvandare": "samordnare"}) == {b.pk}
    since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    assert shown({"fran": since}) == {a.pk, b.pk, d.pk}
    assert shown({"brukare": other.customer_number, "fran": since}) == {b.pk}
    assert shown({"till": since}) == {c.pk}


def test_the_client_filter_does_not_match_other_ids_with_the_same_digits(world):
    own = world.own.client
    lookalike = _entry(timezone.now(), client_ids=[own.pk * 10 + own.pk, own.pk + 100])
    exact = _entry(timezone.now(), client_ids=[own.pk])
    found = set(entries(client_id=own.pk).values_list("pk", flat=True))
    assert exact.pk in found and lookalike.pk not in found


def test_bad_filters_are_swedish_errors(world, admin_http):
    response = admin_http.get(
        reverse("access_log"), {"brukare": "finns-inte", "fran": "x", "till": "2025-13-45"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ingen brukare har kundnumret eller personnumret" in html
    assert "Ange datumet som ÅÅÅÅ-MM-DD." in html
    assert admin_http.get(reverse("access_log_csv"), {"fran": "x"}).status_code == 400


def test_the_page_is_paginated(world, admin_http):
    now = timezone.now()
    for n in range(55):
        _entry(now - dt.timedelta(minutes=n), username="massa")
    first = admin_http.get(reverse("access_log"), {"anvandare": "massa"})
    assert first.context["page_obj"].paginator.count == 55
    assert len(first.context["rows"]) == 50
    second = admin_http.get(reverse("access_log"), {"anvandare": "massa", "sida": "2"})
    assert len(second.context["rows"]) == 5
    assert "sida=2" in first.content.decode()


def test_reading_the_log_is_logged_too(world, admin_http):
    start = _last_pk()
    admin_http.get(reverse("access_log"), {"anvandare": "chef"})
    [row] = _new_rows(start)
    assert row.kind == AccessKind.ACCESS_LOG and row.parameters == {"anvandare": "chef"}


def test_the_csv_export_has_every_matching_row(world, admin_http):
    own = world.own.client
    _entry(timezone.now() - dt.timedelta(hours=1), client_ids=[own.pk], address="10.0.0.5",
           parameters={"flik": "fok"})  # fmt: skip
    _entry(timezone.now() - dt.timedelta(hours=2), username="samordnare", client_ids=[])
    response = admin_http.get(reverse("access_log_csv"), {"anvandare": "chef"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Tidpunkt", "Användare", "Adress"]
    body = [r for r in rows[1:] if r[2] == "10.0.0.5"]
    assert len(body) == 1
    assert body[0][1] == "chef" and body[0][5] == "flik=fok"
    assert body[0][6] == str(own.pk) and body[0][7] == own.customer_number
    assert all(r[1] == "chef" for r in rows[1:])


# --- nobody edits or deletes the log --------------------------------------------------------


def test_the_log_has_no_add_change_or_delete_permission(db):
    codenames = set(
        Permission.objects.filter(content_type__app_label="audit").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {"view_accesslogentry"}


def test_even_a_superuser_cannot_edit_or_delete_in_the_admin(world):
    superuser = make_user("root", role=Role.ADMINISTRATOR)
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    entry = _entry(timezone.now(), client_ids=[world.own.client.pk])
    http = _http(superuser)
    listing = http.get(reverse("admin:audit_accesslogentry_changelist"))
    assert listing.status_code == 200
    assert http.get(reverse("admin:audit_accesslogentry_add")).status_code == 403
    assert http.post(reverse("admin:audit_accesslogentry_delete", args=[entry.pk])).status_code in {
        403
    }
    change = http.post(
        reverse("admin:audit_accesslogentry_change", args=[entry.pk]), {"username": "x"}
    )
    assert change.status_code in {302, 403} or "username" not in change.content.decode()
    bulk = http.post(
        reverse("admin:audit_accesslogentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk]},
    )
    assert bulk.status_code in {200, 302}
    entry.refresh_from_db()
    assert entry.username == "chef"
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_junk_in_the_query_string_is_logged_without_failing_the_page(world):
    """A NUL character cannot be stored in PostgreSQL's jsonb: it is dropped,
    long values are cut, and the page still answers."""
    http = _http(world.users["chef"])
    start = _last_pk()
    response = http.get(reverse("my_clients"), {"q": "Syn\x00ligsson", "x": "y" * 3000})
    assert response.status_code == 200
    [row] = _new_rows(start)
    assert row.parameters == {"q": "Synligsson", "x": "y" * 200}


@pytest.mark.django_db(transaction=True)
def test_a_request_outside_a_transaction_writes_its_row_in_one_statement():
    # As in production (no test transaction around the request): on
    # PostgreSQL the row goes with its SET LOCAL in one statement, its own
    # transaction; the setting must not outlive it on the connection.
    world = build_world()
    chef = world.users["chef"]
    http = _http(chef, "10.9.8.7")
    start = _last_pk()
    url = reverse("client_detail", args=[world.own.client.pk])
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url, {"flik": "person"})
    assert response.status_code == 200
    [row] = _new_rows(start)
    assert (row.user_id, row.username, row.address) == (chef.pk, "chef", "10.9.8.7")
    assert (row.kind, row.what) == (AccessKind.CLIENT, "client_detail")
    assert row.parameters == {"flik": "person"}
    assert row.client_ids == [world.own.client.pk]
    assert row.at is not None
    assert not connection.in_atomic_block
    writes = [q["sql"] for q in ctx.captured_queries if "audit_accesslogentry" in q["sql"]]
    assert len(writes) == 1
    if connection.vendor == "postgresql":
        assert writes[0].startswith("SET LOCAL synchronous_commit TO OFF; INSERT")
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)
