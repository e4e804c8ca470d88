"""Writes for "Vem kommer?": recording what was printed for the client."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction

from contacts.models import Client, Unit

from . import selectors
from .models import RotaPrintout


@transaction.atomic
def rota_printout_create(
    *, client: Client, unit: Unit, week_start: dt.date, by: User | None
) -> RotaPrintout:
    """Snapshot the client's week on the unit as it is printed now, linked to the
    previous printout of the same week so the sheet can mark what changed."""
    if week_start.weekday() != 0:
        raise ValueError("week_start must be a Monday")
    sheet = selectors.week_sheet(client=client, unit=unit, week_start=week_start)
    previous = selectors.latest_printout(client=client, unit=unit, week_start=week_start)
    return RotaPrintout.objects.create(
        client=client,
        unit=unit,
        week_start=week_start,
        rows=[line.as_json() for line in sheet.lines],
        contacts=[period.as_json() for period in sheet.contacts],
        unit_name=unit.name,
        unit_phone=unit.phone,
        previous=previous,
        printed_by=by,
    )
