"""The contact import writes in bulk (contacts.services.CareContactChangeBatch):
the same database state, counts and problems as the rows one at a time through
services.care_contact_change, in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from contacts import services
from contacts.models import CareContact, CareContactChange
from imports.importers import ContactImporter, import_csv
from journal.models import JournalNote
from plans.models import ImplementationPlan
from tests.contacts.factories import (
    ServiceFactory,
    StaffFactory,
    UnitFactory,
    make_user,
)
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

D = dt.date

HEADER = "customer_number;unit;status;ordinary;deputy;effective;reason\n"

# New changes out of date order, back-dated rows before a stored history, a
# same-day correction A, B, A, every status, deputy changes, rows whose
# execution has ended (the end rule, also for a row after the end), rows equal
# to the state in force, and rows on a date the end rule has just written.
FIRST = HEADER + (
    "K1;U1;accepted;kal01;brs89;2025-03-01;\n"
    "K1;U1;accepted;brs89;;2025-02-01;Bytt\n"
    "K1;U1;declined;;;2024-11-01;Vill vänta\n"
    "K1;U2;accepted;syd01;;2025-02-01;\n"
    "K2;U1;accepted;kal01;;2025-02-01;\n"
    "K2;U1;accepted;brs89;;2025-02-01;\n"
    "K2;U1;accepted;kal01;;2025-02-01;\n"
    "K2;U1;accepted;kal01;ann01;2025-02-05;\n"
    "K2;U1;accepted;kal01;;2025-02-06;\n"
    "K3;U1;accepted;brs89;kal01;2025-02-01;\n"
    "K3;U1;not_asked;;;2025-02-11;\n"
    "K3;U1;accepted;ann01;;2025-03-01;\n"
    "K4;U1;not_asked;;;2025-02-01;\n"
    "K4;U1;no_need;;;2025-02-02;Klarar sig själv\n"
    "K4;U1;no_need;;;2025-02-03;Klarar sig själv\n"
    "K4;U1;no_need;;;2025-02-04;Annan anledning\n"
    "K4;U1;declined;;;2025-02-05;Nej tack\n"
    "K4;U1;declined;;;2025-02-06;Nej tack\n"
    "K4;U1;not_asked;;;2025-02-07;\n"
    "K5;U1;accepted;ann01;;2025-01-20;\n"
    "K5;U1;accepted;ann01;;2025-02-15;\n"
    "K6;U1;accepted;kal01;;2025-01-15;\n"
    "K6;U1;accepted;brs89;;2025-02-01;\n"
    "K6;U1;declined;;;2025-02-01;Ångrade sig\n"
)

# Another file on the same clients afterwards: repeats, corrections and
# changes before and after what the first one wrote.
SECOND = HEADER + (
    "K1;U1;accepted;kal01;brs89;2025-03-01;\n"
    "K1;U1;accepted;ann01;kal01;2025-03-01;\n"
    "K2;U1;declined;;;2025-01-01;Först nej\n"
    "K3;U1;accepted;kal01;;2025-02-05;\n"
    "K5;U1;no_need;;;2025-04-01;\n"
    "K6;U1;accepted;kal01;;2025-01-15;\n"
    "K6;U1;not_asked;;;2025-01-20;\n"
)


@pytest.fixture
def world():
    u1 = UnitFactory(code="U1", name="Norr")
    u2 = UnitFactory(code="U2", name="Söder")
    staff = {
        "brs89": StaffFactory(signature="brs89", units=[u1], first_name="Britta"),
        "kal01": StaffFactory(signature="kal01", units=[u1], first_name="Kalle"),
        "ann01": StaffFactory(signature="ann01", units=[u1, u2], first_name="Anna"),
        "syd01": StaffFactory(signature="syd01", units=[u2], first_name="Sid", last_name="Yd"),
        # In the stored history only: the notes name it as the one before.
        "old01": StaffFactory(signature="old01", units=[u1], first_name="Olle"),
    }
    clients = {}
    for number in ("K1", "K2", "K4", "K5", "K6"):
        clients[number] = ServiceFactory(unit=u1, client__customer_number=number).client
    ServiceFactory(unit=u2, client=clients["K1"])
    # K3's execution on U1 ended on 10 February (services before contacts).
    clients["K3"] = ServiceFactory(
        unit=u1, client__customer_number="K3", start=D(2024, 1, 1), end=D(2025, 2, 10)
    ).client
    manager = make_user("chef", units=[u1, u2])
    # A stored history: K1 accepted with old01 from December, K6 already has
    # the 1 February change the first file repeats, K5 a future-dated change.
    for number, status, ordinary, effective in (
        ("K1", "accepted", "old01", D(2024, 12, 1)),
        ("K6", "accepted", "brs89", D(2025, 2, 1)),
        ("K5", "declined", None, D(2025, 3, 1)),
    ):
        services.care_contact_change(
            client=clients[number],
            unit=u1,
            status=status,
            ordinary=staff[ordinary] if ordinary else None,
            effective=effective,
            by=manager,
        )
    # Plans: open, ended before the changes, planned ahead, on another unit.
    PlanFactory(client=clients["K1"], unit=u1, period_start=D(2024, 10, 1))
    PlanFactory(
        client=clients["K2"], unit=u1, period_start=D(2024, 1, 1), period_end=D(2025, 1, 31)
    )
    PlanFactory(client=clients["K2"], unit=u1, period_start=D(2025, 2, 3))
    PlanFactory(client=clients["K3"], unit=u1, period_start=D(2024, 6, 1))
    PlanFactory(client=clients["K1"], unit=u2, period_start=D(2025, 1, 1))
    return manager


def _change_keys() -> dict[int, tuple]:
    """Each change's natural key: client, unit, date and its place that day."""
    keys: dict[int, tuple] = {}
    seen: dict[tuple, int] = {}
    for pk, number, code, effective in CareContactChange.objects.order_by(
        "effective", "id"
    ).values_list("id", "client__customer_number", "unit__code", "effective"):
        day = (number, code, effective)
        seen[day] = seen.get(day, 0) + 1
        keys[pk] = (*day, seen[day])
    return keys


