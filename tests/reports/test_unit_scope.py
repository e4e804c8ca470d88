"""A user without units has an empty scope (Unit.objects.none()), which Django
compiles to no SQL at all: the reports computed in SQL must answer with no
rows, not a server error, while the same report over the unit has rows."""

import datetime as dt

from contacts.models import Unit
from reports.continuity import continuity_kpi, continuity_report
from reports.fok_statistics import fok_statistics
from tests.contacts.factories import ServiceFactory, StaffFactory, VisitFactory

DAY = dt.date(2025, 2, 3)


def test_an_empty_unit_scope_gives_empty_reports(unit):
    service = ServiceFactory(unit=unit, start=dt.date(2025, 1, 1))
    nurse = StaffFactory(units=[unit])
    VisitFactory(
        client=service.client,
        unit=unit,
        start=dt.datetime(2025, 2, 3, 8, 0, tzinfo=dt.UTC),
        staff=[nurse],
    )
    nothing = Unit.objects.none()
    everything = Unit.objects.all()

    assert continuity_report(None, DAY, DAY, units=nothing).clients == []
    assert len(continuity_report(None, DAY, DAY, units=everything).clients) == 1
    assert continuity_kpi(None, DAY, units=nothing).clients == []
    assert fok_statistics(None, "not_asked", DAY, units=nothing).clients == []
    assert len(fok_statistics(None, "not_asked", DAY, units=everything).clients) == 1
