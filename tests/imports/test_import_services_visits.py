"""Importing services (insatser) and visits."""

import datetime as dt

import pytest

from contacts import services
from contacts.models import CareContactChange, Service, Visit
from imports.importers import import_csv

pytestmark = pytest.mark.django_db


SERVICES = (
    "customer_number,unit,kind,start,end\n"
    "K1,U1,personal_care,2025-01-01,\n"
    "K1,U1,alarm,2025-01-01,2025-06-30\n"
)


def test_services_file_creates_and_reimports_unchanged(world):
    unit, client, *_ = world
    result = import_csv("services", SERVICES)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert sorted(Service.objects.values_list("kind", "start", "end")) == [
        ("alarm", dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
        ("personal_care", dt.date(2025, 1, 1), None),
    ]
    again = import_csv("services", SERVICES)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    ended = import_csv(
        "services",
        SERVICES.replace("personal_care,2025-01-01,", "personal_care,2025-01-01,2025-03-31"),
    )
    assert (ended.created, ended.updated, ended.unchanged) == (0, 1, 1)


def test_an_end_date_ends_the_care_contact_on_the_unit(world):
    unit, client, britta, _ = world
    import_csv("services", "customer_number;unit;kind;start\nK1;U1;personal_care;2025-01-01\n")
    services.care_contact_change(
        client=client, unit=unit, status="accepted", ordinary=britta, effective=dt.date(2025, 2, 1)
    )
    data = "customer_number;unit;kind;start;end\nK1;U1;personal_care;2025-01-01;2025-03-31\n"
    result = import_csv("services", data)
    assert result.ok, result.errors
    end = CareContactChange.objects.get(effective=dt.date(2025, 4, 1))
    assert (end.status, end.ordinary_id, end.old_ordinary_id) == ("not_asked", None, britta.pk)

    again = import_csv("services", data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert CareContactChange.objects.count() == 2


def test_bad_service_rows_are_reported(world):
    data = (
        "customer_number;unit;kind;start;end\n"
        "K404;U1;alarm;2025-01-01;\n"
        "K1;U9;alarm;2025-01-01;\n"
        "K1;U1;flying;2025-01-01;\n"
        "K1;U1;meals;2025-02-30;\n"
        "K1;U1;meals;2025-03-01;2025-02-01\n"
        "K1;U1;alarm;2025-05-01;\n"
    )
    result = import_csv("services", data)
    assert result.errors == [
        "line 2: customer_number: Okänt kundnummer ”K404”.",
        "line 3: unit: Okänd enhet ”U9”.",
        "line 4: kind: Okänt värde ”flying”; tillåtna värden: personal_care, alarm, meals, "
        "shopping, cleaning, laundry, escort, relief, other.",
        "line 5: start: ”2025-02-30” är inget giltigt datum (ÅÅÅÅ-MM-DD).",
        "line 6: end: Slutdatum kan inte vara före startdatum.",
    ]
    assert Service.objects.count() == 0  # line 7 was fine but is not written either


def test_the_same_service_twice_in_a_file_is_an_error(world):
    data = (
        "customer_number;unit;kind;start\nK1;U1;alarm;2025-01-01\nK1;U1;Trygghetslarm;2025-01-01\n"
    )
    result = import_csv("services", data)
    assert result.errors == [
        "line 3: customer_number: Samma customer_number + unit + kind + start finns redan på rad 2 "
        "i filen."
    ]


VISITS = (
    "visit_id;customer_number;unit;start;end;status;kind;staff;planned_staff;receipt;"
    "registered_afterwards\n"
    "V1;K1;U1;2025-01-15 08:00;2025-01-15 08:30;performed;;@brs89 kal01;brs89;complete;nej\n"
    "V2;K1;U1;2025-07-01 12:00;;cancelled;meal;;@kal01;;ja\n"
)


def test_visits_file_creates_visits_in_stockholm_time(world):
    unit, client, britta, kalle = world
    result = import_csv("visits", VISITS)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)

    v1 = Visit.objects.get(visit_id="V1")
    assert v1.start == dt.datetime(2025, 1, 15, 7, 0, tzinfo=dt.UTC)
    assert v1.end == dt.datetime(2025, 1, 15, 7, 30, tzinfo=dt.UTC)
    assert (v1.status, v1.kind, v1.receipt, v1.registered_afterwards) == (
        "performed",
        "care",
        "complete",
        False,
    )
    assert set(v1.staff.all()) == {britta, kalle}
    assert list(v1.planned_staff.all()) == [britta]

    v2 = Visit.objects.get(visit_id="V2")
    assert v2.start == dt.datetime(2025, 7, 1, 10, 0, tzinfo=dt.UTC)  # summer time
    assert (v2.status, v2.kind, v2.receipt, v2.registered_afterwards) == (
        "cancelled",
        "meal",
        "",
        True,
    )
    assert list(v2.staff.all()) == []
    assert list(v2.planned_staff.all()) == [kalle]


def test_visits_reimport_changes_nothing_and_a_new_status_is_an_update(world):
    import_csv("visits", VISITS)
    again = import_csv("visits", VISITS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = import_csv("visits", VISITS.replace("cancelled;meal", "performed;meal"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert Visit.objects.get(visit_id="V2").status == "performed"


def test_bad_visit_rows_are_reported(world):
    data = (
        "visit_id,customer_number,unit,start,status,staff,receipt\n"
        "V1,K1,U1,2025-01-15 08:00,done,@nobody,maybe\n"
        "V2,K1,U1,15.1.2025 8:00,planned,,\n"
        "V3,K1,U1,2025-01-15 09:00,planned,,\n"
    )
    result = import_csv("visits", data)
    assert result.errors == [
        "line 2: status: Okänt värde ”done”; tillåtna värden: planned, performed, cancelled, "
        "declined.",
        "line 2: staff: Okänd signatur ”@nobody”.",
        "line 2: receipt: Okänt värde ”maybe”; tillåtna värden: complete, incomplete.",
        "line 3: start: ”15.1.2025 8:00” är ingen giltig tidpunkt (ÅÅÅÅ-MM-DD TT:MM).",
    ]
    assert Visit.objects.count() == 0


def _visits_file(n):
    lines = ["visit_id;customer_number;unit;start;end;status;staff;planned_staff"]
    for i in range(n):
        day = 1 + i % 28
        lines.append(
            f"Q{i};K1;U1;2025-02-{day:02d} {7 + i % 12:02d}:00;2025-02-{day:02d} "
            f"{7 + i % 12:02d}:30;performed;brs89 @kal01;brs89"
        )
    return "\n".join(lines) + "\n"


def test_importing_visits_takes_the_same_number_of_queries_for_few_and_many(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert import_csv("visits", _visits_file(5)).created == 5
    Visit.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        assert import_csv("visits", _visits_file(200)).created == 200
    # Not a query per row: SQLite takes at most 999 parameters per statement, so
    # 200 visits are written in a few batches there; PostgreSQL takes them in one.
    batches = 0 if connection.vendor == "postgresql" else 2
    assert len(many.captured_queries) <= len(few.captured_queries) + batches
    assert Visit.staff.through.objects.count() == 400
    # A re-import that changes one visit's staff: still the same number of queries.
    changed = (
        _visits_file(200)
        .replace("Q7;K1", "Q7;K1", 1)
        .replace("performed;brs89 @kal01;brs89\nQ8", "performed;kal01;brs89\nQ8", 1)
    )
    with CaptureQueriesContext(connection) as again:
        result = import_csv("visits", changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 199)
    assert set(Visit.objects.get(visit_id="Q7").staff.values_list("signature", flat=True)) == {
        "kal01"
    }
    assert len(again.captured_queries) <= len(few.captured_queries) + 2
