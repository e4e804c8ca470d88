import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Visit
from reports.continuity import continuity_kpi, continuity_kpi_by_unit, kpi_default_start
from tests.reports.continuity_data import appoint, at, client, staff
from tests.reports.continuity_data import visit as make_visit

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 2, 3)
DAYS = [MONDAY + dt.timedelta(days=n) for n in range(14)]


def two_visits_a_day(person, unit, people, *, hours=(8, 18), skip=None):
    """Visits at ``hours`` every day of the period, staff taken in turn."""
    n = 0
    for day in DAYS:
        for hour in hours:
            if skip and skip(day, hour):
                continue
            make_visit(person, unit, at(day, hour), [people[n % len(people)]])
            n += 1


@pytest.fixture
def pool(unit):
    return [staff(unit, f"p{n:02d}") for n in range(21)]


def test_kpi_counts_eligible_clients_and_their_staff(unit, pool):
    old = client(unit, "Olga", "Gammal", "K1", born=dt.date(1940, 1, 1), serial=2)
    two_visits_a_day(old, unit, pool[:3])
    # Exactly 65 on the first day: included.
    turning = client(unit, "Tore", "Sextiofem", "K2", born=dt.date(1960, 2, 3), serial=3)
    two_visits_a_day(turning, unit, pool[3:5])
    # 65 one day later: not included.
    young = client(unit, "Ylva", "Ung", "K3", born=dt.date(1960, 2, 4), serial=4)
    two_visits_a_day(young, unit, pool[:2])
    # Meets 21 different people.
    many = client(unit, "Mats", "Många", "K4", born=dt.date(1930, 3, 3), serial=5)
    two_visits_a_day(many, unit, pool)

    kpi = continuity_kpi(unit, MONDAY)

    assert kpi.as_json() == {
        "unit": "U1",
        "from": "2025-02-03",
        "days": 14,
        "eligible_clients": 3,
        "median": 3,
        "mean": 8.6667,  # (3 + 2 + 21) / 3
        "share_over_20": 0.3333,
        "clients": [
            {"customer_number": "K4", "staff": 21},  # Mats Många
            {"customer_number": "K1", "staff": 3},
            {"customer_number": "K2", "staff": 2},
        ],
    }


def test_night_visits_neither_qualify_nor_add_staff(unit, pool):
    person = client(unit, "Nora", "Natt", "K1")
    two_visits_a_day(person, unit, pool[:2])
    # Night and early morning visits by others do not add to the count.
    make_visit(person, unit, at(DAYS[0], 22, 30), [pool[5]])
    make_visit(person, unit, at(DAYS[1], 6, 59), [pool[6]])
    # 22:00 exactly is still daytime.
    make_visit(person, unit, at(DAYS[2], 22, 0), [pool[7]])

    [row] = continuity_kpi(unit, MONDAY).clients

    assert row.staff == 3


def test_a_day_with_only_one_daytime_visit_makes_the_client_ineligible(unit, pool):
    person = client(unit, "Dag", "Ensam", "K1")
    last = DAYS[-1]
    two_visits_a_day(person, unit, pool[:2], skip=lambda day, hour: day == last and hour == 18)
    make_visit(person, unit, at(last, 23), [pool[0]])  # at night: does not help
    make_visit(person, unit, at(last, 19), [pool[0]], status=Visit.Status.CANCELLED)
    make_visit(person, unit, at(last, 20), [pool[0]], kind=Visit.Kind.ALARM)

    kpi = continuity_kpi(unit, MONDAY)

    assert kpi.eligible_clients == 0
    assert (kpi.median, kpi.mean, kpi.share_over_20) == (None, None, None)


def test_median_of_an_even_number_of_clients_is_a_half(unit, pool):
    for n, people in enumerate([pool[:2], pool[2:5]]):
        person = client(unit, "J", f"Jämn{n}", f"K{n}", born=dt.date(1935, 1, 1 + n), serial=n)
        two_visits_a_day(person, unit, people)

    kpi = continuity_kpi(unit, MONDAY)

    assert (kpi.median, kpi.mean) == (2.5, 2.5)


def test_the_length_is_a_parameter(unit, pool):
    person = client(unit, "Kort", "Period", "K1")
    for day in DAYS[:7]:
        make_visit(person, unit, at(day, 9), [pool[0]])
        make_visit(person, unit, at(day, 15), [pool[1]])

    assert continuity_kpi(unit, MONDAY, days=7).eligible_clients == 1
    assert continuity_kpi(unit, MONDAY).eligible_clients == 0
    assert continuity_kpi(unit, MONDAY, days=7).as_json()["days"] == 7


def test_units_separately_and_together(unit, other_unit, pool):
    south = [staff(other_unit, f"s{n}") for n in range(2)]
    person = client(unit, "Ulla", "Uppdelad", "K1")
    # Morning on the north unit, evening on the south: eligible only together.
    two_visits_a_day(person, unit, pool[:1], hours=(8,))
    two_visits_a_day(person, other_unit, south, hours=(18,))
    both = client(unit, "Bo", "Norr", "K2", born=dt.date(1939, 9, 9), serial=7)
    two_visits_a_day(both, unit, pool[1:3])

    per_unit = continuity_kpi_by_unit(unit.__class__.objects.order_by("code"), MONDAY)
    together = continuity_kpi(None, MONDAY)

    assert [(k.unit.code, k.eligible_clients) for k in per_unit] == [("U1", 1), ("U2", 0)]
    assert together.as_json()["unit"] is None
    assert [(c.customer_number, c.staff) for c in together.clients] == [("K2", 2), ("K1", 3)]
    assert together.median == 2.5


def test_contacts_do_not_matter_for_kpi(unit, pool):
    person = client(unit, "Kim", "Kontakt", "K1")
    appoint(person, unit, pool[0])
    two_visits_a_day(person, unit, pool[:4])
    assert continuity_kpi(unit, MONDAY).clients[0].staff == 4


def test_default_start_is_the_last_two_full_weeks():
    assert kpi_default_start(dt.date(2025, 2, 19)) == dt.date(2025, 2, 3)  # a Wednesday
    assert kpi_default_start(dt.date(2025, 2, 17)) == dt.date(2025, 2, 3)  # a Monday
    assert kpi_default_start(dt.date(2025, 2, 16)) == dt.date(2025, 1, 27)  # a Sunday


def test_kpi_queries_do_not_grow_with_the_data(unit, pool, django_assert_max_num_queries):
    def add(count, start):
        for n in range(start, start + count):
            born = dt.date(1930, 1, 1) + dt.timedelta(days=n)
            person = client(unit, "Q", f"P{n}", f"Q{n}", born=born, serial=n)
            for day in DAYS:
                make_visit(person, unit, at(day, 9), [pool[n % 21]], status="performed")
                make_visit(person, unit, at(day, 16), [pool[(n + 1) % 21]])

    add(3, 0)
    with CaptureQueriesContext(connection) as few:
        assert continuity_kpi(unit, MONDAY).eligible_clients == 3
    add(27, 3)
    with django_assert_max_num_queries(2), CaptureQueriesContext(connection) as many:
        assert continuity_kpi(unit, MONDAY).eligible_clients == 30
    assert len(few.captured_queries) == len(many.captured_queries)
