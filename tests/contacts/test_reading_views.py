import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from contacts import services
from contacts.roles import Role
from tests.contacts.factories import (
    ClientFactory,
    ServiceFactory,
    StaffFactory,
    VisitFactory,
    make_user,
)

pytestmark = pytest.mark.django_db

STHLM = ZoneInfo("Europe/Stockholm")
MY_CLIENTS = reverse("my_clients")
PLANNING = reverse("planning")


def on_unit(unit, first, last, **fields):
    person = ClientFactory(first_name=first, last_name=last, **fields)
    ServiceFactory(unit=unit, client=person)
    return person


@pytest.fixture
def me(carer, unit):
    """The logged-in carer's own staff record."""
    return StaffFactory(units=[unit], first_name="Mia", last_name="Mobil", user=carer)


# --- Mina brukare ---------------------------------------------------------------------


def test_my_clients_lists_where_i_am_contact_and_everyone_on_my_units(
    client, carer, me, unit, other_unit
):
    colleague = StaffFactory(
        units=[unit], first_name="Kalle", last_name="Kollega", phone="070-111 22 33"
    )
    anna = on_unit(unit, "Anna", "Andersson", phone="0470-123 45", address="Storgatan 1")
    bertil = on_unit(unit, "Bertil", "Berg")
    cecilia = on_unit(unit, "Cecilia", "Ceder")
    on_unit(unit, "David", "Dahl")
    on_unit(other_unit, "Erik", "Elsewhere")
    services.care_contact_change(client=anna, unit=unit, status="accepted", ordinary=me)
    services.care_contact_change(
        client=bertil, unit=unit, status="accepted", ordinary=colleague, deputy=me
    )
    services.care_contact_change(client=cecilia, unit=unit, status="accepted", ordinary=colleague)

    client.force_login(carer)
    html = client.get(MY_CLIENTS).content.decode()
    mine, everyone = html.split('data-testid="unit-clients"')
    mine = mine.split('data-testid="my-contacts"')[1]
    assert "Anna Andersson" in mine and "Bertil Berg" in mine
    assert "Cecilia Ceder" not in mine
    assert mine.index("Anna Andersson") < mine.index("Bertil Berg")  # ordinary before deputy
    assert 'href="tel:0470-123 45"' in mine
    for name in ("Anna Andersson", "Bertil Berg", "Cecilia Ceder", "David Dahl"):
        assert name in everyone
    assert "Elsewhere" not in html
    # Cecilia's contact with a tap-to-call number; David has none yet.
    assert 'Fast omsorgskontakt: Kalle Kollega <a class="fok-mc-call" href="tel:070-111 22 33"' in (
        everyone
    )
    assert "Brukaren ej tillfrågad" in everyone


def test_my_clients_escapes_names_and_numbers_in_the_unit_list(client, carer, unit):
    # The unit list's items are markup built in Python (for speed): the texts
    # in them must still be escaped.
    odd = StaffFactory(units=[unit], first_name="<i>Ola</i>", last_name="O'Hara", phone='07"0')
    eva = on_unit(unit, "<b>Eva</b>", "Ek & Co")
    services.care_contact_change(client=eva, unit=unit, status="accepted", ordinary=odd)
    client.force_login(carer)
    everyone = client.get(MY_CLIENTS).content.decode().split('data-testid="unit-clients"')[1]
    assert "&lt;b&gt;Eva&lt;/b&gt; Ek &amp; Co</a>" in everyone
    assert (
        "Fast omsorgskontakt: &lt;i&gt;Ola&lt;/i&gt; O&#x27;Hara "
        '<a class="fok-mc-call" href="tel:07&quot;0">07&quot;0</a>'
    ) in everyone
    assert "<b>Eva</b>" not in everyone and "<i>Ola</i>" not in everyone


def test_my_clients_search_by_name(client, carer, me, unit):
    on_unit(unit, "Anna", "Andersson")
    on_unit(unit, "Bertil", "Berg")
    client.force_login(carer)
    html = client.get(MY_CLIENTS, {"q": "berg"}).content.decode()
    assert "Bertil Berg" in html
    assert "Anna Andersson" not in html


def test_my_clients_search_for_nobody_says_so(client, carer, me, unit):
    on_unit(unit, "Anna", "Andersson")
    client.force_login(carer)
    html = client.get(MY_CLIENTS, {"q": "zzz"}).content.decode()
    assert "Ingen brukare matchar sökningen." in html


