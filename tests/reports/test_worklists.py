"""Worklists (reports.worklists) and their page: exactly the right clients,
hand-built, with a fixed date."""

import datetime as dt

import pytest
from django.urls import reverse

from contacts import services
from contacts.models import CareContact, Staff, Unit
from contacts.roles import Role
from reports.worklists import worklists
from tests.contacts.factories import ServiceFactory, StaffFactory, make_user

pytestmark = pytest.mark.django_db

Status = CareContact.Status
D = dt.date
ON = D(2026, 3, 1)
START = D(2025, 1, 1)


def person_on(unit, first, start=START):
    return ServiceFactory(
        unit=unit, start=start, client__first_name=first, client__last_name="Test"
    ).client


def accept(person, unit, ordinary, deputy=None):
    # check_staff=False: the cases set up staff who may no longer be appointed.
    services.care_contact_change(
        client=person,
        unit=unit,
        status=Status.ACCEPTED,
        ordinary=ordinary,
        deputy=deputy,
        effective=D(2025, 1, 10),
        check_staff=False,
    )


def names(rows):
    return sorted(row.text for row in rows)


def mine(unit):
    return Unit.objects.filter(pk=unit.pk)


def test_not_asked_is_listed_from_the_fifteenth_day(unit, other_unit):
    person_on(unit, "Femton", start=ON - dt.timedelta(days=15))
    person_on(unit, "Fjorton", start=ON - dt.timedelta(days=14))
    asked = person_on(unit, "Tillfrågad", start=ON - dt.timedelta(days=40))
    services.care_contact_change(
        client=asked, unit=unit, status=Status.DECLINED, reason="Nej", effective=D(2026, 2, 1)
    )
    person_on(other_unit, "Annanstans", start=ON - dt.timedelta(days=40))
    rows = worklists(mine(unit), ON).not_asked
    assert names(rows) == ["Femton Test"]
    assert rows[0].detail == "start 2026-02-14, 15 dagar sedan"
    # Linked to the form where the client's contact is set.
    assert rows[0].url == reverse("fok_edit", args=[rows[0].client.pk, unit.pk])


def test_accepted_with_unavailable_ordinary_or_missing_deputy(unit, other_unit):
    good, deputy = StaffFactory(units=[unit]), StaffFactory(units=[unit])
    away = StaffFactory(units=[unit], first_name="Borta", last_name="Bort")
    accept(person_on(unit, "Fin"), unit, good, deputy)
    accept(person_on(unit, "Otillgänglig"), unit, away, deputy)
    accept(person_on(unit, "Utanvice"), unit, good)
    far = StaffFactory(units=[other_unit])
    accept(person_on(other_unit, "Annanstans"), other_unit, far)
    Staff.objects.filter(pk=away.pk).update(available=False)

    rows = {row.text: row.detail for row in worklists(mine(unit), ON).contact_problems}
    assert set(rows) == {"Otillgänglig Test", "Utanvice Test"}
    assert rows["Otillgänglig Test"] == "ordinarie Borta Bort är inte tillgänglig"
    assert rows["Utanvice Test"] == "vice saknas"


def test_title_evidence_is_listed_once_per_staff_member(unit, other_unit):
    certified = StaffFactory(units=[unit], first_name="Cert", last_name="Ok")
    missing = StaffFactory(
        units=[unit], first_name="Utan", last_name="Bevis", title_certificate_date=None
    )
    transitional = StaffFactory(
        units=[unit],
        first_name="Över",
        last_name="Gång",
        title_certificate_date=None,
        permanent_on_2023_07_01=True,
    )
    accept(person_on(unit, "Anna"), unit, certified, missing)
    accept(person_on(unit, "Bo"), unit, transitional)
    accept(person_on(unit, "Cissi"), unit, missing)
    elsewhere = StaffFactory(units=[other_unit], title_certificate_date=None)
    accept(person_on(other_unit, "Annanstans"), other_unit, elsewhere)

    lists = worklists(mine(unit), ON)
    # The transitional rule ends in 2033: nothing to do about it in 2026.
    rows = {row.text: (row.detail, row.url) for row in lists.title_evidence}
    assert rows == {
        str(missing): (
            "bevis saknas; ordinarie för 1, vice för 1 brukare",
            reverse("staff_detail", args=[missing.pk]),
        )
    }
    # The same missing evidence is not repeated per client among the contacts.
    assert all("bevis" not in row.detail for row in lists.contact_problems)


