import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from contacts import history, services
from contacts.models import CareContact, CareContactChange
from journal.models import JournalNote
from plans.models import ImplementationPlan
from plans.selectors import with_contacts
from tests.contacts.factories import ServiceFactory, StaffFactory, contact_now

pytestmark = pytest.mark.django_db

D = dt.date
Status = CareContact.Status


@pytest.fixture
def britta(unit):
    return StaffFactory(units=[unit], first_name="Britta", last_name="Söder", signature="brs89")


@pytest.fixture
def greta(unit):
    return StaffFactory(units=[unit], first_name="Greta", last_name="Olsson", signature="greal")


def change(client, unit, status, **kwargs):
    kwargs.setdefault("effective", D(2025, 2, 17))
    return services.care_contact_change(client=client, unit=unit, status=status, **kwargs)


def test_accepting_with_contacts_records_state_history_and_a_journal_note(
    client_on_unit, unit, britta, greta, manager
):
    result = change(
        client_on_unit, unit, Status.ACCEPTED, ordinary=britta, deputy=greta, by=manager
    )

    contact = contact_now(client_on_unit, unit, on=D(2025, 2, 17))
    assert (contact.status, contact.ordinary, contact.deputy) == (Status.ACCEPTED, britta, greta)
    assert contact.changed_by == manager
    assert CareContact.objects.get(client=client_on_unit, unit=unit).created_by == manager
    assert result.old_status == Status.NOT_ASKED and result.old_ordinary is None
    note = JournalNote.objects.get(contact_change=result)
    assert note.kind == JournalNote.Kind.FOK and note.automatic
    assert "Brukaren ej tillfrågad" in note.text and "Brukaren tackar ja" in note.text
    assert "Britta Söder (@brs89)" in note.text and "Greta Olsson (@greal)" in note.text


@pytest.mark.parametrize("status", [Status.NO_NEED, Status.DECLINED])
def test_no_need_and_declines_get_a_journal_note(client_on_unit, unit, status):
    result = change(client_on_unit, unit, status, reason="Vill inte")
    assert JournalNote.objects.filter(contact_change=result).count() == 1


def test_a_new_deputy_alone_gets_a_note_naming_old_and_new(client_on_unit, unit, britta, greta):
    change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta)
    result = change(
        client_on_unit,
        unit,
        Status.ACCEPTED,
        ordinary=britta,
        deputy=greta,
        effective=D(2025, 3, 1),
    )
    note = JournalNote.objects.get(contact_change=result)
    assert "Vice fast omsorgskontakt: Greta Olsson (@greal) (tidigare: ingen)" in note.text
    assert "Status ändrad" not in note.text


def test_saving_the_same_state_again_writes_nothing(client_on_unit, unit, britta):
    change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta)
    assert change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta) is None
    assert CareContactChange.objects.count() == 1
    assert JournalNote.objects.count() == 1


def test_accepted_needs_an_ordinary(client_on_unit, unit):
    with pytest.raises(ValidationError) as err:
        change(client_on_unit, unit, Status.ACCEPTED)
    assert "ordinary" in err.value.message_dict
    assert not CareContactChange.objects.exists()


def test_deputy_must_differ_from_ordinary(client_on_unit, unit, britta):
    with pytest.raises(ValidationError) as err:
        change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta, deputy=britta)
    assert "samma person" in err.value.message_dict["deputy"][0]


def test_contacts_only_with_accepted(client_on_unit, unit, britta):
    with pytest.raises(ValidationError) as err:
        change(client_on_unit, unit, Status.DECLINED, ordinary=britta)
    assert "ordinary" in err.value.message_dict


