import datetime as dt

import pytest

from contacts.models import Staff
from tests.contacts.factories import StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db

D = dt.date


def appointable_ids(on):
    return set(Staff.objects.filter(Staff.appointable_q(on)).values_list("pk", flat=True))


def check(staff, on, expected):
    """The method and the query must always agree."""
    assert staff.may_be_appointed(on) is expected
    assert (staff.pk in appointable_ids(on)) is expected


def test_an_undersköterska_with_a_certificate_may_be_appointed_from_its_date():
    staff = StaffFactory(title_certificate_date=D(2024, 3, 1), permanent_on_2023_07_01=False)
    check(staff, D(2024, 2, 29), False)
    check(staff, D(2024, 3, 1), True)
    check(staff, D(2040, 1, 1), True)


def test_the_transitional_rule_covers_up_to_30_june_2033():
    staff = StaffFactory(title_certificate_date=None, permanent_on_2023_07_01=True)
    check(staff, D(2023, 7, 1), True)
    check(staff, D(2033, 6, 30), True)
    check(staff, D(2033, 7, 1), False)
    assert "bevis" in " ".join(staff.appointment_obstacles(D(2033, 7, 1)))


def test_a_certificate_keeps_a_transitional_staff_member_eligible_after_2033():
    staff = StaffFactory(title_certificate_date=D(2030, 1, 1), permanent_on_2023_07_01=True)
    check(staff, D(2033, 7, 1), True)


@pytest.mark.parametrize(
    ("on", "expected"),
    [(D(2022, 9, 1), True), (D(2023, 6, 30), True), (D(2023, 7, 1), False), (D(2024, 3, 1), True)],
)
def test_the_title_rule_applies_from_1_july_2023_only(on, expected):
    # SoL 3 kap. 3 d §: before the rule, no title evidence was asked for.
    staff = StaffFactory(title_certificate_date=D(2024, 3, 1), permanent_on_2023_07_01=False)
    check(staff, on, expected)
    assert bool(staff.appointment_obstacles(on)) is not expected


def test_without_any_evidence_appointments_end_with_the_rule():
    staff = StaffFactory(title_certificate_date=None, permanent_on_2023_07_01=False)
    check(staff, D(2023, 6, 30), True)
    check(staff, D(2023, 7, 1), False)
    # The other conditions applied before the rule as well.
    check(StaffFactory(title=Staff.Title.CARE_AIDE), D(2023, 6, 30), False)


def test_no_evidence_means_no_appointment():
    staff = StaffFactory(title_certificate_date=None, permanent_on_2023_07_01=False)
    check(staff, D(2025, 1, 1), False)


@pytest.mark.parametrize(
    "change",
    [
        {"title": Staff.Title.CARE_AIDE},
        {"title": Staff.Title.NURSE},
        {"fok_selectable": False},
        {"available": False},
        {"employment_end": D(2024, 12, 31)},
    ],
)
def test_each_condition_is_required(change):
    staff = StaffFactory(**change)
    check(staff, D(2025, 1, 1), False)
    assert staff.appointment_obstacles(D(2025, 1, 1))


def test_employment_counts_to_its_last_day():
    staff = StaffFactory(employment_end=D(2025, 1, 31))
    check(staff, D(2025, 1, 31), True)
    check(staff, D(2025, 2, 1), False)


def test_appointable_staff_is_limited_to_the_unit():
    from contacts.selectors import appointable_staff

    north, south = UnitFactory(), UnitFactory()
    here = StaffFactory(units=[north])
    StaffFactory(units=[south])
    StaffFactory(units=[north], available=False)
    assert list(appointable_staff(north, D(2025, 1, 1))) == [here]
