"""Importing care-contact changes: the same rules, history and journal notes as
a change made in the browser."""

import datetime as dt

import pytest
from django.utils import timezone

from contacts import history
from contacts.models import CareContact, CareContactChange
from imports.importers import import_csv
from journal.models import JournalNote
from tests.contacts.factories import ClientFactory, ServiceFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    unit = UnitFactory(code="U1", name="Norr")
    client = ServiceFactory(unit=unit, client__customer_number="K1").client
    britta = StaffFactory(signature="brs89", units=[unit], first_name="Britta", last_name="Söder")
    kalle = StaffFactory(signature="kal01", units=[unit], first_name="Kalle", last_name="Ek")
    return unit, client, britta, kalle


def state(client, unit, on):
    s = history.state_on(client=client, unit=unit, on=on)
    return (s.status, s.ordinary_id, s.deputy_id)


# Deliberately not in date order: rows are applied by `effective`.
CONTACTS = (
    "customer_number;unit;status;ordinary;deputy;effective;reason\n"
    "K1;U1;accepted;@kal01;brs89;2025-03-01;\n"
    "K1;U1;Brukaren tackar ja;brs89;;2025-02-01;\n"
    "K1;U1;declined;;;2025-01-10;Vill vänta\n"
)


def test_contacts_are_applied_in_date_order_with_history_and_journal(world):
    unit, client, britta, kalle = world
    result = import_csv("contacts", CONTACTS)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)

    changes = list(CareContactChange.objects.order_by("effective"))
    assert [(c.effective, c.old_status, c.status) for c in changes] == [
        (dt.date(2025, 1, 10), "not_asked", "declined"),
        (dt.date(2025, 2, 1), "declined", "accepted"),
        (dt.date(2025, 3, 1), "accepted", "accepted"),
    ]
    assert {c.source for c in changes} == {CareContactChange.Source.IMPORT}
    assert changes[0].reason == "Vill vänta"
    assert changes[2].old_ordinary_id == britta.pk
    assert state(client, unit, dt.date(2025, 1, 31)) == ("declined", None, None)
    assert state(client, unit, dt.date(2025, 2, 15)) == ("accepted", britta.pk, None)
    assert state(client, unit, dt.date(2025, 3, 1)) == ("accepted", kalle.pk, britta.pk)

    today = dt.date(2025, 3, 1)
    current = history.in_force(today).select_related("ordinary", "deputy").get(client=client)
    assert (current.status, current.ordinary, current.deputy) == ("accepted", kalle, britta)
    # One automatic FOK note per change, as in the browser.
    assert JournalNote.objects.filter(client=client, automatic=True).count() == 3


def test_reimport_creates_no_changes_and_no_notes(world):
    import_csv("contacts", CONTACTS)
    notes = JournalNote.objects.count()
    again = import_csv("contacts", CONTACTS)
    assert again.ok, again.errors
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert CareContactChange.objects.count() == 3
    assert JournalNote.objects.count() == notes


