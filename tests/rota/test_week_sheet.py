"""The client's week as the sheet shows it: which visits, on which day, at what
time, who comes, and who of them is the care contact that day. Expectations
are worked out by hand from the local (Stockholm) times."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from contacts.models import Staff, Visit
from rota.selectors import DEPUTY, ORDINARY, week_bounds, week_sheet
from tests.contacts.factories import ServiceFactory

from .helpers import accept, staff, visit

pytestmark = pytest.mark.django_db

D = dt.date
UTC = dt.UTC


@pytest.fixture
def agda(unit):
    return ServiceFactory(
        unit=unit, client__first_name="Agda", client__last_name="Ek", start=D(2025, 1, 1)
    ).client


@pytest.fixture
def team(unit):
    return {
        "anna": staff(unit, "Anna", "Andersson", phone="070-111 11 11"),
        "bo": staff(unit, "Bo", "Bergström", phone="070-222 22 22"),
        "cissi": staff(unit, "Cissi", "Carlsson", Staff.Title.CARE_AIDE),
    }


def summary(sheet):
    return [
        (line.day.isoformat(), line.window, [(p.first_name, p.role) for p in line.people])
        for line in sheet.lines
    ]


def test_the_week_runs_from_monday_midnight_to_the_next_monday_local_time(agda, unit, team):
    # Week 11 of 2025: Monday 10 March to Sunday 16 March, CET (UTC+1).
    anna = team["anna"]
    visit(agda, unit, dt.datetime(2025, 3, 9, 22, 30, tzinfo=UTC), planned=[anna])  # Sun 23:30
    visit(agda, unit, dt.datetime(2025, 3, 9, 23, 15, tzinfo=UTC), planned=[anna])  # Mon 00:15
    visit(agda, unit, dt.datetime(2025, 3, 16, 22, 30, tzinfo=UTC), planned=[anna])  # Sun 23:30
    visit(agda, unit, dt.datetime(2025, 3, 16, 23, 15, tzinfo=UTC), planned=[anna])  # Mon 00:15

    sheet = week_sheet(client=agda, unit=unit, week_start=D(2025, 3, 10))

    assert summary(sheet) == [
        ("2025-03-10", "00:15–00:45", [("Anna", "")]),
        ("2025-03-16", "23:30–00:00", [("Anna", "")]),
    ]


def test_the_week_daylight_saving_starts_is_167_hours(agda, unit, team):
    # Summer time starts Sunday 30 March 2025 at 02:00 (to 03:00): the week ends
    # Monday 31 March 00:00 CEST = Sunday 22:00 UTC.
    since, until = week_bounds(D(2025, 3, 24))
    assert since == dt.datetime(2025, 3, 23, 23, 0, tzinfo=UTC)
    assert until == dt.datetime(2025, 3, 30, 22, 0, tzinfo=UTC)
    assert until.astimezone(UTC) - since.astimezone(UTC) == dt.timedelta(hours=167)

    anna = team["anna"]
    visit(agda, unit, dt.datetime(2025, 3, 30, 0, 30, tzinfo=UTC), planned=[anna])  # 01:30 CET
    visit(agda, unit, dt.datetime(2025, 3, 30, 1, 30, tzinfo=UTC), planned=[anna])  # 03:30 CEST
    visit(agda, unit, dt.datetime(2025, 3, 30, 21, 30, tzinfo=UTC), planned=[anna])  # 23:30
    visit(agda, unit, dt.datetime(2025, 3, 30, 22, 15, tzinfo=UTC), planned=[anna])  # Mon 00:15

    sheet = week_sheet(client=agda, unit=unit, week_start=D(2025, 3, 24))

    assert [(s[0], s[1]) for s in summary(sheet)] == [
        ("2025-03-30", "01:30–03:00"),  # 30 minutes, across the hour that is skipped
        ("2025-03-30", "03:30–04:00"),
        ("2025-03-30", "23:30–00:00"),
    ]


def test_the_week_daylight_saving_ends_is_169_hours(agda, unit, team):
    # Summer time ends Sunday 26 October 2025 at 03:00 (back to 02:00): the week
    # ends Monday 27 October 00:00 CET = Sunday 23:00 UTC.
    since, until = week_bounds(D(2025, 10, 20))
    assert since == dt.datetime(2025, 10, 19, 22, 0, tzinfo=UTC)
    assert until == dt.datetime(2025, 10, 26, 23, 0, tzinfo=UTC)
    assert until.astimezone(UTC) - since.astimezone(UTC) == dt.timedelta(hours=169)

    anna = team["anna"]
    visit(agda, unit, dt.datetime(2025, 10, 19, 21, 30, tzinfo=UTC), planned=[anna])  # Sun 23:30
    visit(agda, unit, dt.datetime(2025, 10, 19, 22, 15, tzinfo=UTC), planned=[anna])  # Mon 00:15
    visit(agda, unit, dt.datetime(2025, 10, 26, 0, 30, tzinfo=UTC), planned=[anna])  # 02:30 CEST
    visit(agda, unit, dt.datetime(2025, 10, 26, 1, 30, tzinfo=UTC), planned=[anna])  # 02:30 CET
    visit(agda, unit, dt.datetime(2025, 10, 26, 22, 30, tzinfo=UTC), planned=[anna])  # Sun 23:30
    visit(agda, unit, dt.datetime(2025, 10, 26, 23, 15, tzinfo=UTC), planned=[anna])  # Mon 00:15

    sheet = week_sheet(client=agda, unit=unit, week_start=D(2025, 10, 20))

    assert [(s[0], s[1]) for s in summary(sheet)] == [
        ("2025-10-20", "00:15–00:45"),
        ("2025-10-26", "02:30–02:00"),  # the clock is turned back during the visit
        ("2025-10-26", "02:30–03:00"),  # the second 02:30 of the night
        ("2025-10-26", "23:30–00:00"),
    ]


def test_the_contact_marked_is_the_one_in_force_that_day(agda, unit, team):
    anna, bo, cissi = team["anna"], team["bo"], team["cissi"]
    cissi.title = Staff.Title.ASSISTANT_NURSE
    cissi.save()
    accept(agda, unit, anna, bo, D(2025, 1, 10))
    # From Wednesday 12 March Cissi is the ordinary contact and Anna the deputy.
    accept(agda, unit, cissi, anna, D(2025, 3, 12))
    visit(agda, unit, dt.datetime(2025, 3, 10, 8, 0), planned=[anna])
    visit(agda, unit, dt.datetime(2025, 3, 11, 8, 0), planned=[bo])
    visit(agda, unit, dt.datetime(2025, 3, 12, 8, 0), planned=[anna])
    visit(agda, unit, dt.datetime(2025, 3, 12, 12, 0), planned=[cissi])
    visit(agda, unit, dt.datetime(2025, 3, 13, 8, 0), planned=[bo])

    sheet = week_sheet(client=agda, unit=unit, week_start=D(2025, 3, 10))

    assert summary(sheet) == [
        ("2025-03-10", "08:00–08:30", [("Anna", ORDINARY)]),
        ("2025-03-11", "08:00–08:30", [("Bo", DEPUTY)]),
        ("2025-03-12", "08:00–08:30", [("Anna", DEPUTY)]),
        ("2025-03-12", "12:00–12:30", [("Cissi", ORDINARY)]),
        ("2025-03-13", "08:00–08:30", [("Bo", "")]),
    ]
    periods = [
        (p.first_day, p.last_day, p.ordinary.first_name, p.deputy.first_name, p.ordinary.phone)
        for p in sheet.contacts
    ]
    assert periods == [
        (D(2025, 3, 10), D(2025, 3, 11), "Anna", "Bo", "070-111 11 11"),
        (D(2025, 3, 12), D(2025, 3, 16), "Cissi", "Anna", "070-100 00 00"),
    ]


def test_a_contact_appointed_mid_week_covers_only_the_days_from_then(agda, unit, team):
    accept(agda, unit, team["anna"], None, D(2025, 3, 14))  # Friday
    sheet = week_sheet(client=agda, unit=unit, week_start=D(2025, 3, 10))
    assert [(p.first_day, p.last_day, p.deputy) for p in sheet.contacts] == [
        (D(2025, 3, 14), D(2025, 3, 16), None)
    ]


def test_two_planned_staff_the_contact_first_and_no_planned_staff(agda, unit, team):
    anna, bo, cissi = team["anna"], team["bo"], team["cissi"]
    accept(agda, unit, bo, None, D(2025, 1, 10))
    visit(agda, unit, dt.datetime(2025, 3, 11, 7, 30), planned=[anna, bo, cissi])
    visit(agda, unit, dt.datetime(2025, 3, 11, 12, 0), planned=[])

    sheet = week_sheet(client=agda, unit=unit, week_start=D(2025, 3, 10))

    assert summary(sheet) == [
        ("2025-03-11", "07:30–08:00", [("Bo", ORDINARY), ("Anna", ""), ("Cissi", "")]),
        ("2025-03-11", "12:00–12:30", []),
    ]
    titles = [(p.first_name, p.title) for p in sheet.lines[0].people]
    assert titles == [
        ("Bo", "Undersköterska"),
        ("Anna", "Undersköterska"),
        ("Cissi", "Vårdbiträde"),
    ]


def test_cancelled_declined_and_alarm_visits_are_not_shown(agda, unit, team, other_unit):
    anna = team["anna"]
    day = dt.datetime(2025, 3, 12, 8, 0)
    visit(agda, unit, day, planned=[anna], status=Visit.Status.CANCELLED)
    visit(agda, unit, day.replace(hour=9), planned=[anna], status=Visit.Status.DECLINED)
    visit(agda, unit, day.replace(hour=10), planned=[anna], kind=Visit.Kind.ALARM)
    visit(agda, unit, day.replace(hour=11), planned=[anna], status=Visit.Status.PERFORMED)
    visit(agda, unit, day.replace(hour=12), planned=[anna], kind=Visit.Kind.HEALTH)
    visit(agda, unit, day.replace(hour=13), planned=[anna], minutes=None)
    visit(agda, other_unit, day.replace(hour=14), planned=[anna])  # another unit's sheet

    sheet = week_sheet(client=agda, unit=unit, week_start=D(2025, 3, 10))

    assert [line.window for line in sheet.lines] == ["11:00–11:30", "12:00–12:30", "13:00"]


def test_no_surname_or_contact_details_of_other_staff_reach_the_sheet(agda, unit, team):
    accept(agda, unit, team["anna"], None, D(2025, 1, 10))
    visit(agda, unit, dt.datetime(2025, 3, 12, 8, 0), planned=list(team.values()))
    sheet = week_sheet(client=agda, unit=unit, week_start=D(2025, 3, 10))
    stored = json.dumps(
        [line.as_json() for line in sheet.lines] + [p.as_json() for p in sheet.contacts]
    )
    for person in team.values():
        assert person.last_name not in stored
        assert person.signature not in stored
        assert person.email not in stored
    # Only the contact's phone number, never that of the others.
    assert "070-111 11 11" in stored
    assert "070-222 22 22" not in stored


def test_the_sheet_takes_a_fixed_number_of_queries(agda, unit, team, django_assert_num_queries):
    accept(agda, unit, team["anna"], team["bo"], D(2025, 1, 10))
    for n in range(20):
        start = dt.datetime(2025, 3, 10, 7, 0) + dt.timedelta(hours=7 * n)
        visit(agda, unit, start, planned=[team["anna"], team["cissi"]])
    # Visits, their planned staff, the contact history, the contacts.
    with django_assert_num_queries(4):
        sheet = week_sheet(client=agda, unit=unit, week_start=D(2025, 3, 10))
    assert len(sheet.lines) == 20
