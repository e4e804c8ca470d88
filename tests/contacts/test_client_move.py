"""Handbook 1.10: moves exact for any date. A move dated before, on or after a
service's start ends the old unit's services (never deletes them), so the contact
there ends on the move date through the ordinary path (handbook 1.11); any unit
of the organisation is a target; the receiving unit sees the move."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import history, selectors, services
from contacts.models import CareContact, ClientMove, Service
from contacts.roles import Role
from journal.models import JournalNote
from plans.models import ImplementationPlan
from tests.contacts.factories import (
    ProviderFactory,
    ServiceFactory,
    StaffFactory,
    UnitFactory,
    make_user,
)

pytestmark = pytest.mark.django_db

D = dt.date
Status = CareContact.Status
START = D(2025, 3, 1)


def state(client, unit, on):
    s = history.state_on(client=client, unit=unit, on=on)
    return s.status, s.ordinary_id


@pytest.fixture
def org():
    provider = ProviderFactory(code="KOMMUN", name="Kommunen")
    return (
        UnitFactory(code="A", name="Enhet A", provider=provider),
        UnitFactory(code="B", name="Enhet B", provider=provider),
        UnitFactory(code="C", name="Enhet C", provider=provider),
    )


@pytest.mark.parametrize(
    "move_on",
    [D(2025, 2, 1), START, D(2025, 4, 1)],
    ids=["before-start", "on-start", "after-start"],
)
def test_a_move_ends_the_old_service_and_the_contact_on_the_move_date(org, move_on):
    a, b, _c = org
    service = ServiceFactory(unit=a, start=START)
    client = service.client
    britta = StaffFactory(units=[a])
    # Appointed ahead of the start, as units prepare a new client.
    services.care_contact_change(
        client=client, unit=a, status=Status.ACCEPTED, ordinary=britta, effective=D(2025, 1, 15)
    )
    plan = ImplementationPlan.objects.create(client=client, unit=a, period_start=D(2025, 1, 20))

    services.client_move(client=client, from_unit=a, to_unit=b, on=move_on)

    service.refresh_from_db()  # ended, never deleted
    assert service.end == move_on - dt.timedelta(days=1)
    assert service.move == ClientMove.objects.get(client=client)
    assert service.never_given == (move_on <= START)
    new = Service.objects.get(client=client, unit=b)
    assert (new.start, new.end) == (max(START, move_on), None)
    # The history: the contact on A ends exactly on the move date.
    assert state(client, a, move_on - dt.timedelta(days=1)) == (Status.ACCEPTED, britta.pk)
    assert state(client, a, move_on) == (Status.NOT_ASKED, None)
    assert state(client, b, move_on) == (Status.NOT_ASKED, None)
    # No ghost: not on A, not in Britta's caseload, the plan on A ended.
    later = D(2025, 6, 1)
    assert not selectors.clients_on_unit(a, later).exists()
    assert not selectors.staff_assignments(britta, later).exists()
    assert client in selectors.not_handled_clients(b, later)
    plan.refresh_from_db()
    assert plan.period_end == move_on - dt.timedelta(days=1)
    ended = JournalNote.objects.get(client=client, unit=a, contact_change__effective=move_on)
    assert "avslutades" in ended.text and str(britta) in ended.text
    moved = JournalNote.objects.get(client=client, unit=b)
    assert "avslutades från och med " + move_on.isoformat() in moved.text
    assert "tagits bort" not in moved.text


def test_a_move_before_one_service_and_after_another_ends_both_the_day_before(org):
    a, b, _c = org
    early = ServiceFactory(unit=a, start=D(2025, 1, 1))
    client = early.client
    late = ServiceFactory(client=client, unit=a, start=D(2025, 5, 1), kind=Service.Kind.MEALS)
    services.client_move(client=client, from_unit=a, to_unit=b, on=D(2025, 4, 1))
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.end, early.never_given) == (D(2025, 3, 31), False)
    assert (late.end, late.never_given) == (D(2025, 3, 31), True)
    assert services.execution_end(client=client, unit=a) == D(2025, 3, 31)
    assert sorted(Service.objects.filter(unit=b).values_list("start", flat=True)) == [
        D(2025, 4, 1),
        D(2025, 5, 1),
    ]


def test_a_client_on_several_units_keeps_the_contact_where_it_does_not_move(org):
    a, b, c = org
    client = ServiceFactory(unit=a, start=D(2025, 1, 1)).client
    ServiceFactory(client=client, unit=b, start=D(2025, 1, 1), kind=Service.Kind.MEALS)
    ServiceFactory(client=client, unit=c, start=D(2025, 1, 1), kind=Service.Kind.CLEANING)
    on_a, on_b, on_c = StaffFactory(units=[a]), StaffFactory(units=[b]), StaffFactory(units=[c])
    for unit, person in ((a, on_a), (b, on_b), (c, on_c)):
        services.care_contact_change(
            client=client,
            unit=unit,
            status=Status.ACCEPTED,
            ordinary=person,
            effective=D(2025, 1, 5),
        )

    # Moved from A to B, where the client already is: B's contact stays (1.10, 2).
    services.client_move(client=client, from_unit=a, to_unit=b, on=D(2024, 12, 1))

    assert state(client, a, D(2025, 2, 1)) == (Status.NOT_ASKED, None)
    assert state(client, b, D(2025, 2, 1)) == (Status.ACCEPTED, on_b.pk)
    assert state(client, c, D(2025, 2, 1)) == (Status.ACCEPTED, on_c.pk)
    assert set(selectors.client_ongoing_units(client, D(2025, 2, 1))) == {b, c}


# --- the page -------------------------------------------------------------------------


@pytest.fixture
def as_manager_of_a(client, org):
    a, _b, _c = org
    user = make_user("chef_a", role=Role.UNIT_MANAGER, units=[a])
    client.force_login(user)
    return client


def test_the_move_page_offers_every_unit_of_the_organisation_but_the_one_moved_from(
    as_manager_of_a, org
):
    a, b, c = org
    UnitFactory(code="X", name="Privat hemtjänst")  # another provider
    person = ServiceFactory(unit=a, start=D(2099, 1, 1)).client  # a service that starts later
    response = as_manager_of_a.get(reverse("client_move", args=[person.pk]))
    form = response.context["form"]
    assert list(form.fields["from_unit"].queryset) == [a]
    assert list(form.fields["to_unit"].queryset) == [b, c]


def test_a_move_to_another_managers_unit_is_shown_on_their_start_page(as_manager_of_a, client, org):
    a, b, _c = org
    person = ServiceFactory(unit=a, start=D(2025, 1, 1), client__first_name="Agda").client
    today = timezone.localdate()
    response = as_manager_of_a.post(
        reverse("client_move", args=[person.pk]),
        {"from_unit": a.pk, "to_unit": b.pk, "on": today.isoformat()},
    )
    assert response.status_code == 302
    assert Service.objects.get(client=person, unit=b).start == today

    client.force_login(make_user("chef_b", role=Role.UNIT_MANAGER, units=[b]))
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="moves-in"' in html
    assert "Agda" in html and "från Enhet A till Enhet B" in html

    # Handled on B: the notice goes away.
    services.care_contact_change(client=person, unit=b, status=Status.DECLINED, reason="Nej")
    assert 'data-testid="moves-in"' not in client.get(reverse("home")).content.decode()


def test_a_move_to_a_unit_outside_the_organisation_is_refused(as_manager_of_a, org):
    a, _b, _c = org
    elsewhere = UnitFactory(code="X", name="Privat hemtjänst")
    person = ServiceFactory(unit=a, start=D(2025, 1, 1)).client
    response = as_manager_of_a.post(
        reverse("client_move", args=[person.pk]),
        {"from_unit": a.pk, "to_unit": elsewhere.pk, "on": "2025-06-01"},
    )
    assert response.status_code == 200
    assert not Service.objects.filter(unit=elsewhere).exists()
