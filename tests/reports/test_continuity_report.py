import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import services
from contacts.models import Visit
from reports import reference
from reports.continuity import client_visits, continuity_report, percent
from tests.contacts.factories import VisitFactory
from tests.reports.continuity_data import FROM, TO, appoint, at, client, handbook_example, staff
from tests.reports.continuity_data import visit as make_visit

pytestmark = pytest.mark.django_db

Status, Kind = Visit.Status, Visit.Kind


def rows_by_number(report):
    return {row.customer_number: row for row in report.clients}


def test_handbook_example_is_rebuilt_with_correct_percentages(unit, other_unit):
    handbook_example(unit, other_unit)

    report = continuity_report(unit, FROM, TO)

    table = [
        (
            r.name,
            r.staff,
            r.visits,
            r.double_staffed,
            (r.ordinary, r.ordinary_percent),
            (r.deputy, r.deputy_percent),
            (r.fok_total, r.fok_total_percent),
        )
        for r in report.clients
    ]
    assert table == [
        ("Agda Testsson", 3, 3, 0, (1, 33), (0, 0), (1, 33)),
        ("Alberta MultiUnit", 1, 1, 0, (None, None), (None, None), (None, None)),
        ("Balder Den Vackre", 1, 1, 0, (0, 0), (None, None), (0, 0)),
        # The handbook shows 2 (66 %) and 3 (99 %): we round 2/3 half up and
        # compute the total from the count.
        ("Börje Kvist", 2, 3, 0, (1, 33), (2, 67), (3, 100)),
        ('Karl "Kalle" Kula', 1, 2, 0, (0, 0), (1, 50), (1, 50)),
        ("Magnus Mångainsatser", 1, 1, 0, (0, 0), (None, None), (0, 0)),
        ("Osten Test", 2, 3, 0, (0, 0), (None, None), (0, 0)),
    ]
    # Medel 1,57, Median 1,00 as in the handbook: 11 staff over 7 clients.
    assert report.staff_mean == 1.5714
    assert report.staff_median == 1
    # 38 %: 5 contact visits of the 13 made to clients with a contact (Alberta's
    # visit is left out of both sums).
    assert (report.fok_visits, report.contact_visits) == (5, 13)
    assert report.fok_percent == 38
    assert report.fok_share == 0.3846
    assert report.ordinary_share == 0.1538  # 2 / 13
    assert report.deputy_share == 0.2308  # 3 / 13
    assert report.visits == 14
    assert report.excluded_visits == 0


def test_upc_coc_and_secon_per_client(unit, other_unit):
    handbook_example(unit, other_unit)
    rows = rows_by_number(continuity_report(unit, FROM, TO))

    # Agda: three staff once each.
    assert (rows["6000002"].upc, rows["6000002"].coc, rows["6000002"].secon) == (0.3333, 0.0, 0.0)
    # Börje: bor1, bor2, bor2 -> n = (1, 2); COC (1 + 4 - 3) / (3 * 2); one of two pairs shared.
    assert (rows["6000010"].upc, rows["6000010"].coc, rows["6000010"].secon) == (
        0.6667,
        0.3333,
        0.5,
    )
    # Kalle: the same person twice.
    assert (rows["6000003"].upc, rows["6000003"].coc, rows["6000003"].secon) == (1.0, 1.0, 1.0)
    # One visit: COC and SECON are undefined.
    assert (rows["6000052"].upc, rows["6000052"].coc, rows["6000052"].secon) == (1.0, None, None)


