"""Printing the sheet: what is stored, and the change marks between two
printed versions of the same week."""

from __future__ import annotations

import datetime as dt

import pytest

from contacts.models import Visit
from rota import selectors, services
from rota.models import RotaPrintout
from rota.selectors import NEW, REMOVED, STAFF, TIME, Line, Person, compare
from tests.contacts.factories import ServiceFactory

from .helpers import STOCKHOLM, accept, staff, visit

pytestmark = pytest.mark.django_db

D = dt.date
MONDAY = D(2025, 3, 10)


def line(visit_id, day, start, end, *people):
    return Line(
        visit=visit_id,
        day=day,
        start=start,
        end=end,
        people=tuple(Person(staff_id=i, first_name=n, title="Undersköterska") for i, n in people),
    )


def test_without_a_printed_sheet_nothing_is_marked():
    current = [line("a", MONDAY, "08:00", "08:30", (1, "Anna"))]
    assert [m.marks for m in compare(None, current)] == [frozenset()]


def test_new_moved_restaffed_and_removed_visits_are_marked():
    tuesday = MONDAY + dt.timedelta(days=1)
    printed = [
        line("same", MONDAY, "08:00", "08:30", (1, "Anna")),
        line("later", MONDAY, "12:00", "12:30", (1, "Anna")),
        line("other", MONDAY, "18:00", "18:30", (1, "Anna")),
        line("gone", tuesday, "08:00", "08:30", (2, "Bo")),
        line("both", tuesday, "12:00", "12:30", (2, "Bo")),
        line("moved", tuesday, "18:00", "18:30", (2, "Bo")),
    ]
    current = [
        line("same", MONDAY, "08:00", "08:30", (1, "Anna")),
        line("later", MONDAY, "12:15", "12:45", (1, "Anna")),
        line("other", MONDAY, "18:00", "18:30", (2, "Bo")),
        line("both", tuesday, "13:00", "13:30", (1, "Anna"), (2, "Bo")),
        line("new", tuesday, "20:00", "20:30"),
        line("moved", MONDAY, "20:00", "20:30", (2, "Bo")),
    ]

    marked = compare(printed, current)

    assert [(m.line.visit, m.line.day.day, sorted(m.marks)) for m in marked] == [
        ("same", 10, []),
        ("later", 10, [TIME]),
        ("other", 10, [STAFF]),
        ("moved", 10, [TIME]),
        ("gone", 11, [REMOVED]),
        ("both", 11, [STAFF, TIME]),
        ("new", 11, [NEW]),
    ]
    by_id = {m.line.visit: m for m in marked}
    assert by_id["later"].before.window == "12:00–12:30"
    assert not by_id["later"].moved_day
    assert by_id["moved"].moved_day and by_id["moved"].before.day == tuesday
    assert by_id["other"].before_names == "Anna"
    assert by_id["both"].before.people[0].first_name == "Bo"
    two = compare([line("x", MONDAY, "08:00", "", (1, "Anna"), (2, "Bo"), (3, "Cissi"))], [])
    assert two[0].before is None  # a removed line shows itself, not "before"
    moved = compare(
        [line("x", MONDAY, "08:00", "", (1, "Anna"), (2, "Bo"), (3, "Cissi"))],
        [line("x", MONDAY, "08:00", "", (4, "Dan"))],
    )
    assert moved[0].before_names == "Anna, Bo och Cissi"
    assert selectors.change_counts(marked) == {NEW: 1, TIME: 3, STAFF: 2, REMOVED: 1}


@pytest.fixture
def week(unit, manager):
    agda = ServiceFactory(unit=unit, start=D(2025, 1, 1)).client
    anna = staff(unit, "Anna", "Andersson", phone="070-111 11 11")
    bo = staff(unit, "Bo", "Bergström")
    accept(agda, unit, anna, bo, D(2025, 1, 10))
    visits = {
        "mon": visit(agda, unit, dt.datetime(2025, 3, 10, 8, 0), planned=[anna]),
        "tue": visit(agda, unit, dt.datetime(2025, 3, 11, 8, 0), planned=[anna]),
        "wed": visit(agda, unit, dt.datetime(2025, 3, 12, 8, 0), planned=[bo]),
        "thu": visit(agda, unit, dt.datetime(2025, 3, 13, 8, 0), planned=[bo]),
    }
    return agda, anna, bo, visits


