"""Client search from every page (the header field): names, personnummer with or
without century and dash, customer numbers; "Mina brukare" by unit with a filter."""

import pytest
from django.urls import reverse

from contacts.models import Client
from contacts.roles import Role
from contacts.selectors import client_search_q
from tests.contacts.factories import ClientFactory, ServiceFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alma():
    return ClientFactory(
        first_name="Alma",
        last_name="Armbrøtt",
        personal_id="19380820-TF24",
        customer_number="10003005",
    )


@pytest.mark.parametrize(
    "q",
    [
        "19380820-TF24",
        "19380820TF24",
        "380820-TF24",
        "380820TF24",
        "19380820",
        "380820",
        "10003005",
        "1000300",
        "alma",
        "ALMA armb",
        " Armbrøtt ",
    ],
)
def test_a_client_is_found_by_name_personnummer_or_customer_number(alma, q):
    ClientFactory(first_name="Bertil", last_name="Grönare", customer_number="20002147")
    assert list(Client.objects.filter(client_search_q(q))) == [alma]


@pytest.mark.parametrize("q", ["19390820-TF24", "0820-TF24", "Bertil", "10003006", "2000"])
def test_other_searches_do_not_find_the_client(alma, q):
    assert alma not in Client.objects.filter(client_search_q(q))


def test_my_clients_are_grouped_by_unit_with_a_unit_filter(client, unit, other_unit):
    manager = make_user("chef2", role=Role.UNIT_MANAGER, units=[unit, other_unit])
    north = ServiceFactory(unit=unit, client__first_name="Norra").client
    south = ServiceFactory(unit=other_unit, client__first_name="Södra").client
    client.force_login(manager)

    html = client.get(reverse("my_clients")).content.decode()
    assert html.index(f"mc-unit-{unit.pk}") < html.index(north.full_name)
    assert html.index(f"mc-unit-{other_unit.pk}") < html.index(south.full_name)
    assert html.count('data-testid="unit-group"') == 2

    only = client.get(reverse("my_clients"), {"enhet": other_unit.pk})
    assert [row.client for row in only.context["rows"]] == [south]
    # A search by personnummer without century, from the header field.
    short = south.personal_id[2:].replace("-", "")
    found = client.get(reverse("my_clients"), {"q": short})
    assert [row.client for row in found.context["rows"]] == [south]
    assert 'data-testid="header-search"' in found.content.decode()
