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

from contacts.models import Unit
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
