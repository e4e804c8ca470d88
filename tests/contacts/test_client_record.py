import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import history, reading, services
from contacts.roles import Role
from plans.models import ImplementationPlan
from tests.contacts.factories import (
    ClientFactory,
    RelativeFactory,
    ServiceFactory,
    StaffFactory,
    UnitFactory,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def britta(unit):
    return StaffFactory(
        units=[unit],
        first_name="Britta",
        last_name="Söder",
        signature="brs89",
        phone="0701 2365498",
        email="britta@example.org",
    )


def record(client, person, tab=None, **headers):
    url = person.get_absolute_url() + (f"?flik={tab}" if tab else "")
    return client.get(url, headers=headers)


def test_the_record_opens_on_the_care_contact_tab_with_all_five_tabs(
    client, manager, client_on_unit
):
    client.force_login(manager)
    html = record(client, client_on_unit).content.decode()
    for label in ("Person", "Närstående", "Kontakter", "Fast omsorgskontakt", "Övrig information"):
        assert f">{label}</a>" in html
    assert '?flik=fok" hx-get' in html
    assert 'id="tab-fok" href="/brukare/' in html
    # Exactly one tab is current (the main menu has no current link on this page).
    assert html.count('aria-current="page"') == 1
    assert 'id="tab-fok"' in html.split('aria-current="page"')[0].rsplit("<li>", 1)[1]


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("person", "Kundnummer"),
        ("narstaende", "Dotter"),
        ("kontakter", "Storgatan 1"),
        ("ovrigt", "Tycker om kaffe"),
    ],
)
def test_each_tab_shows_its_panel(client, manager, unit, tab, expected):
    person = ClientFactory(address="Storgatan 1", other_information="Tycker om kaffe")
    ServiceFactory(unit=unit, client=person)
    RelativeFactory(client=person, relation="Dotter")
    client.force_login(manager)
    html = record(client, person, tab).content.decode()
    assert expected in html
    current = html.split('aria-current="page"')[0].rsplit("<li>", 1)[1]
    assert f'id="tab-{tab}"' in current


def test_an_unknown_tab_falls_back_to_the_care_contact_tab(client, manager, client_on_unit):
    client.force_login(manager)
    response = record(client, client_on_unit, "nonsense")
    assert response.status_code == 200
    assert "Brukaren ej tillfrågad" in response.content.decode()


def test_htmx_gets_only_the_record_region(client, manager, client_on_unit):
    client.force_login(manager)
    response = record(client, client_on_unit, "person", HX_Request="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="client-record"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_the_care_contact_tab_shows_contacts_audit_journal_and_plan(
    client, manager, unit, client_on_unit, britta
):
    greta = StaffFactory(units=[unit], first_name="Greta", last_name="Olsson", signature="greal")
    chef_staff = StaffFactory(
        units=[unit],
        first_name="Susanne",
        last_name="Apo",
        signature="susapo",
        title="unit_manager",
    )
    chef_staff.user = manager
    chef_staff.save()
    ImplementationPlan.objects.create(
        client=client_on_unit, unit=unit, period_start=dt.date(2025, 1, 1)
    )
    services.care_contact_change(
        client=client_on_unit,
        unit=unit,
        status="accepted",
        ordinary=britta,
        deputy=greta,
        by=manager,
    )
    client.force_login(manager)
    html = record(client, client_on_unit, "fok").content.decode()
    assert "Brukaren tackar ja" in html
    assert "Britta Söder" in html and "@brs89" in html and "Undersköterska" in html
    assert "0701 2365498" in html and "britta@example.org" in html
    assert "Greta Olsson" in html and "@greal" in html
    # Handbook 1.5: name, id and role.
    assert "Skapad av: Susanne Apo (@susapo) [Enhetschef]" in html
    assert "Ändrad av: Susanne Apo (@susapo) [Enhetschef]" in html
    assert "Journalanteckning skapad" in html
    assert "Genomförandeplanen uppdaterad" in html


def test_no_plan_line_without_an_active_plan(client, manager, unit, client_on_unit, britta):
    services.care_contact_change(
        client=client_on_unit, unit=unit, status="accepted", ordinary=britta, by=manager
    )
    client.force_login(manager)
    html = record(client, client_on_unit, "fok").content.decode()
    assert "Journalanteckning skapad" in html
    assert "Genomförandeplanen uppdaterad" not in html


def test_a_user_without_staff_record_is_shown_by_name(
    client, manager, unit, client_on_unit, britta
):
    services.care_contact_change(
        client=client_on_unit, unit=unit, status="accepted", ordinary=britta, by=manager
    )
    client.force_login(manager)
    html = record(client, client_on_unit, "fok").content.decode()
    assert "Skapad av: Chef," in html


def test_contacts_on_other_units_are_shown_read_only(
    client, manager, unit, other_unit, client_on_unit
):
    ServiceFactory(unit=other_unit, client=client_on_unit, kind="cleaning")
    elsewhere = StaffFactory(
        units=[other_unit], first_name="Ines", last_name="Isaksson", signature="inis"
    )
    services.care_contact_change(
        client=client_on_unit, unit=other_unit, status="accepted", ordinary=elsewhere
    )
    client.force_login(manager)
    html = record(client, client_on_unit, "fok").content.decode()
    others = html.split('data-testid="fok-others"')[1]
    assert "Hemtjänst Söder" in others
    assert "Ines Isaksson (@inis)" in others
    # The manager may change the contact on their own unit only.
    assert reverse("fok_edit", args=[client_on_unit.pk, unit.pk]) in html
    assert reverse("fok_edit", args=[client_on_unit.pk, other_unit.pk]) not in html