@pytest.mark.parametrize(
    ("on", "listed"),
    [(D(2032, 6, 30), False), (D(2032, 7, 1), True), (D(2033, 6, 30), True)],
)
def test_the_transitional_rule_is_listed_in_its_last_twelve_months(unit, on, listed):
    transitional = StaffFactory(
        units=[unit], title_certificate_date=None, permanent_on_2023_07_01=True
    )
    accept(person_on(unit, "Bo"), unit, transitional, StaffFactory(units=[unit]))
    details = [row.detail for row in worklists(mine(unit), on).title_evidence]
    expected = [
        "övergångsregeln gäller bara till och med 2033-06-30; ordinarie för 1, vice för 0 brukare"
    ]
    assert details == (expected if listed else [])


def test_the_transitional_rule_has_expired_on_2033_07_01(unit):
    transitional = StaffFactory(
        units=[unit], title_certificate_date=None, permanent_on_2023_07_01=True
    )
    later = StaffFactory(units=[unit], title_certificate_date=D(2033, 8, 1))
    accept(person_on(unit, "Bo"), unit, transitional, later)

    lists = worklists(mine(unit), D(2033, 7, 1))
    assert {row.detail for row in lists.title_evidence} == {
        "beviset gäller inte 2033-07-01; ordinarie för 1, vice för 0 brukare",
        "beviset gäller inte 2033-07-01; ordinarie för 0, vice för 1 brukare",
    }


def test_overloaded_staff(unit, other_unit):
    busy = StaffFactory(units=[unit], first_name="Mycket", last_name="Att göra")
    some = StaffFactory(units=[unit])
    StaffFactory(units=[unit])  # appointable, no clients: part of the average
    for i in range(5):
        accept(person_on(unit, f"Busy{i}"), unit, busy)
    accept(person_on(unit, "Some"), unit, some)
    # On another unit one person has everyone: not my list.
    lone = StaffFactory(units=[other_unit])
    StaffFactory.create_batch(2, units=[other_unit])
    for i in range(5):
        accept(person_on(other_unit, f"Far{i}"), other_unit, lone)

    rows = worklists(mine(unit), ON).overloaded_staff
    # 6 clients over 3 appointable staff: average 2; 5 > 2 × 1.5 and 5 − 2 ≥ 2.
    assert [(row.staff, row.detail) for row in rows] == [
        (busy, "5 brukare som ordinarie, snittet är 2,0")
    ]
    assert rows[0].url == reverse("staff_detail", args=[busy.pk])


# --- the page -----------------------------------------------------------------------------

URL = reverse("worklists")


def test_the_page_shows_each_section_with_its_count_and_links(client, manager, unit, other_unit):
    person_on(unit, "Glömd", start=D(2025, 1, 1))
    person_on(other_unit, "Annanstans", start=D(2025, 1, 1))
    client.force_login(manager)
    response = client.get(URL)
    assert response.status_code == 200
    sections = {s["key"]: s["rows"] for s in response.context["sections"]}
    assert names(sections["not_asked"]) == ["Glömd Test"]
    html = response.content.decode()
    assert 'data-testid="count-not_asked">1<' in html
    assert "Annanstans" not in html
    person = sections["not_asked"][0].client
    assert f'href="{reverse("fok_edit", args=[person.pk, unit.pk])}"' in html
    # The start page's badges count the same rows.
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="summary-not_asked">1<' in home


def test_the_unit_filter_and_its_scope(client, unit, other_unit):
    user = make_user("samordnare", role=Role.COORDINATOR, units=[unit, other_unit])
    person_on(unit, "Norr")
    person_on(other_unit, "Söder")
    client.force_login(user)
    assert names(client.get(URL).context["sections"][0]["rows"]) == ["Norr Test", "Söder Test"]
    only = client.get(f"{URL}?enhet={other_unit.pk}")
    assert names(only.context["sections"][0]["rows"]) == ["Söder Test"]
    stranger = ServiceFactory().unit
    assert client.get(f"{URL}?enhet={stranger.pk}").status_code == 404
    assert client.get(f"{URL}?enhet=abc").status_code == 200