def test_two_changes_on_the_same_date_reimport_cleanly(world):
    unit, client, britta, kalle = world
    data = (
        "customer_number,unit,status,ordinary,effective\n"
        "K1,U1,accepted,brs89,2025-02-01\n"
        "K1,U1,accepted,kal01,2025-02-01\n"
    )
    first = import_csv("contacts", data)
    assert (first.created, first.unchanged) == (2, 0)
    assert state(client, unit, dt.date(2025, 2, 1)) == ("accepted", kalle.pk, None)
    again = import_csv("contacts", data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert CareContactChange.objects.count() == 2
    assert state(client, unit, dt.date(2025, 2, 1)) == ("accepted", kalle.pk, None)


def test_a_row_that_changes_nothing_is_unchanged(world):
    data = "customer_number;unit;status;effective\nK1;U1;not_asked;2025-02-01\n"
    result = import_csv("contacts", data)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert CareContactChange.objects.count() == 0


@pytest.mark.parametrize(
    ("label", "status"),
    [
        ("Brukaren ej tillfrågad", "not_asked"),
        ("ej tillfrågad", "not_asked"),
        ("SAKNAR BEHOV", "no_need"),
        ("Brukaren saknar behov", "no_need"),
        ("tackar nej", "declined"),
        ("no_need", "no_need"),
    ],
)
def test_swedish_status_labels_are_accepted(world, label, status):
    unit, client, *_ = world
    data = (
        "customer_number;unit;status;effective\n"
        f"K1;U1;no_need;2025-01-01\nK1;U1;{label};2025-02-01\n"
    )
    result = import_csv("contacts", data)
    assert result.ok, result.errors
    assert state(client, unit, dt.date(2025, 2, 1))[0] == status


def test_effective_defaults_to_today(world):
    result = import_csv("contacts", "customer_number;unit;status\nK1;U1;no_need\n")
    assert result.ok, result.errors
    assert CareContactChange.objects.get().effective == timezone.localdate()


def test_rule_breaking_rows_are_all_reported_and_nothing_is_written(world):
    unit, client, britta, kalle = world
    other = UnitFactory(code="U2", name="Söder")
    StaffFactory(signature="syd01", units=[other], first_name="Sid", last_name="Yd")
    StaffFactory(
        signature="nocert",
        units=[unit],
        first_name="Nils",
        last_name="Cert",
        title_certificate_date=None,
    )
    ServiceFactory(unit=other, client__customer_number="K2")
    data = (
        "customer_number;unit;status;ordinary;deputy;effective\n"
        "K1;U1;accepted;brs89;;2025-02-01\n"  # fine, but not written
        "K1;U1;accepted;;kal01;2025-02-02\n"
        "K1;U1;accepted;brs89;@brs89;2025-02-03\n"
        "K1;U1;accepted;syd01;;2025-02-04\n"
        "K1;U1;accepted;nocert;;2025-02-05\n"
        "K1;U1;maybe;;;2025-02-06\n"
        "K1;U1;declined;brs89;;2025-02-07\n"
        "K404;U1;no_need;;;2025-02-08\n"
        "K1;U9;no_need;;;2025-02-09\n"
        "K1;U1;accepted;ghost;;2025-02-10\n"
        "K1;U1;no_need;;;2025-31-01\n"
    )
    result = import_csv("contacts", data)
    assert result.errors == [
        "line 3: ordinary: Ordinarie kontakt krävs när brukaren tackar ja.",
        "line 4: deputy: Vice kontakt kan inte vara samma person som ordinarie.",
        "line 5: ordinary: Sid Yd (@syd01) kan inte utses 2025-02-04: tillhör inte enheten Norr.",
        "line 6: ordinary: Nils Cert (@nocert) kan inte utses 2025-02-05: saknar giltigt bevis "
        "om skyddad yrkestitel på datumet.",
        "line 7: status: Okänd status ”maybe”; tillåtna värden: not_asked, no_need, declined, "
        "accepted.",
        "line 8: ordinary: Kontakter kan bara anges när brukaren tackar ja (status accepted).",
        "line 9: customer_number: Okänt kundnummer ”K404”.",
        "line 10: unit: Okänd enhet ”U9”.",
        "line 11: ordinary: Okänd signatur ”ghost”.",
        "line 12: effective: ”2025-31-01” är inget giltigt datum (ÅÅÅÅ-MM-DD).",
    ]
    assert CareContactChange.objects.count() == 0
    assert JournalNote.objects.count() == 0
    assert CareContact.objects.count() == 0


def test_a_contact_imported_after_its_ended_service_ends_the_day_after(world):
    """Handbook 1.11 in the documented import order (services before contacts):
    the execution on U1 ended on 10 February, so a contact imported afterwards,
    accepted from 1 February, ends on 11 February as if it had existed when the
    service was imported."""
    unit, _client, britta, _kalle = world
    k2 = ClientFactory(customer_number="K2")
    services = "customer_number;unit;kind;start;end\nK2;U1;personal_care;2024-01-01;2025-02-10\n"
    contacts = "customer_number;unit;status;ordinary;effective\nK2;U1;accepted;brs89;2025-02-01\n"
    assert import_csv("services", services).ok
    result = import_csv("contacts", contacts)
    assert result.ok, result.errors
    assert (result.created, result.unchanged) == (1, 0)

    assert state(k2, unit, dt.date(2025, 2, 10)) == ("accepted", britta.pk, None)
    assert state(k2, unit, dt.date(2025, 2, 11)) == ("not_asked", None, None)
    ended = CareContactChange.objects.get(client=k2, unit=unit, effective=dt.date(2025, 2, 11))
    assert (ended.old_status, ended.old_ordinary_id) == ("accepted", britta.pk)

    # Importing both files again changes nothing.
    assert import_csv("services", services).unchanged == 1
    assert import_csv("contacts", contacts).unchanged == 1
    assert CareContactChange.objects.filter(client=k2).count() == 2


def test_a_mistake_corrected_the_same_day_ends_the_day_with_the_correction(world):
    """Rows of one date apply in file order: Kalle, Britta by mistake, Kalle
    again; at the end of the day Kalle is the ordinary. A re-import (with a
    repeated row in the middle) changes nothing."""
    unit, client, britta, kalle = world
    data = (
        "customer_number;unit;status;ordinary;effective\n"
        "K1;U1;accepted;kal01;2025-02-01\n"
        "K1;U1;accepted;brs89;2025-02-01\n"
        "K1;U1;accepted;brs89;2025-02-01\n"
        "K1;U1;accepted;kal01;2025-02-01\n"
    )
    result = import_csv("contacts", data)
    assert result.ok, result.errors
    assert (result.created, result.unchanged) == (3, 1)
    assert state(client, unit, dt.date(2025, 2, 1)) == ("accepted", kalle.pk, None)

    again = import_csv("contacts", data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert CareContactChange.objects.count() == 3
    assert state(client, unit, dt.date(2025, 2, 1)) == ("accepted", kalle.pk, None)


def test_a_contact_history_from_before_the_title_rule_imports(world):
    # The certificate came later than the appointment: fine before 1 July 2023,
    # refused from that day (tests on both sides of the date).
    unit, client, _britta, _kalle = world
    ServiceFactory(client=client, unit=unit, start=dt.date(2022, 1, 1), kind="cleaning")
    StaffFactory(
        signature="late01",
        units=[unit],
        title_certificate_date=dt.date(2024, 1, 1),
        permanent_on_2023_07_01=False,
    )
    before = "customer_number;unit;status;ordinary;deputy;effective;reason\n"
    result = import_csv("contacts", before + "K1;U1;accepted;late01;;2023-06-30;\n")
    assert result.ok, result.errors
    assert state(client, unit, dt.date(2023, 6, 30))[0] == "accepted"

    result = import_csv("contacts", before + "K1;U1;accepted;late01;;2023-07-01;\n")
    assert not result.ok
    assert "bevis" in str(result.errors)