def test_json_matches_the_interchange_format(unit, other_unit):
    handbook_example(unit, other_unit)
    data = continuity_report(unit, FROM, TO).as_json()

    assert list(data) == [
        "unit", "from", "to", "visits", "excluded_visits", "excluded_by_reason", "staff_mean",
        "staff_median", "fok_share", "ordinary_share", "deputy_share", "clients",
    ]  # fmt: skip
    assert data["unit"] == "U1" and data["from"] == "2025-02-01" and data["to"] == "2025-02-16"
    assert data["excluded_by_reason"] == {
        "cancelled": 0,
        "declined": 0,
        "no_staff": 0,
        "excluded_kind": 0,
    }
    assert data["clients"][3] == {
        "customer_number": "6000010",
        "name": "Börje Kvist",
        "staff": 2,
        "visits": 3,
        "double_staffed": 0,
        "ordinary": 1,
        "deputy": 2,
        "fok_total": 3,
        "upc": 0.6667,
        "coc": 0.3333,
        "secon": 0.5,
    }


def test_double_staffed_visit_counts_once_and_ordinary_wins_over_deputy(unit):
    person = client(unit, "Dora", "Dubbel", "K1")
    ordinary, deputy, other = staff(unit, "ord"), staff(unit, "dep"), staff(unit, "oth")
    appoint(person, unit, ordinary, deputy)
    make_visit(person, unit, at(3), [ordinary, deputy])
    make_visit(person, unit, at(4), [deputy, other])
    make_visit(person, unit, at(5), [other])

    row = continuity_report(unit, FROM, TO).clients[0]

    assert (row.visits, row.double_staffed, row.staff) == (3, 2, 3)
    assert (row.ordinary, row.deputy, row.fok_total) == (1, 1, 2)
    # n = ord 1, dep 2, oth 2; N = 5: UPC 2/5, COC (1 + 4 + 4 - 5) / (5 * 4) = 0.2.
    assert (row.upc, row.coc) == (0.4, 0.2)
    # Both pairs of consecutive visits share someone (dep, then oth).
    assert row.secon == 1.0


def test_contact_appointed_mid_period_counts_only_from_that_date(unit):
    person = client(unit, "Mia", "Mitt", "K1")
    nurse = staff(unit, "nurse")
    make_visit(person, unit, at(3), [nurse])
    make_visit(person, unit, at(9), [nurse])
    appoint(person, unit, nurse, effective=dt.date(2025, 2, 10))
    make_visit(person, unit, at(10, 7), [nurse])  # the day it takes effect counts
    make_visit(person, unit, at(12), [nurse])

    report = continuity_report(unit, FROM, TO)
    row = report.clients[0]

    assert (row.visits, row.ordinary, row.deputy, row.fok_total) == (4, 2, None, 2)
    assert row.fok_total_percent == 50
    # Unit shares pool only the visits made while the contact was in force.
    assert (report.contact_visits, report.fok_share, report.ordinary_share) == (2, 1.0, 1.0)
    assert report.deputy_share == 0.0


def test_excluded_visits_are_counted_by_the_first_reason_that_applies(unit):
    person = client(unit, "Eva", "Exkluderad", "K1")
    nurse = staff(unit, "nurse")
    make_visit(person, unit, at(2), [nurse])  # included
    make_visit(person, unit, at(3), [nurse], status=Status.CANCELLED)
    make_visit(person, unit, at(3, 9), [], status=Status.CANCELLED, kind=Kind.ALARM)  # cancelled
    make_visit(person, unit, at(4), [nurse], status=Status.DECLINED)
    make_visit(person, unit, at(5), [])  # performed, nobody registered
    make_visit(person, unit, at(5, 12), [], kind=Kind.MEAL)  # no staff comes first
    make_visit(person, unit, at(6), [], status=Status.PLANNED)  # planned, nobody registered
    make_visit(person, unit, at(7), [nurse], kind=Kind.ALARM)
    make_visit(person, unit, at(7, 12), [nurse], kind=Kind.MEAL)
    make_visit(person, unit, at(7, 14), [nurse], kind=Kind.HEALTH)
    make_visit(person, unit, at(8), [nurse], status=Status.PLANNED, kind=Kind.HEALTH)
    # Planned with staff and a kind that counts: neither a visit nor excluded.
    make_visit(person, unit, at(9), [nurse], status=Status.PLANNED)

    data = continuity_report(unit, FROM, TO).as_json()

    assert data["visits"] == 1
    assert data["excluded_by_reason"] == {
        "cancelled": 2,
        "declined": 1,
        "no_staff": 3,
        "excluded_kind": 4,
    }
    assert data["excluded_visits"] == 10