def test_long_lists_show_their_first_rows_and_one_list_pages_through_the_rest(
    client, manager, unit, monkeypatch
):
    """A municipality's lists hold thousands of rows: the page shows the first
    of each, "Visa alla" opens one list a page at a time, and only the rows
    shown are logged as read."""
    from audit.models import AccessLogEntry

    monkeypatch.setattr("reports.views.worklists.SECTION_ROWS", 2)
    monkeypatch.setattr("reports.views.worklists.LIST_PAGE_SIZE", 2)
    people = [person_on(unit, first) for first in ("Anna", "Bo", "Cissi")]
    client.force_login(manager)

    response = client.get(URL)
    html = response.content.decode()
    first = {s["key"]: s for s in response.context["sections"]}["not_asked"]
    assert (first["count"], len(first["rows"])) == (3, 2)
    assert 'data-testid="count-not_asked">3<' in html
    assert 'href="?lista=not_asked" data-testid="more-not_asked"' in html
    assert "Visa alla 3 (här visas de 2 första)" in html
    logged = AccessLogEntry.objects.latest("pk")
    assert sorted(logged.client_ids) == sorted(row.client.pk for row in first["rows"])

    page_two = client.get(URL, {"lista": "not_asked", "sida": "2"})
    html = page_two.content.decode()
    [section] = page_two.context["sections"]
    assert section["key"] == "not_asked" and len(section["rows"]) == 1
    assert "Sida 2 av 2" in html and 'href="?lista=not_asked&amp;sida=1" rel="prev"' in html
    assert 'data-testid="section-plans"' not in html and 'data-testid="all-lists"' in html
    assert AccessLogEntry.objects.latest("pk").client_ids == [section["rows"][0].client.pk]
    assert {row.client.pk for row in first["rows"] + section["rows"]} == {p.pk for p in people}

    # With a unit chosen the links keep it; an unknown list shows them all.
    chosen = client.get(URL, {"enhet": unit.pk}).content.decode()
    assert f'href="?enhet={unit.pk}&amp;lista=not_asked"' in chosen
    assert len(client.get(URL, {"lista": "okänd"}).context["sections"]) == 5


def test_care_staff_do_not_get_worklists(client, carer):
    client.force_login(carer)
    assert client.get(URL).status_code == 403


def test_the_start_page_summary_include(rf, manager, unit):
    from django.template.loader import render_to_string

    from reports.views.worklists import worklist_summary

    person_on(unit, "Glömd")
    request = rf.get("/")
    request.user = manager
    html = render_to_string("reports/_worklist_summary.html", worklist_summary(request))
    assert 'data-testid="summary-not_asked">1<' in html
    assert f'href="{URL}#wl-not_asked"' in html
    request.user = make_user("personal2", role=Role.CARE_STAFF, units=[unit])
    assert not render_to_string("reports/_worklist_summary.html", worklist_summary(request)).strip()


def test_the_lists_take_a_fixed_number_of_queries_and_keep_their_order(
    unit, other_unit, django_assert_num_queries, django_assert_max_num_queries
):
    """An administrator's start page covers every unit: the lists read the
    contacts as plain rows, each staff member once and only the clients of
    the rows listed, whatever their number."""
    away = StaffFactory(units=[unit, other_unit], first_name="Borta", last_name="Bort")
    deputy = StaffFactory(units=[unit, other_unit])
    both = Unit.objects.filter(pk__in=[unit.pk, other_unit.pk])

    def add(first, last):
        for i in range(first, last):
            accept(person_on(unit, f"Norr{i:02d}"), unit, away)
            accept(person_on(other_unit, f"Söder{i:02d}"), other_unit, away, deputy)

    add(0, 2)
    Staff.objects.filter(pk=away.pk).update(available=False)
    list(both)  # the units are read once by the caller (the start page)
    # The not-asked list (2), the contacts, their staff, the clients of the
    # problems, the appointable staff and the plan deadlines (2).
    with django_assert_max_num_queries(8) as few:
        worklists(both, ON)
    add(2, 8)
    Staff.objects.filter(pk=away.pk).update(available=False)
    with django_assert_num_queries(len(few.captured_queries)):
        rows = worklists(both, ON).contact_problems
    # By unit name, then client name, as the contacts are read.
    assert [row.text for row in rows] == [
        *(f"Norr{i:02d} Test" for i in range(8)),
        *(f"Söder{i:02d} Test" for i in range(8)),
    ]
    assert rows[0].detail == "ordinarie Borta Bort är inte tillgänglig; vice saknas"
    assert rows[-1].unit == other_unit and rows[-1].client.first_name == "Söder07"


def test_the_rows_of_a_long_list_are_made_only_as_they_are_read():
    from reports.worklists import LazyRows

    made: list[list[int]] = []

    def make(some):
        made.append(list(some))
        return [f"rad {n}" for n in some]

    rows = LazyRows(list(range(10)), make)
    assert len(rows) == 10 and made == []  # counted without a row made
    assert rows[:3] == ["rad 0", "rad 1", "rad 2"] and made == [[0, 1, 2]]
    assert rows[-1] == "rad 9" and made[-1] == [9]
    assert list(rows) == [f"rad {n}" for n in range(10)]
    assert rows == [f"rad {n}" for n in range(10)] and rows != ["rad 0"]
