import datetime as dt

import pytest

from plans.selectors import (
    FlagKind,
    overdue_plans,
    plan_flags_for_client,
    plan_flags_for_services,
)
from tests.contacts.factories import ServiceFactory
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

D = dt.date


def flags(units, on):
    return {
        (o.client_id, o.unit_id): [(f.kind, f.due) for f in o.flags]
        for o in overdue_plans(units, on)
    }


def test_a_new_client_needs_a_plan_within_14_days(unit):
    client = ServiceFactory(unit=unit, start=D(2025, 3, 1)).client

    assert flags([unit], D(2025, 3, 15)) == {}  # day 14: still in time
    assert flags([unit], D(2025, 3, 16)) == {
        (client.pk, unit.pk): [(FlagKind.MISSING, D(2025, 3, 15))]
    }

    PlanFactory(client=client, unit=unit, period_start=D(2025, 3, 10))
    assert flags([unit], D(2025, 3, 16)) == {}


def test_the_14_days_run_from_the_ongoing_services_not_an_old_stay(unit):
    client = ServiceFactory(unit=unit, start=D(2023, 1, 1), end=D(2023, 6, 30)).client
    ServiceFactory(client=client, unit=unit, start=D(2025, 5, 1))
    assert flags([unit], D(2025, 5, 15)) == {}
    assert flags([unit], D(2025, 5, 16)) == {(client.pk, unit.pk): [("missing", D(2025, 5, 15))]}


def test_a_plan_is_revised_at_least_every_six_months(unit):
    client = ServiceFactory(unit=unit, start=D(2024, 12, 1)).client
    plan = PlanFactory(client=client, unit=unit, period_start=D(2025, 1, 10))

    assert flags([unit], D(2025, 7, 10)) == {}
    assert flags([unit], D(2025, 7, 11)) == {(client.pk, unit.pk): [("revision", D(2025, 7, 10))]}

    plan.revised = D(2025, 6, 1)
    plan.save()
    assert flags([unit], D(2025, 7, 11)) == {}
    assert flags([unit], D(2025, 12, 2)) == {(client.pk, unit.pk): [("revision", D(2025, 12, 1))]}


def test_a_passed_follow_up_date_is_flagged_with_an_overdue_revision(unit):
    client = ServiceFactory(unit=unit, start=D(2024, 12, 1)).client
    PlanFactory(
        client=client,
        unit=unit,
        period_start=D(2025, 1, 10),
        established=D(2025, 1, 8),
        follow_up_date=D(2025, 4, 1),
    )
    assert flags([unit], D(2025, 4, 1)) == {}
    assert flags([unit], D(2025, 4, 2)) == {(client.pk, unit.pk): [("follow_up", D(2025, 4, 1))]}
    # Established 8 January: revision due 8 July; both flags, earliest first.
    assert flags([unit], D(2025, 7, 9)) == {
        (client.pk, unit.pk): [("follow_up", D(2025, 4, 1)), ("revision", D(2025, 7, 8))]
    }


def test_an_ended_plan_leaves_the_client_without_a_plan(unit):
    client = ServiceFactory(unit=unit, start=D(2025, 1, 1)).client
    PlanFactory(client=client, unit=unit, period_start=D(2025, 1, 5), period_end=D(2025, 5, 31))
    assert flags([unit], D(2025, 6, 1)) == {(client.pk, unit.pk): [("missing", D(2025, 1, 15))]}


def test_clients_who_left_and_other_units_are_not_counted(unit, other_unit):
    ServiceFactory(unit=unit, start=D(2025, 1, 1), end=D(2025, 2, 28))
    ServiceFactory(unit=other_unit, start=D(2025, 1, 1))
    assert flags([unit], D(2025, 6, 1)) == {}
    assert len(flags([unit, other_unit], D(2025, 6, 1))) == 1


def test_the_flags_cost_two_queries_for_any_number_of_clients(
    unit, other_unit, django_assert_num_queries
):
    for i in range(12):
        client = ServiceFactory(unit=unit if i % 2 else other_unit, start=D(2025, 1, 1)).client
        ServiceFactory(
            client=client, unit=unit if i % 2 else other_unit, kind="meals", start=D(2025, 2, 1)
        )
        if i % 3 == 0:
            PlanFactory(
                client=client, unit=unit if i % 2 else other_unit, period_start=D(2025, 1, 5)
            )
    with django_assert_num_queries(2):
        result = overdue_plans([unit, other_unit], D(2025, 8, 1))
    kinds = sorted(o.flags[0].kind for o in result)
    assert kinds == ["missing"] * 8 + ["revision"] * 4
    # Sorted by unit name, then by the earliest due date.
    assert [o.unit_name for o in result] == ["Hemtjänst Norr"] * 6 + ["Hemtjänst Söder"] * 6


def test_flags_for_one_client_on_each_of_their_units(unit, other_unit):
    client = ServiceFactory(unit=unit, start=D(2025, 1, 1)).client
    ServiceFactory(client=client, unit=other_unit, start=D(2025, 5, 1))
    ServiceFactory(unit=unit, start=D(2025, 1, 1))  # someone else
    result = plan_flags_for_client(client, D(2025, 5, 20))
    assert [(o.unit_name, o.flags[0].kind) for o in result] == [
        ("Hemtjänst Norr", "missing"),
        ("Hemtjänst Söder", "missing"),
    ]
    only_mine = plan_flags_for_client(client, D(2025, 5, 20), units=[unit])
    assert [o.unit_name for o in only_mine] == ["Hemtjänst Norr"]


def test_flags_from_services_already_read_match_those_read_from_the_database(
    unit, other_unit, django_assert_num_queries
):
    """The client record passes the services it has read; the flags must be
    those plan_flags_for_client finds: the earliest start among the services
    ongoing on the day (not ended or future ones), active plans only, and only
    the units asked for."""
    on = D(2025, 8, 1)
    client = ServiceFactory(unit=unit, start=D(2025, 3, 1)).client
    ServiceFactory(client=client, unit=unit, start=D(2025, 1, 1), end=D(2025, 2, 1))  # ended
    ServiceFactory(client=client, unit=unit, start=D(2025, 7, 20))  # later, ongoing
    ServiceFactory(client=client, unit=other_unit, start=D(2025, 7, 10))
    ServiceFactory(client=client, unit=other_unit, start=D(2025, 9, 1))  # not begun
    PlanFactory(client=client, unit=unit, period_start=D(2024, 12, 1), period_end=D(2025, 2, 1))
    services = list(client.services.select_related("unit"))

    for units in ([unit, other_unit], [unit], [other_unit], []):
        expected = plan_flags_for_client(client, on, units=units)
        with django_assert_num_queries(1 if units else 0):
            got = plan_flags_for_services(client, services, [u.pk for u in units], on)
        assert got == expected
    # Hand-computed: Norr from its earliest ongoing start 1 March (due 15 March; the
    # ended plan does not count), Söder from 10 July (due 24 July).
    assert [
        (o.unit_name, [(f.kind, f.due) for f in o.flags]) for o in plan_flags_for_client(client, on)
    ] == [
        ("Hemtjänst Norr", [(FlagKind.MISSING, D(2025, 3, 15))]),
        ("Hemtjänst Söder", [(FlagKind.MISSING, D(2025, 7, 24))]),
    ]