def test_a_printout_stores_the_rows_the_contact_and_who_printed(week, unit, manager):
    agda, anna, bo, visits = week
    printout = services.rota_printout_create(client=agda, unit=unit, week_start=MONDAY, by=manager)
    printout.refresh_from_db()
    assert printout.previous is None
    assert printout.printed_by == manager
    assert printout.unit_name == unit.name
    assert [(r["day"], r["start"], r["staff"][0]["first_name"]) for r in printout.rows] == [
        ("2025-03-10", "08:00", "Anna"),
        ("2025-03-11", "08:00", "Anna"),
        ("2025-03-12", "08:00", "Bo"),
        ("2025-03-13", "08:00", "Bo"),
    ]
    assert printout.contacts[0]["ordinary"]["first_name"] == "Anna"
    assert printout.contacts[0]["ordinary"]["phone"] == "070-111 11 11"


def test_a_second_printout_marks_what_changed_since_the_first(week, unit, manager):
    agda, anna, bo, visits = week
    first = services.rota_printout_create(client=agda, unit=unit, week_start=MONDAY, by=manager)

    tue = visits["tue"]
    tue.start = dt.datetime(2025, 3, 11, 9, 30, tzinfo=STOCKHOLM)
    tue.end = tue.start + dt.timedelta(minutes=30)
    tue.save()
    visits["wed"].planned_staff.set([anna])
    Visit.objects.filter(pk=visits["thu"].pk).update(status=Visit.Status.CANCELLED)
    visit(agda, unit, dt.datetime(2025, 3, 14, 8, 0), planned=[bo], visit_id="fri")

    second = services.rota_printout_create(client=agda, unit=unit, week_start=MONDAY, by=manager)
    assert second.previous == first

    marked = compare(
        selectors.sheet_from_printout(first).lines, selectors.sheet_from_printout(second).lines
    )
    assert [(m.line.day.day, m.line.window, sorted(m.marks)) for m in marked] == [
        (10, "08:00–08:30", []),
        (11, "09:30–10:00", [TIME]),
        (12, "08:00–08:30", [STAFF]),
        (13, "08:00–08:30", [REMOVED]),
        (14, "08:00–08:30", [NEW]),
    ]

    # A third printout with nothing changed compares with the second only.
    third = services.rota_printout_create(client=agda, unit=unit, week_start=MONDAY, by=manager)
    assert third.previous == second
    unchanged = compare(
        selectors.sheet_from_printout(second).lines, selectors.sheet_from_printout(third).lines
    )
    assert not any(m.marks for m in unchanged)


def test_printouts_of_other_weeks_and_units_are_not_compared(week, unit, other_unit, manager):
    agda, anna, bo, visits = week
    services.rota_printout_create(client=agda, unit=unit, week_start=MONDAY, by=manager)
    ServiceFactory(client=agda, unit=other_unit, start=D(2025, 1, 1))
    next_week = services.rota_printout_create(
        client=agda, unit=unit, week_start=MONDAY + dt.timedelta(days=7), by=manager
    )
    other = services.rota_printout_create(
        client=agda, unit=other_unit, week_start=MONDAY, by=manager
    )
    assert next_week.previous is None and other.previous is None
    assert RotaPrintout.objects.count() == 3


def test_a_week_must_start_on_a_monday(week, unit, manager):
    agda = week[0]
    with pytest.raises(ValueError):
        services.rota_printout_create(client=agda, unit=unit, week_start=D(2025, 3, 11), by=manager)
    assert not RotaPrintout.objects.exists()