def snapshot() -> dict[str, list]:
    """Every row the import writes, ids mapped to natural keys, in id order
    (the order of the ids is part of the history)."""
    keys = _change_keys()
    sig = {None: None} | dict(
        CareContactChange.ordinary.field.related_model.objects.values_list("id", "signature")
    )
    changes = [
        (
            keys[c.pk],
            (c.care_contact.client.customer_number, c.care_contact.unit.code),
            c.status,
            sig[c.ordinary_id],
            sig[c.deputy_id],
            c.old_status,
            sig[c.old_ordinary_id],
            sig[c.old_deputy_id],
            c.reason,
            c.overridden_warnings,
            c.source,
            c.changed_by.username if c.changed_by else None,
            c.valid_until,
        )
        for c in CareContactChange.objects.select_related(
            "care_contact__client", "care_contact__unit", "changed_by"
        ).order_by("id")
    ]
    anchors = sorted(
        (a.client.customer_number, a.unit.code, a.created_by.username if a.created_by else None)
        for a in CareContact.objects.select_related("client", "unit", "created_by")
    )
    notes = [
        (
            n.client.customer_number,
            n.unit.code if n.unit else None,
            n.kind,
            n.event_date,
            n.text,
            n.automatic,
            keys.get(n.contact_change_id),
            n.written_by.username if n.written_by else None,
        )
        for n in JournalNote.objects.select_related("client", "unit", "written_by").order_by("id")
    ]
    plans = sorted(
        (
            p.client.customer_number,
            p.unit.code,
            p.period_start,
            p.period_end,
            keys.get(p.contacts_change_id),
            p.contacts_updated_at is not None,
            p.version,
            p.follow_up_date,
        )
        for p in ImplementationPlan.objects.select_related("client", "unit")
    )
    return {"changes": changes, "anchors": anchors, "notes": notes, "plans": plans}