def test_staff_must_belong_to_the_unit_and_be_appointable_on_the_date(
    client_on_unit, unit, other_unit, britta
):
    stranger = StaffFactory(units=[other_unit])
    with pytest.raises(ValidationError) as err:
        change(client_on_unit, unit, Status.ACCEPTED, ordinary=stranger)
    assert "tillhör inte enheten" in err.value.message_dict["ordinary"][0]

    late = StaffFactory(units=[unit], title_certificate_date=D(2025, 6, 1))
    with pytest.raises(ValidationError) as err:
        change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta, deputy=late)
    assert "bevis" in err.value.message_dict["deputy"][0]
    change(
        client_on_unit, unit, Status.ACCEPTED, ordinary=britta, deputy=late, effective=D(2025, 6, 1)
    )


def test_history_answers_as_of_any_date(client_on_unit, unit, britta, greta):
    change(client_on_unit, unit, Status.DECLINED, reason="Vill tänka", effective=D(2025, 1, 10))
    change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta, effective=D(2025, 2, 1))
    change(
        client_on_unit,
        unit,
        Status.ACCEPTED,
        ordinary=greta,
        deputy=britta,
        effective=D(2025, 5, 1),
    )

    def state(on):
        s = history.state_on(client=client_on_unit, unit=unit, on=on)
        return s.status, s.ordinary_id, s.deputy_id

    assert state(D(2025, 1, 9)) == (Status.NOT_ASKED, None, None)
    assert state(D(2025, 1, 10)) == (Status.DECLINED, None, None)
    assert state(D(2025, 1, 31)) == (Status.DECLINED, None, None)
    assert state(D(2025, 2, 1)) == (Status.ACCEPTED, britta.pk, None)
    assert state(D(2025, 4, 30)) == (Status.ACCEPTED, britta.pk, None)
    assert state(D(2025, 5, 1)) == (Status.ACCEPTED, greta.pk, britta.pk)

    in_force = history.in_force(D(2025, 3, 1))
    assert [(c.status, c.ordinary_id) for c in in_force] == [(Status.ACCEPTED, britta.pk)]


def test_a_future_change_is_in_force_from_its_date_with_nothing_to_refresh(
    client_on_unit, unit, britta
):
    from django.utils import timezone

    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta, effective=tomorrow)
    assert contact_now(client_on_unit, unit, on=today) is None
    # The next day the change is in force, read from the history: no job has to run.
    assert contact_now(client_on_unit, unit, on=tomorrow).ordinary == britta


def test_periods_follow_the_order_of_the_changes_also_when_registered_afterwards(
    client_on_unit, unit, britta, greta
):
    """valid_until is the effective date of the next change in (effective, id)
    order, whatever order the changes were registered in."""
    march = change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta, effective=D(2025, 3, 1))
    may = change(client_on_unit, unit, Status.ACCEPTED, ordinary=greta, effective=D(2025, 5, 1))
    # Registered last, takes effect first: a back-dated decline.
    january = change(client_on_unit, unit, Status.DECLINED, reason="Nej", effective=D(2025, 1, 1))
    periods = {
        c.pk: (c.effective, c.valid_until)
        for c in CareContactChange.objects.filter(client=client_on_unit)
    }
    assert periods == {
        january.pk: (D(2025, 1, 1), D(2025, 3, 1)),
        march.pk: (D(2025, 3, 1), D(2025, 5, 1)),
        may.pk: (D(2025, 5, 1), None),
    }
    # The back-dated change read its "before" state as of its own date.
    assert january.old_status == Status.NOT_ASKED


def test_the_last_change_of_a_day_is_the_one_in_force(client_on_unit, unit, britta, greta):
    """A, B, A on one day: A is in force at the end of the day; the corrected
    changes have empty periods and are in force on no day."""
    day = D(2025, 3, 3)
    first = change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta, effective=day)
    second = change(client_on_unit, unit, Status.ACCEPTED, ordinary=greta, effective=day)
    third = change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta, effective=day)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.valid_until, second.valid_until, third.valid_until) == (day, day, None)
    assert list(history.in_force(day)) == [third]
    assert list(history.in_force(day - dt.timedelta(days=1))) == []
    assert history.state_on(client=client_on_unit, unit=unit, on=day).ordinary_id == britta.pk
    # The same rule in memory and as a database expression.
    line = history.timelines(CareContactChange.objects.filter(client=client_on_unit))
    assert line[(client_on_unit.pk, unit.pk)].on(day).change_id == third.pk
    during = CareContactChange.objects.filter(history.in_force_during_q(day, day))
    assert list(during) == [third]


