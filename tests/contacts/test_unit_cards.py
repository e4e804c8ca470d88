"""selectors.unit_cards: the start page's cards of many units in a fixed number
of queries, the same as clients_on_unit and not_handled_clients unit by unit."""

import datetime as dt

import pytest
from django.urls import reverse

from contacts import selectors, services
from contacts.roles import Role
from tests.contacts.factories import (
    ClientFactory,
    ServiceFactory,
    StaffFactory,
    UnitFactory,
    make_user,
)

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2025, 6, 2)


def per_unit(unit, limit):
    """The cards as the start page built them before, one unit at a time."""
    waiting = selectors.not_handled_clients(unit, TODAY)
    return (
        selectors.clients_on_unit(unit, TODAY).count(),
        waiting.count(),
        [(c.pk, c.first_service) for c in waiting[:limit]],
    )


def test_the_cards_of_many_units_match_the_unit_by_unit_queries(django_assert_num_queries):
    north, south, empty = UnitFactory(name="Norr"), UnitFactory(name="Söder"), UnitFactory()
    nurse = StaffFactory(units=[north, south])
    # Not asked on north, started on different dates (the order of the list).
    late = ServiceFactory(unit=north, start=D(2025, 5, 1), client__last_name="Sen").client
    early = ServiceFactory(unit=north, start=D(2025, 1, 1), client__last_name="Tidig").client
    # Same start: by last name, then first name.
    for first, last in [("Bo", "Ek"), ("Al", "Ek"), ("Cy", "Ask")]:
        ServiceFactory(
            unit=north,
            start=D(2025, 3, 1),
            client__first_name=first,
            client__last_name=last,
        )
    # An earlier, ended service counts as the first service on the unit.
    returning = ServiceFactory(unit=north, start=D(2025, 4, 1)).client
    ServiceFactory(unit=north, client=returning, start=D(2023, 1, 1), end=D(2023, 6, 30))
    # On both units: handled on north (accepted), waiting on south.
    both = ServiceFactory(unit=north, start=D(2025, 2, 1)).client
    ServiceFactory(unit=south, client=both, start=D(2025, 2, 15))
    services.care_contact_change(
        client=both, unit=north, status="accepted", ordinary=nurse, effective=D(2025, 2, 1)
    )
    # Explicitly "not asked" is still waiting; "declines" is handled.
    unasked = ServiceFactory(unit=south, start=D(2025, 3, 1)).client
    services.care_contact_change(
        client=unasked, unit=south, status="not_asked", effective=D(2025, 3, 1)
    )
    declined = ServiceFactory(unit=south, start=D(2025, 3, 1)).client
    services.care_contact_change(
        client=declined,
        unit=south,
        status="declined",
        reason="Vill inte.",
        effective=D(2025, 3, 1),
    )
    # Not on a unit today: ended, or not begun.
    ServiceFactory(unit=south, start=D(2025, 1, 1), end=D(2025, 5, 31))
    ServiceFactory(unit=south, start=D(2025, 6, 3))
    # Two services of one client on one unit: counted once.
    ServiceFactory(unit=south, client=unasked, start=D(2025, 4, 1), kind="meals")

    units = [north, south, empty]
    for limit in (2, 25):
        with django_assert_num_queries(3):
            cards = selectors.unit_cards(units, TODAY, limit)
        for unit in units:
            card = cards[unit.pk]
            got = (card.on_unit, card.not_handled, [(c.pk, c.first_service) for c in card.clients])
            assert got == per_unit(unit, limit), unit.name

    # Hand-computed: north has 7 clients on it, 6 waiting, oldest first service first.
    cards = selectors.unit_cards(units, TODAY, 25)
    assert (cards[north.pk].on_unit, cards[north.pk].not_handled) == (7, 6)
    names = [c.full_name for c in cards[north.pk].clients]
    assert names[0] == returning.full_name and names[1] == early.full_name
    assert names[-1] == late.full_name
    assert [n.split()[-1] for n in names[2:5]] == ["Ask", "Ek", "Ek"]
    assert (cards[south.pk].on_unit, cards[south.pk].not_handled) == (3, 2)
    assert {c.pk for c in cards[south.pk].clients} == {both.pk, unasked.pk}
    assert (cards[empty.pk].on_unit, cards[empty.pk].not_handled, cards[empty.pk].clients) == (
        0,
        0,
        [],
    )


def test_the_start_page_of_many_units_takes_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    units = [UnitFactory() for _ in range(3)]
    boss = make_user("samordnare", role=Role.COORDINATOR, units=units)
    for unit in units:
        ServiceFactory(unit=unit, client=ClientFactory())
    client.force_login(boss)
    with django_assert_max_num_queries(60) as few:
        assert client.get(reverse("home")).status_code == 200
    for _ in range(6):
        more = UnitFactory()
        more.members.add(boss)
        ServiceFactory.create_batch(2, unit=more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("home")).content.decode()
    assert html.count('data-testid="not-handled-count"') == 9


@pytest.fixture
def district(monkeypatch):
    """A manager of three units, more than the start page shows as cards."""
    monkeypatch.setattr("omsorg.home.CARD_UNITS", 2)
    units = [UnitFactory(name=name) for name in ("Norr", "Söder", "Väster")]
    boss = make_user("områdeschef", role=Role.UNIT_MANAGER, units=units)
    return boss, units


def test_many_units_get_one_row_each_with_the_counts_and_no_names(client, district):
    from audit.models import AccessLogEntry

    boss, (north, south, west) = district
    waiting = ServiceFactory(unit=north, client__last_name="Väntarsson").client
    ServiceFactory(unit=north, client=waiting, start=D(2020, 1, 1), end=D(2020, 2, 1))
    ServiceFactory.create_batch(2, unit=south)
    client.force_login(boss)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="unit-overview"' in html
    assert 'data-testid="not-handled"' not in html  # no cards, no names
    assert "Väntarsson" not in html
    for unit in (north, south, west):
        assert f'href="/?enhet={unit.pk}"' in html
    counts = [
        cell.split(">", 1)[1].split("<", 1)[0]
        for cell in html.split('data-testid="overview-not-handled"')[1:]
    ]
    assert counts == ["1", "2", "0"]  # Norr, Söder, Väster (by name)
    assert AccessLogEntry.objects.latest("id").client_ids == []


def test_a_unit_of_the_overview_opens_its_cards_and_a_stranger_gets_404(client, district):
    boss, (north, south, _west) = district
    waiting = ServiceFactory(unit=north, client__last_name="Väntarsson").client
    ServiceFactory(unit=south, client__last_name="Annanstans")
    client.force_login(boss)
    html = client.get(reverse("home") + f"?enhet={north.pk}").content.decode()
    assert 'data-testid="unit-overview"' not in html
    assert waiting.full_name in html and "Annanstans" not in html
    assert 'href="/">Alla mina enheter</a>' in html
    assert f'href="{reverse("worklists")}?enhet={north.pk}"' in html
    elsewhere = UnitFactory()
    for value in (str(elsewhere.pk), "abc", "", "-1"):
        assert client.get(reverse("home"), {"enhet": value}).status_code == 404


def test_the_overview_of_many_units_takes_a_fixed_number_of_queries(
    client, district, django_assert_max_num_queries
):
    boss, units = district
    for unit in units:
        ServiceFactory(unit=unit)
    client.force_login(boss)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("home"))
    for _ in range(5):
        UnitFactory().members.add(boss)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("home")).content.decode()
    assert html.count('href="/?enhet=') == 8