def run_imports(monkeypatch, files, *, row_by_row: bool, by=None):
    """Import the files in order through one path; return the results and the
    state, then roll the database back for the other path."""
    monkeypatch.setattr(ContactImporter, "_row_by_row", row_by_row)
    with transaction.atomic():
        results = []
        for data in files:
            result = import_csv("contacts", data, by=by)
            results.append((result.created, result.updated, result.unchanged, result.errors))
        state = snapshot()
        transaction.set_rollback(True)
    return results, state


def test_bulk_and_row_by_row_imports_give_the_same_rows(world, monkeypatch):
    files = [FIRST, FIRST, SECOND, SECOND, FIRST]
    expected = run_imports(monkeypatch, files, row_by_row=True, by=world)
    got = run_imports(monkeypatch, files, row_by_row=False, by=world)
    assert got[0] == expected[0]
    for table in ("changes", "anchors", "notes", "plans"):
        assert got[1][table] == expected[1][table], table
    # The files did exercise what they are for.
    results, state = got
    assert results[0][3] == [] and results[0][0] > 15
    assert results[1][:3] == (0, 0, FIRST.count("\n") - 1)
    reasons = {change[8] for change in state["changes"]}
    assert "Verkställigheten på enheten avslutades 2025-02-10." in reasons
    assert any(plan[4] is not None for plan in state["plans"])
    assert any("Olle" in note[4] for note in state["notes"])


def test_bulk_and_row_by_row_imports_without_a_user_are_the_same(world, monkeypatch):
    expected = run_imports(monkeypatch, [FIRST, SECOND], row_by_row=True)
    got = run_imports(monkeypatch, [FIRST, SECOND], row_by_row=False)
    assert got == expected


def test_bulk_and_row_by_row_report_the_same_problems_and_write_nothing(world, monkeypatch):
    StaffFactory(
        signature="nocert", units=[], title_certificate_date=None, first_name="Nils", last_name="C"
    )
    bad = HEADER + (
        "K1;U1;accepted;brs89;;2025-02-01;\n"
        "K1;U1;accepted;syd01;;2025-02-04;\n"
        "K2;U1;accepted;nocert;ann01;2025-02-05;\n"
        "K2;U1;accepted;ann01;syd01;2025-02-06;\n"
        "K6;U1;accepted;brs89;;2025-02-01;\n"  # stored already: not checked again
        "K4;U1;accepted;;kal01;2025-02-02;\n"
    )
    before = snapshot()
    expected = run_imports(monkeypatch, [bad], row_by_row=True)
    got = run_imports(monkeypatch, [bad], row_by_row=False)
    assert got == expected
    assert [error.split(" kan inte")[0] for error in got[0][0][3]] == [
        "line 3: ordinary: Sid Yd (@syd01)",
        "line 4: ordinary: Nils C (@nocert)",
        "line 5: deputy: Sid Yd (@syd01)",
        "line 7: ordinary: Ordinarie kontakt krävs när brukaren tackar ja.",
    ]
    assert got[1] == before


def test_the_bulk_import_makes_a_fixed_number_of_queries(world):
    u1 = UnitFactory(code="U1")

    def file(count: int, start: int) -> str:
        rows = []
        for n in range(start, start + count):
            ServiceFactory(unit=u1, client__customer_number=f"Q{n}")
            rows.append(f"Q{n};U1;accepted;brs89;kal01;2025-02-01;\n")
            rows.append(f"Q{n};U1;declined;;;2025-03-01;Nej\n")
        return HEADER + "".join(rows)

    counts = []
    for count, start in ((2, 0), (20, 100)):
        data = file(count, start)
        with CaptureQueriesContext(connection) as queries:
            result = import_csv("contacts", data)
        assert result.ok, result.errors
        assert result.created == 2 * count
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] < 30
    # A re-import writes nothing and reads no history beyond the rows' dates.
    with CaptureQueriesContext(connection) as queries:
        again = import_csv("contacts", data)
    assert (again.created, again.unchanged) == (0, 40)
    assert not any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)
    assert len(queries) <= 6, [query["sql"][:80] for query in queries.captured_queries]
