"""Visit overview (handbook 1.12.2): marks, filter, pagination, CSV, access.

Period 2025-02-01..2025-02-07 on U1. Client Kerstin accepts on 2025-02-03 with
Anna (ordinary) and Bo (deputy); from 2025-02-05 Cecilia is the ordinary."""

import datetime as dt
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from contacts import services
from contacts.models import Visit
from contacts.roles import Role
from reports.visits import MARK_KEYS, rows, visit_overview
from tests.contacts.factories import ServiceFactory, StaffFactory, VisitFactory, make_user
from tests.jobs.helpers import pdf_from_job

STHLM = ZoneInfo("Europe/Stockholm")
START, END = dt.date(2025, 2, 1), dt.date(2025, 2, 7)


def at(day, hour, minute=0):
    return dt.datetime(2025, 2, day, hour, minute, tzinfo=STHLM)


@pytest.fixture
def people(unit):
    anna = StaffFactory(units=[unit], first_name="Anna", last_name="Ek", signature="anna")
    bo = StaffFactory(units=[unit], first_name="Bo", last_name="Berg", signature="bo")
    cecilia = StaffFactory(units=[unit], first_name="Cecilia", last_name="Al", signature="cec")
    client = ServiceFactory(
        unit=unit,
        start=dt.date(2025, 1, 1),
        client__first_name="Kerstin",
        client__last_name="Lund",
        client__customer_number="K1",
    ).client
    services.care_contact_change(
        client=client,
        unit=unit,
        status="accepted",
        ordinary=anna,
        deputy=bo,
        effective=dt.date(2025, 2, 3),
    )
    services.care_contact_change(
        client=client,
        unit=unit,
        status="accepted",
        ordinary=cecilia,
        deputy=bo,
        effective=dt.date(2025, 2, 5),
    )
    return {"anna": anna, "bo": bo, "cecilia": cecilia, "client": client}


@pytest.fixture
def visits(unit, other_unit, people):
    anna, bo, cecilia, client = people["anna"], people["bo"], people["cecilia"], people["client"]

    def visit(visit_id, start, staff, planned=(), **fields):
        return VisitFactory(
            visit_id=visit_id,
            client=client,
            unit=fields.pop("on", unit),
            start=start,
            staff=list(staff),
            planned_staff=list(planned),
            **fields,
        )

    # Before Anna was appointed: nothing to mark.
    visit("V1", at(2, 8), [anna], [anna])
    # 00:30 Stockholm time on 3 February is 2 February in UTC: the local date
    # decides, and Anna is the ordinary from the 3rd.
    visit("V2", at(3, 0, 30), [anna], [anna])
    # Bo, the deputy, instead of the planned Anna: contact and other staff.
    visit("V3", at(4, 9), [bo], [anna])
    # Anna is no longer the contact on the 5th; incomplete receipt.
    visit("V4", at(5, 9), [anna], [anna], receipt=Visit.Receipt.INCOMPLETE)
    # Cecilia (ordinary from the 5th), registered afterwards, no plan.
    visit("V5", at(5, 10), [cecilia], [], registered_afterwards=True)
    # Cancelled: a staff member on a visit that did not take place is no mark.
    visit("V6", at(6, 9), [bo], [anna], status=Visit.Status.CANCELLED)
    # Outside the period (the 8th) and on another unit.
    visit("V7", at(8, 0, 10), [cecilia], [cecilia])
    visit("V8", at(4, 12), [cecilia], [anna], on=other_unit)


def marks_by_visit(unit, **kwargs):
    found = visit_overview(unit, START, END, marks=MARK_KEYS, **kwargs)
    return {row.visit.visit_id: [m.key for m in row.marks] for row in rows(found, MARK_KEYS)}


def test_each_visit_gets_the_marks_that_apply(unit, visits):
    assert marks_by_visit(unit) == {
        "V1": [],
        "V2": ["fok"],
        "V3": ["annan_personal", "fok"],
        "V4": ["ofullstandig"],
        "V5": ["efterregistrerat", "fok"],
        "V6": [],
    }


def test_the_contact_role_says_ordinary_or_deputy(unit, visits):
    found = rows(visit_overview(unit, START, END, marks=["fok"]), ["fok"])
    roles = {row.visit.visit_id: row.contact_role for row in found}
    assert roles == {
        "V1": "",
        "V2": "ordinary",
        "V3": "deputy",
        "V4": "",
        "V5": "ordinary",
        "V6": "",
    }


def test_only_marked_keeps_visits_with_a_chosen_mark(unit, visits):
    fok_only = visit_overview(unit, START, END, marks=["fok"], only_marked=True)
    assert [v.visit_id for v in fok_only] == ["V2", "V3", "V5"]
    two = visit_overview(
        unit, START, END, marks=["ofullstandig", "annan_personal"], only_marked=True
    )
    assert [v.visit_id for v in two] == ["V3", "V4"]
    assert list(visit_overview(unit, START, END, marks=[], only_marked=True)) == []


