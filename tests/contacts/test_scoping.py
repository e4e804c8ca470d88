import pytest
from django.urls import reverse

from contacts import access
from contacts.roles import Role
from tests.contacts.factories import ServiceFactory, StaffFactory, make_user

pytestmark = pytest.mark.django_db


def test_a_user_never_reaches_another_units_client(client, unit, other_unit, carer):
    mine = ServiceFactory(unit=unit).client
    theirs = ServiceFactory(unit=other_unit).client
    client.force_login(carer)

    assert client.get(reverse("client_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("client_detail", args=[theirs.pk])).status_code == 404
    assert list(access.clients_for_user(carer)) == [mine]


def test_a_client_on_two_units_is_reached_from_both(unit, other_unit):
    shared = ServiceFactory(unit=unit).client
    ServiceFactory(unit=other_unit, client=shared)
    north = make_user("north", units=[unit])
    south = make_user("south", units=[other_unit])
    assert list(access.clients_for_user(north)) == [shared]
    assert list(access.clients_for_user(south)) == [shared]


def test_staff_and_units_are_scoped(unit, other_unit, carer):
    here = StaffFactory(units=[unit])
    StaffFactory(units=[other_unit])
    assert list(access.staff_for_user(carer)) == [here]
    assert list(access.units_for_user(carer)) == [unit]


def test_administrators_see_every_unit(unit, other_unit):
    admin = make_user("admin", role=Role.ADMINISTRATOR)
    assert set(access.units_for_user(admin)) == {unit, other_unit}


def test_a_user_without_units_sees_nothing(client, unit):
    lonely = make_user("lonely", units=[])
    ServiceFactory(unit=unit)
    client.force_login(lonely)
    response = client.get(reverse("home"))
    assert "inte kopplad till någon enhet" in response.content.decode()
    assert not access.clients_for_user(lonely).exists()


def test_only_unit_managers_of_the_unit_may_change_contacts(unit, other_unit, manager, carer):
    assert access.can_change_contacts(manager, unit)
    assert not access.can_change_contacts(manager, other_unit)
    assert not access.can_change_contacts(carer, unit)


def test_pages_require_login(client, unit):
    target = ServiceFactory(unit=unit).client
    for url in (reverse("home"), reverse("client_detail", args=[target.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_start_page_lists_only_not_handled_clients_of_my_units(client, unit, other_unit, manager):
    waiting = ServiceFactory(unit=unit, client__last_name="Väntarsson").client
    ServiceFactory(unit=other_unit, client__last_name="Annanenhet")
    ended = ServiceFactory(
        unit=unit, client__last_name="Avslutad", end="2020-01-31", start="2020-01-01"
    )
    client.force_login(manager)
    html = client.get(reverse("home")).content.decode()
    assert waiting.last_name in html
    assert "Annanenhet" not in html
    assert ended.client.last_name not in html
