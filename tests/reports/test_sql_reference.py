"""The reports computed in the database (reports.continuity and
reports.fok_statistics, one row per client) against the Python implementation
they replaced (reports.reference), on small
random municipalities from generate_scale_data: every figure must be identical,
to the last digit, on SQLite and on PostgreSQL."""

import dataclasses
import datetime as dt
import io

import pytest
from django.core.management import call_command

from contacts import visit_team
from contacts.models import Staff, Unit, Visit
from reports import continuity, fok_statistics, reference

pytestmark = pytest.mark.django_db

# One period over the start of summer time, one over its end.
CASES = [(11, dt.date(2025, 3, 24)), (12, dt.date(2024, 10, 21))]


def as_dicts(report):
    return dataclasses.asdict(report) | {"unit": getattr(report.unit, "pk", None)}


@pytest.mark.parametrize(("seed", "first"), CASES)
def test_sql_reports_equal_the_python_reference(seed, first):
    call_command(
        "generate_scale_data",
        *("--clients", "100", "--days", "8", "--from", first.isoformat()),
        *("--seed", str(seed)),
        stdout=io.StringIO(),
    )
    units = Unit.objects.order_by("code")
    one = units.first()
    last = first + dt.timedelta(days=7)
    periods = [(first, last), (first + dt.timedelta(days=2), first + dt.timedelta(days=4))]
    checked = 0
    for unit, scope in [(one, None), (None, None), (None, units.filter(pk=one.pk))]:
        for date_from, date_to in periods:
            sql = continuity.continuity_report(unit, date_from, date_to, units=scope)
            ref = reference.continuity_report(unit, date_from, date_to, units=scope)
            assert as_dicts(sql) == as_dicts(ref), (unit, date_from, date_to)
            checked += len(sql.clients)
        for days in (8, 4):
            sql_kpi = continuity.continuity_kpi(unit, first, days, units=scope)
            ref_kpi = reference.continuity_kpi(unit, first, days, units=scope)
            assert as_dicts(sql_kpi) == as_dicts(ref_kpi), (unit, days)
    by_unit = continuity.continuity_kpi_by_unit(units, first, 8)
    assert [as_dicts(k) for k in by_unit] == [
        as_dicts(k) for k in reference.continuity_kpi_by_unit(units, first, 8)
    ]
    for on in (first + dt.timedelta(days=5),):
        for unit, scope in [(one, None), (None, None), (None, units.filter(pk=one.pk))]:
            for status in fok_statistics.STATUSES:
                sql_fok = fok_statistics.fok_statistics(unit, status, on, scope)
                ref_fok = reference.fok_statistics(unit, status, on, scope)
                assert sql_fok == ref_fok, (unit, status, on)
                assert sql_fok.as_csv() == ref_fok.as_csv()
    # The data exercise what they should: contacts and their nulls, every reason.
    report = continuity.continuity_report(None, first, last)
    assert checked > 200
    assert all(report.excluded_by_reason.values())
    assert any(c.ordinary is None for c in report.clients)
    assert any(c.deputy is None and c.ordinary is not None for c in report.clients)
    assert any(c.double_staffed for c in report.clients)
    assert sum(k.eligible_clients for k in by_unit) > 0


def test_teams_of_three_and_more_equal_the_python_reference():
    """The report compares a team of one or two within the visit's row and
    looks at the staff rows of larger teams (reports.continuity): here a
    quarter of the performed visits get a staff member with a lower and one
    with a higher id than their own, so the ordinary, the deputy and the
    staff shared with the previous visit sit inside teams of three or four."""
    first = dt.date(2025, 3, 10)
    call_command(
        "generate_scale_data",
        *("--clients", "60", "--days", "6", "--from", first.isoformat(), "--seed", "7"),
        stdout=io.StringIO(),
    )
    staff = list(Staff.objects.order_by("pk"))
    lowest, highest = staff[0], staff[-1]
    performed = Visit.objects.filter(status=Visit.Status.PERFORMED).exclude(
        staff__in=[lowest, highest]
    )
    grown = list(performed.filter(team_size__gte=1).order_by("pk")[::4])
    for n, v in enumerate(grown):
        if n % 2:
            v.staff.add(highest, lowest)
        else:  # from the staff members' side
            highest.visits.add(v)
            lowest.visits.add(v)
    assert Visit.objects.filter(team_size__gte=3).count() > 20
    assert visit_team.mismatched() == []
    last = first + dt.timedelta(days=5)
    units = Unit.objects.order_by("code")
    one = units.first()
    for unit, scope in [(one, None), (None, None), (None, units.filter(pk=one.pk))]:
        sql = continuity.continuity_report(unit, first, last, units=scope)
        ref = reference.continuity_report(unit, first, last, units=scope)
        assert as_dicts(sql) == as_dicts(ref), unit
    report = continuity.continuity_report(None, first, last)
    # Plain numbers (a Decimal would compare equal to the reference's int).
    assert {type(value) for c in report.clients for value in dataclasses.astuple(c)} <= {
        int,
        float,
        str,
        type(None),
    }
    assert {type(n) for n in report.excluded_by_reason.values()} == {int}
    assert any(c.ordinary for c in report.clients)
    assert any(c.deputy for c in report.clients)
    assert any(c.secon for c in report.clients)