def test_client_with_only_excluded_visits_is_not_listed(unit):
    person = client(unit, "Nils", "Ingen", "K1")
    make_visit(person, unit, at(3), [], status=Status.CANCELLED)

    report = continuity_report(unit, FROM, TO)

    assert report.clients == []
    assert (report.staff_mean, report.staff_median, report.fok_share) == (None, None, None)


def test_period_is_inclusive_in_stockholm_time(unit):
    person = client(unit, "Per", "Period", "K1")
    nurse = staff(unit, "nurse")
    make_visit(person, unit, at(dt.date(2025, 1, 31), 23, 59), [nurse])
    make_visit(person, unit, at(1, 0, 5), [nurse])  # 31 January 23:05 UTC
    make_visit(person, unit, at(16, 23, 30), [nurse])
    make_visit(person, unit, at(17, 0, 0), [nurse])

    assert continuity_report(unit, FROM, TO).visits == 2


def test_ended_service_ends_the_contact(unit):
    person = client(unit, "Sven", "Slut", "K1")
    nurse, other = staff(unit, "nurse"), staff(unit, "other")
    appoint(person, unit, nurse)
    make_visit(person, unit, at(3), [nurse])
    service = person.services.get()
    services.service_upsert(
        client=person, unit=unit, kind=service.kind, start=service.start, end=dt.date(2025, 2, 7)
    )
    # Registered after the end: the former contact no longer counts.
    make_visit(person, unit, at(9), [nurse, other])

    report = continuity_report(unit, FROM, TO)
    row = report.clients[0]

    assert (row.visits, row.ordinary, row.fok_total) == (2, 1, 1)
    assert row.fok_total_percent == 50
    assert (report.contact_visits, report.fok_share) == (1, 1.0)


def test_second_unit_is_reported_separately_and_together(unit, other_unit):
    person = client(unit, "Tora", "Tvåenheter", "K1")
    north, south = staff(unit, "north"), staff(other_unit, "south")
    appoint(person, unit, north)
    appoint(person, other_unit, south)
    make_visit(person, unit, at(3), [north])
    make_visit(person, unit, at(4), [south])  # south is not the contact on this unit
    make_visit(person, other_unit, at(5), [south])

    on_north = continuity_report(unit, FROM, TO).clients[0]
    on_south = continuity_report(other_unit, FROM, TO).clients[0]
    together = continuity_report(None, FROM, TO)

    assert (on_north.visits, on_north.staff, on_north.ordinary) == (2, 2, 1)
    assert (on_south.visits, on_south.staff, on_south.ordinary) == (1, 1, 1)
    row = together.clients[0]
    assert (row.visits, row.staff, row.ordinary, row.fok_total) == (3, 2, 2, 2)
    assert together.as_json()["unit"] is None
    assert together.fok_share == 0.6667


def test_percent_rounds_half_up_from_counts():
    assert percent(2, 3) == 67
    assert percent(1, 8) == 13  # 12.5
    assert percent(1, 3) + percent(2, 3) == 100
    assert percent(None, 3) is None and percent(1, 0) is None


def test_client_visits_explain_each_visit(unit):
    person = client(unit, "Vera", "Visning", "K1")
    nurse, other = staff(unit, "nurse"), staff(unit, "other")
    appoint(person, unit, nurse, other, effective=dt.date(2025, 2, 4))
    make_visit(person, unit, at(3), [nurse])
    make_visit(person, unit, at(5), [other])
    make_visit(person, unit, at(6), [nurse], status=Status.CANCELLED)

    rows = client_visits(person, unit, FROM, TO)

    assert [(r.included, r.reason, r.contact_role) for r in rows] == [
        (True, None, "no_contact"),
        (True, None, "deputy"),
        (False, "cancelled", ""),
    ]
    assert [s.signature for s in rows[1].staff] == ["other"]