def test_my_clients_htmx_search_returns_only_the_results(client, carer, unit):
    on_unit(unit, "Anna", "Andersson")
    client.force_login(carer)
    response = client.get(MY_CLIENTS, {"q": "anna"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="mc-results"')
    assert "Anna Andersson" in html


def test_my_clients_without_a_staff_record_shows_the_unit_list(client, carer, unit):
    on_unit(unit, "Anna", "Andersson")
    client.force_login(carer)
    html = client.get(MY_CLIENTS).content.decode()
    assert 'data-testid="my-contacts"' not in html
    assert "Anna Andersson" in html


def test_my_clients_uses_a_bounded_number_of_queries(
    client, carer, me, unit, django_assert_max_num_queries
):
    for i in range(12):
        person = on_unit(unit, f"Namn{i}", "Testsson")
        services.care_contact_change(
            client=person,
            unit=unit,
            status="accepted",
            ordinary=me if i % 2 else StaffFactory(units=[unit]),
        )
    client.force_login(carer)
    # session, user, permissions (2), staff, pairs, clients, units, contacts,
    # and the access log row (on PostgreSQL with its SET LOCAL).
    with django_assert_max_num_queries(13):
        response = client.get(MY_CLIENTS)
    assert response.content.decode().count("Namn") >= 12


# --- Planering --------------------------------------------------------------------------


@pytest.fixture
def coordinator(unit):
    return make_user("samordnare", role=Role.COORDINATOR, units=[unit])


def at(day, hour):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=STHLM)


def test_planning_shows_the_days_visits_per_client_with_the_contact_marked(
    client, coordinator, unit
):
    day = dt.date(2025, 3, 12)  # a Wednesday
    britta = StaffFactory(units=[unit], first_name="Britta", last_name="Söder", signature="brs89")
    other = StaffFactory(units=[unit], first_name="Olle", last_name="Annan")
    anna = on_unit(unit, "Anna", "Andersson")
    services.care_contact_change(
        client=anna, unit=unit, status="accepted", ordinary=britta, effective=dt.date(2025, 3, 1)
    )
    VisitFactory(client=anna, unit=unit, start=at(day, 8), planned_staff=[britta])
    VisitFactory(client=anna, unit=unit, start=at(day, 13), planned_staff=[other])
    VisitFactory(client=anna, unit=unit, start=at(day + dt.timedelta(days=1), 8), staff=[britta])

    client.force_login(coordinator)
    response = client.get(PLANNING, {"datum": "2025-03-12"})
    assert response.status_code == 200
    html = response.content.decode()
    section = html.split(f'data-testid="plan-client-{anna.pk}"')[1]
    assert "Fast omsorgskontakt: <strong>Britta Söder (@brs89)</strong>" in section
    assert section.count("<li") == 2  # the visit the next day is not on this day
    assert section.count('class="fok-plan-mine"') == 1
    assert "2 besök" in html


def test_planning_tells_declined_from_not_asked(client, coordinator, unit):
    # Handbook 1.13: with no contact, the status says why.
    day = dt.date(2025, 3, 12)
    declined = on_unit(unit, "Nej", "Tack")
    services.care_contact_change(
        client=declined, unit=unit, status="declined", reason="Vill inte", effective=day
    )
    not_asked = on_unit(unit, "Inte", "Frågad")
    for person in (declined, not_asked):
        VisitFactory(client=person, unit=unit, start=at(day, 9))
    client.force_login(coordinator)
    html = client.get(PLANNING, {"datum": "2025-03-12"}).content.decode()
    first = html.split(f'data-testid="plan-client-{declined.pk}"')[1]
    second = html.split(f'data-testid="plan-client-{not_asked.pk}"')[1]
    assert "Ingen fast omsorgskontakt: Brukaren tackar nej" in first.split("</section>")[0]
    assert "Ingen fast omsorgskontakt: Brukaren ej tillfrågad" in second.split("</section>")[0]


def test_planning_week_runs_monday_to_sunday_with_prev_and_next(client, coordinator, unit):
    anna = on_unit(unit, "Anna", "Andersson")
    for day in (dt.date(2025, 3, 9), dt.date(2025, 3, 10), dt.date(2025, 3, 16)):
        VisitFactory(client=anna, unit=unit, start=at(day, 9))
    client.force_login(coordinator)
    html = client.get(PLANNING, {"datum": "2025-03-12", "vy": "vecka"}).content.decode()
    assert "2025-03-10 – 2025-03-16" in html
    assert "2 besök" in html  # Sunday the 9th belongs to the week before
    assert "datum=2025-03-05" in html and "datum=2025-03-19" in html


def test_planning_day_links_step_one_day(client, coordinator, unit):
    client.force_login(coordinator)
    html = client.get(PLANNING, {"datum": "2025-03-01"}).content.decode()
    assert "datum=2025-02-28" in html and "datum=2025-03-02" in html


def test_planning_marks_by_the_contact_in_force_on_the_visit_day(client, coordinator, unit):
    britta = StaffFactory(units=[unit])
    anna = on_unit(unit, "Anna", "Andersson")
    services.care_contact_change(
        client=anna, unit=unit, status="accepted", ordinary=britta, effective=dt.date(2025, 3, 12)
    )
    VisitFactory(client=anna, unit=unit, start=at(dt.date(2025, 3, 11), 9), staff=[britta])
    VisitFactory(client=anna, unit=unit, start=at(dt.date(2025, 3, 12), 9), staff=[britta])
    client.force_login(coordinator)
    html = client.get(PLANNING, {"datum": "2025-03-12", "vy": "vecka"}).content.decode()
    # Britta was not yet the contact on the 11th.
    assert html.count('class="fok-plan-mine"') == 1


def test_planning_bad_date_gives_a_swedish_message(client, coordinator, unit):
    client.force_login(coordinator)
    response = client.get(PLANNING, {"datum": "igår"})
    assert response.status_code == 200
    assert "”igår” är inget datum (ÅÅÅÅ-MM-DD). Visar i dag." in response.content.decode()


def test_planning_for_a_unit_outside_mine_falls_back(client, coordinator, unit, other_unit):
    on_unit(other_unit, "Erik", "Elsewhere")
    client.force_login(coordinator)
    html = client.get(PLANNING, {"enhet": other_unit.pk}).content.decode()
    assert "Enheten finns inte bland dina enheter" in html
    assert "Planering – Hemtjänst Norr" in html
    assert "Elsewhere" not in html


def test_planning_is_for_coordinators_and_managers(client, carer, manager):
    client.force_login(carer)
    assert client.get(PLANNING).status_code == 403
    client.force_login(manager)
    assert client.get(PLANNING).status_code == 200


def test_menu_links(client, carer, coordinator):
    client.force_login(carer)
    html = client.get(MY_CLIENTS).content.decode()
    assert f'href="{MY_CLIENTS}" aria-current="page"' in html
    assert f'href="{PLANNING}"' not in html
    client.force_login(coordinator)
    assert f'href="{PLANNING}"' in client.get(MY_CLIENTS).content.decode()
