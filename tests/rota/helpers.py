"""A small world for "Vem kommer?": one client on Hemtjänst Norr with three
staff members, and visits placed by local (Stockholm) time."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from contacts import services as contact_services
from contacts.models import CareContact, Staff, Visit
from tests.contacts.factories import StaffFactory, VisitFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_ids = itertools.count(1)


def staff(unit, first: str, last: str, title: str = Staff.Title.ASSISTANT_NURSE, phone: str = ""):
    return StaffFactory(
        units=[unit], first_name=first, last_name=last, title=title, phone=phone or "070-100 00 00"
    )


def accept(client, unit, ordinary, deputy, effective: dt.date) -> None:
    contact_services.care_contact_change(
        client=client,
        unit=unit,
        status=CareContact.Status.ACCEPTED,
        ordinary=ordinary,
        deputy=deputy,
        effective=effective,
    )


def visit(
    client,
    unit,
    start: dt.datetime,
    minutes: int | None = 30,
    planned=(),
    status: str = Visit.Status.PLANNED,
    kind: str = Visit.Kind.CARE,
    visit_id: str | None = None,
):
    """``start`` without tzinfo is Stockholm time."""
    if start.tzinfo is None:
        start = start.replace(tzinfo=STOCKHOLM)
    return VisitFactory(
        visit_id=visit_id or f"R{next(_ids)}",
        client=client,
        unit=unit,
        start=start,
        end=start + dt.timedelta(minutes=minutes) if minutes is not None else None,
        status=status,
        kind=kind,
        planned_staff=list(planned),
    )