def test_unchosen_marks_are_not_shown(unit, visits):
    found = rows(visit_overview(unit, START, END, marks=["ofullstandig"]), ["ofullstandig"])
    assert {row.visit.visit_id: [m.key for m in row.marks] for row in found}["V3"] == []


def test_query_count_is_fixed(unit, people):
    def add(n, offset):
        for i in range(n):
            VisitFactory(
                visit_id=f"Q{offset + i}",
                client=people["client"],
                unit=unit,
                start=at(1 + i % 7, 8 + i % 10),
                staff=[people["anna"], people["bo"]],
                planned_staff=[people["cecilia"]],
            )

    add(3, 0)
    with CaptureQueriesContext(connection) as small:
        assert len(rows(visit_overview(unit, START, END, marks=MARK_KEYS), MARK_KEYS)) == 3
    add(30, 100)
    with CaptureQueriesContext(connection) as large:
        assert len(rows(visit_overview(unit, START, END, marks=MARK_KEYS), MARK_KEYS)) == 33
    assert len(large.captured_queries) == len(small.captured_queries) == 3


# --- the page ---------------------------------------------------------------------------


@pytest.fixture
def coordinator(unit):
    return make_user("samordnare", role=Role.COORDINATOR, units=[unit])


def params(**extra):
    base = {"enhet": "U1", "fran": "2025-02-01", "till": "2025-02-07"}
    base.update(dict.fromkeys(MARK_KEYS, "on"))
    base.update(extra)
    return base


def test_the_page_lists_visits_with_marks_and_a_legend(client, coordinator, visits):
    client.force_login(coordinator)
    response = client.get(reverse("visit_overview"), params())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="legend"' in html
    assert 'data-testid="visit-count">6<' in html
    assert [r.visit.visit_id for r in response.context["rows"]] == [
        "V1",
        "V2",
        "V3",
        "V4",
        "V5",
        "V6",
    ]
    assert "Utförd av fast omsorgskontakt" in html


def test_the_page_filters_only_marked(client, coordinator, visits):
    client.force_login(coordinator)
    response = client.get(
        reverse("visit_overview"), {**params(endast_markerade="on"), "ofullstandig": ""}
    )
    chosen = [r.visit.visit_id for r in response.context["rows"]]
    # "Ofullständig kvittens" is unchecked (an empty value is false), so V4,
    # marked only for its receipt, drops out.
    assert chosen == ["V2", "V3", "V5"]


def test_the_page_paginates(client, coordinator, people, unit):
    for i in range(55):
        VisitFactory(visit_id=f"P{i}", client=people["client"], unit=unit, start=at(1 + i % 7, 7))
    client.force_login(coordinator)
    first = client.get(reverse("visit_overview"), params())
    assert len(first.context["rows"]) == 50
    second = client.get(reverse("visit_overview"), params(sida="2"))
    assert len(second.context["rows"]) == 5


def test_missing_dates_give_swedish_errors(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("visit_overview"), {"enhet": "U1", "fran": "", "till": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ange ett datum." in html
    assert "Ange datumet som ÅÅÅÅ-MM-DD." in html


def test_till_before_fran_is_an_error(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("visit_overview"), params(fran="2025-02-07", till="2025-02-01"))
    assert "Till-datumet kan inte vara före från-datumet." in response.content.decode()


def test_another_units_code_gives_404(client, coordinator, other_unit):
    client.force_login(coordinator)
    assert client.get(reverse("visit_overview"), params(enhet="U2")).status_code == 404
    assert client.get(reverse("visit_overview_csv"), params(enhet="U2")).status_code == 404


def test_care_staff_get_403(client, carer):
    client.force_login(carer)
    assert client.get(reverse("visit_overview")).status_code == 403
    assert client.get(reverse("visit_overview_csv"), params()).status_code == 403


def test_the_csv_has_every_visit_with_all_marks(client, coordinator, visits):
    client.force_login(coordinator)
    response = client.get(reverse("visit_overview_csv"), params())
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    # Swedish headers and labels, the unit first (reports.csv_columns).
    assert lines[0].startswith(
        "Enhetskod;Enhet;Besöks-id;Start;Slut;Kundnummer;Brukare;Typ;Status;Utförd av"
    )
    v3 = next(line for line in lines if ";V3;" in line)
    assert v3 == (
        "U1;Hemtjänst Norr;V3;2025-02-04 09:00;;K1;Kerstin Lund;Omsorg;Utfört;bo;anna;;"
        "nej;nej;ja;ja;vice"
    )
    assert len(lines) == 1 + 6


def test_the_pdf_is_a_pdf(client, coordinator, visits):
    client.force_login(coordinator)
    response = pdf_from_job(client, reverse("visit_overview"), params())
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert "Översikt besök" in text
    assert "Kerstin Lund" in text


def test_htmx_gets_only_the_overview_region(client, coordinator, visits):
    client.force_login(coordinator)
    response = client.get(reverse("visit_overview"), params(), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="overview">')
    assert "<html" not in html