def test_in_force_during_a_period_includes_states_that_start_or_end_inside_it(
    client_on_unit, unit, britta, greta
):
    a = change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta, effective=D(2025, 1, 1))
    b = change(client_on_unit, unit, Status.ACCEPTED, ordinary=greta, effective=D(2025, 2, 10))

    def during(date_from, date_to):
        q = history.in_force_during_q(date_from, date_to)
        return set(CareContactChange.objects.filter(q).values_list("pk", flat=True))

    assert during(D(2024, 12, 1), D(2024, 12, 31)) == set()
    assert during(D(2025, 2, 1), D(2025, 2, 9)) == {a.pk}
    assert during(D(2025, 2, 9), D(2025, 2, 10)) == {a.pk, b.pk}  # the boundary day
    assert during(D(2025, 2, 10), D(2025, 3, 1)) == {b.pk}


def test_ending_the_last_service_ends_the_contact_the_day_after(unit, britta):
    service = ServiceFactory(unit=unit, start=D(2025, 1, 1))
    client = service.client
    ServiceFactory(client=client, unit=unit, kind="alarm", start=D(2025, 1, 1), end=D(2025, 3, 31))
    change(client, unit, Status.ACCEPTED, ordinary=britta, effective=D(2025, 1, 15))

    services.service_upsert(
        client=client, unit=unit, kind=service.kind, start=service.start, end=D(2025, 4, 30)
    )

    before = history.state_on(client=client, unit=unit, on=D(2025, 4, 30))
    after = history.state_on(client=client, unit=unit, on=D(2025, 5, 1))
    assert before.ordinary_id == britta.pk
    assert (after.status, after.ordinary_id) == (Status.NOT_ASKED, None)


def test_a_service_ending_while_another_continues_keeps_the_contact(unit, britta):
    client = ServiceFactory(unit=unit, start=D(2025, 1, 1)).client
    change(client, unit, Status.ACCEPTED, ordinary=britta, effective=D(2025, 1, 15))
    services.service_upsert(
        client=client, unit=unit, kind="cleaning", start=D(2025, 1, 1), end=D(2025, 2, 28)
    )
    assert history.state_on(client=client, unit=unit, on=D(2025, 6, 1)).ordinary_id


def test_the_active_plan_shows_the_new_contacts(client_on_unit, unit, britta, greta):
    plan = ImplementationPlan.objects.create(
        client=client_on_unit, unit=unit, period_start=D(2025, 1, 1)
    )
    result = change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta, deputy=greta)
    plan.refresh_from_db()
    assert plan.contacts_change == result and plan.contacts_updated_at is not None
    [shown] = with_contacts([plan], D(2025, 3, 1))
    assert (shown.ordinary, shown.deputy) == (britta, greta)


def test_a_failing_receiver_rolls_everything_back(client_on_unit, unit, britta, monkeypatch):
    import plans.services

    ImplementationPlan.objects.create(client=client_on_unit, unit=unit, period_start=D(2025, 1, 1))

    def broken(**kwargs):
        raise RuntimeError("plan store down")

    monkeypatch.setattr(plans.services, "plan_update_contacts", broken)
    monkeypatch.setattr("plans.receivers.plan_update_contacts", broken)
    with pytest.raises(RuntimeError):
        change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta)
    assert not CareContactChange.objects.exists()
    assert not JournalNote.objects.exists()
    assert not CareContact.objects.exists()


def test_no_need_against_a_warning_needs_a_reason(client_on_unit, unit):
    with pytest.raises(ValidationError) as error:
        services.care_contact_change(
            client=client_on_unit,
            unit=unit,
            status=Status.NO_NEED,
            overridden_warnings=["Brukaren har kognitiv svikt."],
        )
    assert "reason" in error.value.message_dict