def test_ended_services_do_not_show_a_care_contact_section(client, manager, unit, client_on_unit):
    old = UnitFactory(code="U9", name="Gammal enhet")
    ServiceFactory(unit=old, client=client_on_unit, end=dt.date(2025, 1, 31))
    client.force_login(manager)
    html = record(client, client_on_unit, "fok").content.decode()
    assert "Gammal enhet" not in html


def test_care_staff_see_the_contact_but_no_edit_link(client, carer, unit, client_on_unit, britta):
    services.care_contact_change(
        client=client_on_unit, unit=unit, status="accepted", ordinary=britta
    )
    client.force_login(carer)
    html = record(client, client_on_unit, "fok").content.decode()
    assert "Britta Söder" in html
    assert ">Ändra</a>" not in html


def test_a_client_outside_the_users_units_gives_404(client, other_unit):
    outsider = ServiceFactory(unit=other_unit).client
    client.force_login(make_user("x", role=Role.UNIT_MANAGER, units=[UnitFactory()]))
    assert record(client, outsider).status_code == 404


def test_the_care_contact_tab_uses_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, unit
):
    units = [unit] + [UnitFactory(code=f"Q{i}", name=f"Enhet {i}") for i in range(4)]
    manager = make_user("chef", role=Role.UNIT_MANAGER, units=units[:3])
    StaffFactory(title="unit_manager", user=manager)
    person = ClientFactory()
    for u in units:
        ServiceFactory(unit=u, client=person)
        ordinary, deputy = StaffFactory(units=[u]), StaffFactory(units=[u])
        services.care_contact_change(
            client=person, unit=u, status="accepted", ordinary=ordinary, by=manager
        )
        ImplementationPlan.objects.create(client=person, unit=u, period_start=dt.date(2025, 1, 1))
        services.care_contact_change(
            client=person, unit=u, status="accepted", ordinary=ordinary, deputy=deputy, by=manager
        )
    client.force_login(manager)
    # session, user, the user's permissions (2), client, services, the user's
    # units, the client's changes there, the people who registered them, the
    # plan updates of the latest, the change requests, the active plans (the
    # deadlines reuse the record's services) and the access log row (on
    # PostgreSQL with the SET LOCAL that spares its commit the disk wait): the
    # same for five units as for one.
    with django_assert_max_num_queries(14):
        response = record(client, person, "fok")
    html = response.content.decode()
    # Three units are the manager's (full sections), two are other units (short form).
    assert html.count("Journalanteckning skapad") == 3
    assert html.count("Genomförandeplanen uppdaterad") == 3
    assert html.count(">Ändra</a>") == 3
    assert html.count('data-testid="fok-other-') == 2


def test_the_record_shows_the_change_in_force_today_and_the_latest_registered(
    manager, unit, client_on_unit, britta
):
    """Back-dated, same-day and future changes: the record's contact is the one
    in force at the end of today (contacts.history's rule, as the database
    query in_force finds it); the journal note and plan line belong to the
    change registered last, whatever its date."""
    today = timezone.localdate()
    greta = StaffFactory(units=[unit], first_name="Greta", last_name="Olsson")
    ImplementationPlan.objects.create(
        client=client_on_unit, unit=unit, period_start=today - dt.timedelta(days=60)
    )

    def change(ordinary, days, status="accepted"):
        return services.care_contact_change(
            client=client_on_unit,
            unit=unit,
            status=status,
            ordinary=ordinary,
            effective=today + dt.timedelta(days=days),
            reason="" if ordinary else "Vill inte ha någon fast kontakt.",
            by=manager,
        )

    def shown():
        uc = reading.client_record(client=client_on_unit, user=manager, on=today).for_unit(unit.pk)
        expected = history.in_force(today).filter(client=client_on_unit, unit=unit).first()
        assert uc.contact == expected
        return uc

    assert shown().contact is None  # not asked yet

    ten_days_ago = change(britta, -10)
    uc = shown()
    assert uc.contact == ten_days_ago and uc.contact.ordinary == britta
    assert uc.latest_change == ten_days_ago and uc.plan_updated
    assert uc.contact.changed_by == manager and uc.contact.care_contact.created_by == manager

    # Registered later but dated earlier: history, not today's contact.
    twenty_days_ago = change(greta, -20)
    uc = shown()
    assert uc.contact == ten_days_ago
    assert uc.latest_change == twenty_days_ago and uc.journal_note is not None

    # Two changes today: the one registered last is in force at the end of the day.
    change(greta, 0)
    today_final = change(None, 0, status="declined")
    uc = shown()
    assert uc.contact == today_final and uc.status == "declined"

    # Dated in the future: registered last, not in force until its day.
    future = change(greta, 3)
    uc = shown()
    assert uc.contact == today_final and uc.latest_change == future
