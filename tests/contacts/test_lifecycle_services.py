"""Handbook 1.10 (move), 1.11 (ended execution), the provider routine (staff leaving) and
the guidance for providers (the client asks for another contact)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from contacts import history, selectors, services
from contacts.models import CareContact, CareContactChange, ContactChangeRequest, Service
from tests.contacts.factories import ServiceFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db

D = dt.date
Status = CareContact.Status


def state(client, unit, on):
    s = history.state_on(client=client, unit=unit, on=on)
    return s.status, s.ordinary_id, s.deputy_id


@pytest.fixture
def a_b_c():
    return UnitFactory(code="A"), UnitFactory(code="B"), UnitFactory(code="C")


JAN_10 = D(2025, 1, 10)


def accept(client, unit, ordinary, deputy=None, effective=JAN_10):
    return services.care_contact_change(
        client=client,
        unit=unit,
        status=Status.ACCEPTED,
        ordinary=ordinary,
        deputy=deputy,
        effective=effective,
    )


def test_moving_removes_the_contact_on_the_old_unit_and_starts_not_asked_on_the_new(a_b_c):
    a, b, _c = a_b_c
    service = ServiceFactory(unit=a, start=D(2025, 1, 1))
    client = service.client
    britta = StaffFactory(units=[a])
    accept(client, a, britta)

    services.client_move(client=client, from_unit=a, to_unit=b, on=D(2025, 3, 1))

    service.refresh_from_db()
    assert service.end == D(2025, 2, 28)
    new = Service.objects.get(client=client, unit=b)
    assert (new.kind, new.start, new.end) == (service.kind, D(2025, 3, 1), None)
    assert state(client, a, D(2025, 2, 28)) == (Status.ACCEPTED, britta.pk, None)
    assert state(client, a, D(2025, 3, 1)) == (Status.NOT_ASKED, None, None)
    assert state(client, b, D(2025, 3, 1)) == (Status.NOT_ASKED, None, None)
    assert CareContact.objects.filter(client=client, unit=b).exists()
    assert client in selectors.not_handled_clients(b, D(2025, 3, 1))


def test_a_contact_on_another_ongoing_unit_stays_when_the_client_moves(a_b_c):
    a, b, c = a_b_c
    client = ServiceFactory(unit=a, start=D(2025, 1, 1)).client
    ServiceFactory(client=client, unit=c, start=D(2025, 1, 1))
    on_c = StaffFactory(units=[c])
    accept(client, c, on_c)

    services.client_move(client=client, from_unit=a, to_unit=b, on=D(2025, 3, 1))

    assert state(client, c, D(2025, 6, 1)) == (Status.ACCEPTED, on_c.pk, None)


def test_moving_resets_an_old_status_on_the_new_unit(a_b_c):
    a, b, _c = a_b_c
    client = ServiceFactory(unit=a, start=D(2025, 1, 1)).client
    ServiceFactory(client=client, unit=b, start=D(2024, 1, 1), end=D(2024, 6, 30))
    services.care_contact_change(
        client=client, unit=b, status=Status.DECLINED, effective=D(2024, 2, 1)
    )
    services.client_move(client=client, from_unit=a, to_unit=b, on=D(2025, 3, 1))
    assert state(client, b, D(2025, 3, 1))[0] == Status.NOT_ASKED


def test_a_move_needs_an_ongoing_service_and_another_unit(a_b_c):
    a, b, _c = a_b_c
    client = ServiceFactory(unit=a, start=D(2025, 1, 1), end=D(2025, 1, 31)).client
    with pytest.raises(ValidationError):
        services.client_move(client=client, from_unit=a, to_unit=b, on=D(2025, 3, 1))
    with pytest.raises(ValidationError):
        services.client_move(client=client, from_unit=a, to_unit=a, on=D(2025, 1, 15))


def test_a_future_end_takes_effect_on_its_date(unit):
    service = ServiceFactory(unit=unit, start=D(2025, 1, 1))
    britta = StaffFactory(units=[unit])
    accept(service.client, unit, britta)
    services.service_end(service=service, end=D(2099, 12, 31))
    assert state(service.client, unit, D(2099, 12, 31))[1] == britta.pk
    assert state(service.client, unit, D(2100, 1, 1)) == (Status.NOT_ASKED, None, None)


def test_ending_a_service_before_it_starts_is_refused(unit):
    service = ServiceFactory(unit=unit, start=D(2025, 1, 1))
    with pytest.raises(ValidationError):
        services.service_end(service=service, end=D(2024, 12, 31))


def test_ended_execution_ends_the_active_plan(unit):
    from plans.models import ImplementationPlan

    service = ServiceFactory(unit=unit, start=D(2025, 1, 1))
    plan = ImplementationPlan.objects.create(
        client=service.client, unit=unit, period_start=D(2025, 1, 5)
    )
    services.service_end(service=service, end=D(2025, 6, 30))
    plan.refresh_from_db()
    assert plan.period_end == D(2025, 6, 30)


def test_bulk_reassignment_lets_the_deputy_step_in(unit):
    leaving = StaffFactory(units=[unit])
    deputy = StaffFactory(units=[unit])
    other = StaffFactory(units=[unit])
    first = ServiceFactory(unit=unit).client
    second = ServiceFactory(unit=unit).client
    accept(first, unit, leaving, deputy)
    accept(second, unit, other, leaving)
    services.staff_update_availability(staff=leaving, available=False, employment_end=None)

    rows = []
    for cc in selectors.staff_assignments(leaving, JAN_10):
        ordinary, new_deputy = selectors.suggested_reassignment(cc, leaving, D(2025, 3, 1))
        rows.append(services.Reassignment(contact=cc, ordinary=ordinary, deputy=new_deputy))
    assert [(r.ordinary, r.deputy) for r in rows] == [(deputy, None), (other, None)] or [
        (r.ordinary, r.deputy) for r in rows
    ] == [(other, None), (deputy, None)]

    changes = services.care_contacts_reassign(
        reassignments=rows, effective=D(2025, 3, 1), handover_note="Slutar 28/2, överlämnat."
    )
    assert len(changes) == 2
    assert state(first, unit, D(2025, 3, 1)) == (Status.ACCEPTED, deputy.pk, None)
    assert state(second, unit, D(2025, 3, 1)) == (Status.ACCEPTED, other.pk, None)
    assert all(c.reason == "Slutar 28/2, överlämnat." for c in changes)
    assert not selectors.staff_assignments(leaving, D(2025, 3, 1)).exists()
    # The history keeps who the contact was before the handover.
    assert selectors.staff_assignments(leaving, D(2025, 2, 28)).count() == 2


def test_bulk_reassignment_is_all_or_nothing(unit):
    leaving = StaffFactory(units=[unit])
    good = StaffFactory(units=[unit])
    stranger = StaffFactory(units=[UnitFactory()])
    first = ServiceFactory(unit=unit).client
    second = ServiceFactory(unit=unit).client
    accept(first, unit, leaving)
    accept(second, unit, leaving)
    cc1, cc2 = history.in_force(JAN_10).filter(unit=unit).order_by("care_contact_id")
    before = CareContactChange.objects.count()

    with pytest.raises(ValidationError) as err:
        services.care_contacts_reassign(
            reassignments=[
                services.Reassignment(contact=cc1, ordinary=good, deputy=None),
                services.Reassignment(contact=cc2, ordinary=stranger, deputy=None),
            ],
            effective=D(2025, 3, 1),
            handover_note="Överlämning",
        )
    assert list(err.value.message_dict) == [str(cc2.care_contact_id)]
    assert CareContactChange.objects.count() == before
    assert state(first, unit, D(2025, 3, 1))[1] == leaving.pk


def test_bulk_reassignment_needs_a_handover_note(unit):
    with pytest.raises(ValidationError):
        services.care_contacts_reassign(
            reassignments=[], effective=D(2025, 3, 1), handover_note="  "
        )


def test_a_change_request_is_recorded_then_resolved(unit):
    client = ServiceFactory(unit=unit).client
    old, new = StaffFactory(units=[unit]), StaffFactory(units=[unit])
    accept(client, unit, old)
    with pytest.raises(ValidationError):
        services.contact_change_request_record(client=client, unit=unit, reason="")
    request = services.contact_change_request_record(
        client=client, unit=unit, reason="Vill ha en kvinnlig kontakt", requested_on=D(2025, 2, 1)
    )
    change = accept(client, unit, new, effective=D(2025, 2, 3))
    services.contact_change_request_resolve(request=request, change=change)
    assert ContactChangeRequest.objects.get().resolved_by_change == change


def test_moves_and_change_requests_are_journaled(a_b_c):
    from journal.models import JournalNote

    a, b, _c = a_b_c
    client = ServiceFactory(unit=a, start=D(2025, 1, 1)).client
    britta = StaffFactory(units=[a])
    accept(client, a, britta)
    services.contact_change_request_record(client=client, unit=a, reason="Vill byta")
    services.client_move(client=client, from_unit=a, to_unit=b, on=D(2025, 3, 1))

    texts = list(JournalNote.objects.filter(client=client).values_list("text", flat=True))
    assert any("önskar byta" in t and "Vill byta" in t for t in texts)
    assert any("flyttad från" in t and b.name in t for t in texts)
    removal = JournalNote.objects.get(client=client, contact_change__effective=D(2025, 3, 1))
    assert "tidigare: " + str(britta) in removal.text
