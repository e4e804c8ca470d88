"""A unit's continuity report and KKiK are reused while the unit's data are
unchanged (contacts.versions), and every way data are written makes the next
report see the change: the browser and the admin (the ORM, one row at a
time), the imports (in bulk), the services."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import services, versions
from contacts.models import Unit, Visit
from imports.importers import import_csv
from reports import continuity
from reports.continuity import continuity_kpi, continuity_report
from tests.reports.continuity_data import FROM, TO, appoint, at, client, staff, visit

pytestmark = pytest.mark.django_db


def row(report, number):
    return next((r for r in report.clients if r.customer_number == number), None)


@pytest.fixture
def world(unit, other_unit):
    """One client on ``unit`` with two visits by one person, who is the
    client's ordinary contact; a second person on the unit."""
    person = client(unit, "Cilla", "Cachesson", "6000700")
    anna, bo = staff(unit, "cach1"), staff(unit, "cach2")
    appoint(person, unit, anna)
    visit(person, unit, at(3), [anna])
    visit(person, unit, at(4), [anna])
    return {"client": person, "anna": anna, "bo": bo, "unit": unit, "other": other_unit}


def report_of(world):
    return continuity_report(world["unit"], FROM, TO)


def test_a_second_report_of_unchanged_data_reads_only_the_versions(world):
    first = report_of(world)

    with CaptureQueriesContext(connection) as ctx:
        second = report_of(world)

    assert len(ctx.captured_queries) == 1  # the versions, not the report
    assert second.as_json() == first.as_json()
    assert row(second, "6000700").visits == 2


def test_another_period_or_unit_is_not_taken_from_the_cache(world):
    report_of(world)

    assert row(continuity_report(world["unit"], FROM, dt.date(2025, 2, 3)), "6000700").visits == 1
    assert continuity_report(world["other"], FROM, TO).clients == []


def test_a_visit_saved_in_the_browser_or_admin_is_seen(world):
    report_of(world)
    visit(world["client"], world["unit"], at(5), [world["bo"]])
    assert (row(report_of(world), "6000700").visits, row(report_of(world), "6000700").staff) == (
        3,
        2,
    )


def test_an_edited_or_deleted_visit_is_seen(world):
    last = Visit.objects.get(client=world["client"], start=at(4))
    report_of(world)

    last.status = Visit.Status.CANCELLED
    last.save()
    after_edit = report_of(world)
    last.delete()
    after_delete = report_of(world)

    assert row(after_edit, "6000700").visits == 1
    assert after_edit.excluded_by_reason["cancelled"] == 1
    assert after_delete.excluded_by_reason["cancelled"] == 0


def test_a_visit_moved_to_another_unit_leaves_the_first_units_report(world):
    moved = Visit.objects.get(client=world["client"], start=at(4))
    report_of(world)

    moved.unit = world["other"]
    moved.save()

    assert row(report_of(world), "6000700").visits == 1


def test_the_staff_of_a_visit_changed_is_seen(world):
    last = Visit.objects.get(client=world["client"], start=at(4))
    report_of(world)

    last.staff.set([world["bo"]])
    by_visit = row(report_of(world), "6000700")
    world["bo"].visits.clear()  # from the staff member's side
    by_staff = row(report_of(world), "6000700")

    assert (by_visit.staff, by_visit.ordinary) == (2, 1)
    assert by_staff.visits == 1


def test_a_contact_change_is_seen(world):
    report_of(world)

    services.care_contact_change(
        client=world["client"],
        unit=world["unit"],
        status="accepted",
        ordinary=world["bo"],
        effective=dt.date(2025, 2, 1),
    )

    assert row(report_of(world), "6000700").ordinary == 0


def test_a_renamed_client_is_seen(world):
    report_of(world)

    world["client"].first_name = "Cecilia"
    world["client"].save()

    assert row(report_of(world), "6000700").name == "Cecilia Cachesson"


def test_imported_visits_new_changed_and_moved_are_seen(world):
    report_of(world)
    code, other = world["unit"].code, world["other"].code

    result = import_csv(
        "visits",
        "visit_id;customer_number;unit;start;status;staff\n"
        f"CACHE-1;6000700;{code};2025-02-06 09:00;performed;cach2\n",
    )
    assert result.ok, result.errors
    after_new = row(report_of(world), "6000700")
    result = import_csv(
        "visits",
        "visit_id;customer_number;unit;start;status;staff\n"
        f"CACHE-1;6000700;{other};2025-02-06 09:00;performed;cach2\n",
    )
    assert result.ok, result.errors
    after_move = row(report_of(world), "6000700")

    assert (after_new.visits, after_new.staff) == (3, 2)
    assert (after_move.visits, after_move.staff) == (2, 1)


