"""Small hand-made data sets for the continuity report and KKiK tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from contacts import services
from contacts.models import Visit
from contacts.personal_id import make_test_personnummer
from tests.contacts.factories import ClientFactory, ServiceFactory, StaffFactory, VisitFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FROM = dt.date(2025, 2, 1)
TO = dt.date(2025, 2, 16)


def at(day: dt.date | int, hour: int = 8, minute: int = 0) -> dt.datetime:
    """Stockholm wall-clock time; an int is a day of February 2025."""
    if isinstance(day, int):
        day = dt.date(2025, 2, day)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=STOCKHOLM)


def client(unit, first, last, number, *, born=dt.date(1940, 5, 5), serial=1, **service):
    person = ClientFactory(
        first_name=first,
        last_name=last,
        customer_number=number,
        personal_id=make_test_personnummer(born, serial, female=serial % 2 == 0),
    )
    ServiceFactory(client=person, unit=unit, start=service.get("start", dt.date(2024, 1, 1)))
    return person


def staff(unit, signature, first="Test", last=None):
    return StaffFactory(
        units=[unit], signature=signature, first_name=first, last_name=last or signature.title()
    )


def visit(person, unit, when, staff=(), *, status=Visit.Status.PERFORMED, kind=Visit.Kind.CARE):
    return VisitFactory(
        client=person, unit=unit, start=when, staff=list(staff), status=status, kind=kind
    )


def appoint(person, unit, ordinary, deputy=None, *, effective=dt.date(2024, 6, 1)):
    return services.care_contact_change(
        client=person,
        unit=unit,
        status="accepted",
        ordinary=ordinary,
        deputy=deputy,
        effective=effective,
    )


def kpi_example(unit, *, people=3, evening=20):
    """One client of 89 who counts for KKiK in the 14 days from 2025-02-03: a
    morning visit a day by one of ``people`` staff in turn, an evening visit
    (at ``evening`` o'clock) by the first. Returns the client."""
    team = [staff(unit, f"s{n}") for n in range(people)]
    person = client(unit, "Ebba", "Äldre", "K1", born=dt.date(1935, 5, 5))
    for day in range(14):
        date = dt.date(2025, 2, 3) + dt.timedelta(days=day)
        visit(person, unit, at(date, 8), [team[day % people]])
        visit(person, unit, at(date, evening), [team[0]])
    return person


def handbook_example(unit, other_unit):
    """The table of handbook 1.12.1 (2025-02-01 – 2025-02-16) rebuilt from data.

    Returns the clients by first name and the staff by signature."""
    s = {
        sig: staff(unit, sig)
        for sig in [
            "agd1",
            "agd2",
            "agd3",
            "bor1",
            "bor2",
            "kal1",
            "kal2",
            "kal3",
            "bal1",
            "mag1",
            "ost1",
            "ost2",
            "alb1",
        ]
    }
    s["alb2"] = staff(other_unit, "alb2")
    c = {
        "Agda": client(unit, "Agda", "Testsson", "6000002", born=dt.date(1941, 1, 1), serial=2),
        "Alberta": client(
            unit, "Alberta", "MultiUnit", "6000022", born=dt.date(1972, 3, 4), serial=4
        ),
        "Balder": client(unit, "Balder", "Den Vackre", "6000052", born=dt.date(1943, 1, 28)),
        "Börje": client(unit, "Börje", "Kvist", "6000010", born=dt.date(1946, 6, 6), serial=3),
        "Kalle": client(
            unit, 'Karl "Kalle"', "Kula", "6000003", born=dt.date(1931, 4, 21), serial=5
        ),
        "Magnus": client(
            unit, "Magnus", "Mångainsatser", "6000007", born=dt.date(1933, 1, 1), serial=7
        ),
        "Osten": client(unit, "Osten", "Test", "6000015", born=dt.date(1970, 2, 14), serial=9),
    }
    ServiceFactory(client=c["Alberta"], unit=other_unit, start=dt.date(2024, 1, 1))

    # Agda: ordinary agd1 and deputy agd2 all along; agd1 once, two others.
    appoint(c["Agda"], unit, s["agd1"], s["agd2"])
    visit(c["Agda"], unit, at(3), [s["agd1"]])
    visit(c["Agda"], unit, at(4), [s["agd3"]])
    visit(c["Agda"], unit, at(5), [s["kal3"]])
    # Alberta: her contact is on the other unit, so none here.
    appoint(c["Alberta"], other_unit, s["alb2"])
    visit(c["Alberta"], unit, at(6), [s["alb1"]])
    # Balder: an ordinary but no deputy, visited by someone else.
    appoint(c["Balder"], unit, s["bal1"])
    visit(c["Balder"], unit, at(7), [s["mag1"]])
    # Börje: ordinary once, then the deputy twice.
    appoint(c["Börje"], unit, s["bor1"], s["bor2"])
    visit(c["Börje"], unit, at(2), [s["bor1"]])
    visit(c["Börje"], unit, at(9), [s["bor2"]])
    visit(c["Börje"], unit, at(10), [s["bor2"]])
    # Kalle: kal2 visits twice but becomes deputy only on 10 February.
    appoint(c["Kalle"], unit, s["kal1"], s["kal3"])
    appoint(c["Kalle"], unit, s["kal1"], s["kal2"], effective=dt.date(2025, 2, 10))
    visit(c["Kalle"], unit, at(5), [s["kal2"]])
    visit(c["Kalle"], unit, at(12), [s["kal2"]])
    # Magnus: an ordinary, no deputy, someone else visits.
    appoint(c["Magnus"], unit, s["mag1"])
    visit(c["Magnus"], unit, at(8), [s["ost1"]])
    # Osten: an ordinary who never comes; ost1, ost1, ost2.
    appoint(c["Osten"], unit, s["bal1"])
    visit(c["Osten"], unit, at(3, 9), [s["ost1"]])
    visit(c["Osten"], unit, at(4, 9), [s["ost1"]])
    visit(c["Osten"], unit, at(5, 9), [s["ost2"]])
    return c, s