def _add_clients(unit, count, start):
    for n in range(start, start + count):
        born = dt.date(1940, 1, 1) + dt.timedelta(days=n)
        person = client(unit, "Q", f"Person{n}", f"Q{n}", born=born, serial=n)
        first, second = staff(unit, f"q{n}a"), staff(unit, f"q{n}b")
        appoint(person, unit, first, second)
        make_visit(person, unit, at(3), [first, second])
        make_visit(person, unit, at(4), [second])
        make_visit(person, unit, at(5), [], status=Status.CANCELLED)


def test_the_number_of_queries_does_not_grow_with_the_data(unit, django_assert_max_num_queries):
    _add_clients(unit, 3, 0)
    with CaptureQueriesContext(connection) as few:
        small = continuity_report(unit, FROM, TO)
    _add_clients(unit, 27, 3)
    with django_assert_max_num_queries(3), CaptureQueriesContext(connection) as many:
        large = continuity_report(unit, FROM, TO)
    assert len(small.clients) == 3 and len(large.clients) == 30
    assert len(few.captured_queries) == len(many.captured_queries)
    person = unit.services.select_related("client").first().client
    with django_assert_max_num_queries(3):
        assert len(client_visits(person, unit, FROM, TO)) == 3


def _same_start_visits(unit):
    """Two visits of one client at the same time, by different people, and a
    third later by the first visit's staff member. By code point "B-1" comes
    before "a-1" (capitals first), so the pairs are (B-1, a-1): no one shared,
    and (a-1, c-1): no one shared. In a linguistic order ("a-1" before "B-1")
    the second pair would be (B-1, c-1), shared, and SECON 0.5."""
    person = client(unit, "Sam", "Samtidig", "6000900")
    first, second = staff(unit, "sam1"), staff(unit, "sam2")
    VisitFactory(client=person, unit=unit, start=at(3, 9), staff=[first], visit_id="B-1")
    VisitFactory(client=person, unit=unit, start=at(3, 9), staff=[second], visit_id="a-1")
    VisitFactory(client=person, unit=unit, start=at(3, 14), staff=[first], visit_id="c-1")
    return person


def test_visits_with_the_same_start_are_taken_in_visit_id_code_point_order(unit):
    person = _same_start_visits(unit)

    row = rows_by_number(continuity_report(unit, FROM, TO))["6000900"]

    assert (row.visits, row.secon) == (3, 0.0)
    assert [v.visit_id for v in client_visits(person, unit, FROM, TO)] == ["B-1", "a-1", "c-1"]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: SQLite always compares text by code point, while a "
    "PostgreSQL database created with a linguistic locale (en_US, sv_SE) sorts by it",
)
def test_the_order_does_not_follow_a_linguistic_database_collation(unit):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = 'en-US-x-icu'")
        if cursor.fetchone() is None:
            pytest.skip("this PostgreSQL has no ICU collations")
        # As a database created with LC_COLLATE=en_US would have it; rolled
        # back with the test's transaction.
        cursor.execute(
            "ALTER TABLE contacts_visit "
            'ALTER COLUMN visit_id TYPE varchar(64) COLLATE "en-US-x-icu"'
        )
        cursor.execute("SELECT 'a-1' < 'B-1' COLLATE \"en-US-x-icu\"")
        assert cursor.fetchone()[0], "the linguistic order puts a-1 first"
    person = _same_start_visits(unit)

    row = rows_by_number(continuity_report(unit, FROM, TO))["6000900"]
    reference_row = rows_by_number(reference.continuity_report(unit, FROM, TO))["6000900"]

    assert row.secon == reference_row.secon == 0.0
    assert [v.visit_id for v in client_visits(person, unit, FROM, TO)] == ["B-1", "a-1", "c-1"]