def test_imported_contact_changes_are_seen(world):
    report_of(world)

    result = import_csv(
        "contacts",
        "customer_number;unit;status;ordinary;effective\n"
        f"6000700;{world['unit'].code};accepted;cach2;2025-02-01\n",
    )

    assert result.ok, result.errors
    assert row(report_of(world), "6000700").ordinary == 0


def test_imported_client_names_are_seen(world):
    report_of(world)
    person = world["client"]

    result = import_csv(
        "clients",
        "customer_number;personal_id;first_name;last_name\n"
        f"6000700;{person.personal_id};Cecilia;Cachesson\n",
    )

    assert result.ok, result.errors
    assert row(report_of(world), "6000700").name == "Cecilia Cachesson"


def test_kkik_for_one_unit_is_reused_and_sees_new_visits(unit):
    person = client(unit, "Kerstin", "Kpisson", "6000701", born=dt.date(1940, 1, 1))
    carers = [staff(unit, f"kpi{n}") for n in range(3)]
    first_day = dt.date(2025, 2, 3)
    for day in range(3, 5):
        visit(person, unit, at(day, 8), [carers[0]])
        visit(person, unit, at(day, 12), [carers[1]])
    before = continuity_kpi(unit, first_day, days=2)

    with CaptureQueriesContext(connection) as ctx:
        again = continuity_kpi(unit, first_day, days=2)
    visit(person, unit, at(4, 18), [carers[2]])
    after = continuity_kpi(unit, first_day, days=2)

    assert len(ctx.captured_queries) == 1
    assert [c.staff for c in before.clients] == [c.staff for c in again.clients] == [2]
    assert [c.staff for c in after.clients] == [3]


def test_a_report_over_a_few_units_is_reused_and_sees_a_change_on_any_of_them(world):
    """ "All my units" of a coordinator (at most SHARED_FROM_UNITS units): the
    continuity report and KKiK are reused while none of the units' data
    changes, and recomputed when a visit is written on either unit."""
    ids = [world["unit"].pk, world["other"].pk]

    def mine():
        return Unit.objects.filter(pk__in=ids).order_by("name")

    elsewhere = client(world["other"], "Olle", "Annanstans", "6000702", serial=3)
    carer = staff(world["other"], "cach3")
    visit(elsewhere, world["other"], at(3), [carer])
    first = continuity_report(None, FROM, TO, units=mine())
    kpi_first = continuity_kpi(None, FROM, units=mine())

    with CaptureQueriesContext(connection) as ctx:
        again = continuity_report(None, FROM, TO, units=mine())
        kpi_again = continuity_kpi(None, FROM, units=mine())
    report_queries = [q for q in ctx.captured_queries if "WITH" in q["sql"]]

    visit(elsewhere, world["other"], at(4), [world["bo"]])  # on the second unit
    after = continuity_report(None, FROM, TO, units=mine())

    assert report_queries == []  # the units and their versions only
    assert again.as_json() == first.as_json()
    assert kpi_again.as_json() == kpi_first.as_json()
    assert (row(first, "6000700").visits, row(first, "6000702").visits) == (2, 1)
    assert (row(after, "6000702").visits, row(after, "6000702").staff) == (2, 2)
    assert row(after, "6000700").visits == 2


def test_a_report_over_more_units_than_a_few_is_made_each_time(world, monkeypatch):
    """Over more than SHARED_FROM_UNITS units (every unit of an organisation is
    made by the task worker, once) nothing is kept."""
    monkeypatch.setattr(continuity, "SHARED_FROM_UNITS", 1)
    units = Unit.objects.filter(pk__in=[world["unit"].pk, world["other"].pk])
    continuity_report(None, FROM, TO, units=units)

    with CaptureQueriesContext(connection) as ctx:
        continuity_report(None, FROM, TO, units=units)

    assert [q for q in ctx.captured_queries if "WITH" in q["sql"]]


def test_a_new_version_is_never_an_old_one(unit):
    seen = set()
    for _ in range(5):
        versions.bump([unit.pk])
        seen.add(versions.current(unit.pk))
    versions.bump()

    assert len(seen) == 5
    assert versions.current(unit.pk)[1] != 0


def test_a_deleted_staff_member_leaves_the_visits_staff(world):
    Visit.objects.get(client=world["client"], start=at(4)).staff.add(world["bo"])
    assert row(report_of(world), "6000700").staff == 2

    world["bo"].delete()  # a contact is protected; a visitor is not

    assert row(report_of(world), "6000700").staff == 1
