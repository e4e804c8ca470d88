import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts import services as contact_services
from contacts.models import CareContact
from plans import services
from plans.models import ImplementationPlan, add_months
from plans.selectors import with_contacts
from tests.contacts.factories import ServiceFactory, StaffFactory
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2025, 6, 2)
Status = CareContact.Status


def create(client, unit, by=None, **fields):
    data = {
        "period_start": D(2025, 6, 1),
        "established": D(2025, 6, 1),
        "participated": True,
        **fields,
    }
    return services.plan_create(client=client, unit=unit, by=by, today=TODAY, **data)


def errors(excinfo):
    return excinfo.value.message_dict


@pytest.fixture
def britta(unit):
    return StaffFactory(
        units=[unit], first_name="Britta", last_name="Söder", phone="0701-236549", signature="brs89"
    )


@pytest.fixture
def greta(unit):
    return StaffFactory(units=[unit], first_name="Greta", last_name="Olsson", signature="greal")


def test_a_new_plan_shows_the_current_contacts_at_once(
    client_on_unit, unit, britta, greta, manager
):
    change = contact_services.care_contact_change(
        client=client_on_unit,
        unit=unit,
        status=Status.ACCEPTED,
        ordinary=britta,
        deputy=greta,
        effective=D(2025, 2, 17),
    )
    plan = create(client_on_unit, unit, by=manager, important_information=" Rullator ")

    [shown] = with_contacts([plan], D(2025, 2, 17))
    assert (shown.ordinary, shown.deputy) == (britta, greta)
    assert change.pk and plan.contacts_change is None  # nothing changed since it was made
    assert plan.important_information == "Rullator"
    assert plan.created_by == manager and plan.period_end is None


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"period_end": D(2025, 5, 31)}, "period_end", "Perioden kan inte sluta före den börjar."),
        (
            {"follow_up_date": D(2025, 5, 1)},
            "follow_up_date",
            "Uppföljningen kan inte vara före periodens början.",
        ),
        (
            {"period_end": D(2025, 8, 31), "follow_up_date": D(2025, 9, 1)},
            "follow_up_date",
            "Uppföljningen ska ligga inom planens period.",
        ),
        ({"established": None}, "established", "Ange när planen upprättades."),
        (
            {"established": D(2025, 6, 3)},
            "established",
            "Datumet då planen upprättades kan inte vara i framtiden.",
        ),
        ({"participated": None}, "participated", "Ange om brukaren har varit delaktig."),
        (
            {"participated": False, "participation_comment": "  "},
            "participation_comment",
            "Beskriv varför brukaren inte har varit delaktig.",
        ),
        (
            {"revised": D(2025, 5, 1)},
            "revised",
            "Planen kan inte ha reviderats före den upprättades.",
        ),
    ],
)
def test_broken_rules_are_refused_in_swedish(client_on_unit, unit, fields, field, message):
    with pytest.raises(ValidationError) as excinfo:
        create(client_on_unit, unit, **fields)
    assert errors(excinfo)[field] == [message]
    assert not ImplementationPlan.objects.exists()


def test_no_plan_on_a_unit_the_client_has_no_service_on(client_on_unit, other_unit):
    with pytest.raises(ValidationError) as excinfo:
        create(client_on_unit, other_unit)
    assert errors(excinfo)["unit"] == ["Brukaren har ingen insats på Hemtjänst Söder."]


def test_only_one_active_plan_per_client_and_unit(client_on_unit, unit, other_unit):
    first = create(client_on_unit, unit)
    with pytest.raises(ValidationError) as excinfo:
        create(client_on_unit, unit, period_start=D(2025, 6, 2), established=D(2025, 6, 2))
    assert errors(excinfo)["period_start"] == [
        "Brukaren har redan en genomförandeplan på Hemtjänst Norr för perioden "
        "2025-06-01 – tillsvidare. Avsluta den innan en ny plan läggs upp."
    ]
    # Another unit is another plan.
    ServiceFactory(client=client_on_unit, unit=other_unit)
    assert create(client_on_unit, other_unit).unit == other_unit

    # Once the first has ended, the next may start the day after.
    services.plan_end(plan=first, end=D(2025, 6, 30), by=None)
    second = create(client_on_unit, unit, period_start=D(2025, 7, 1))
    assert second.period_start == D(2025, 7, 1)
    with pytest.raises(ValidationError):
        create(client_on_unit, unit, period_start=D(2025, 5, 1), period_end=D(2025, 6, 1))


def test_the_database_refuses_two_open_ended_plans(client_on_unit, unit):
    PlanFactory(client=client_on_unit, unit=unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(client=client_on_unit, unit=unit, period_start=D(2026, 1, 1))


def test_editing_changes_the_fields_and_records_who(client_on_unit, unit, manager):
    plan = create(client_on_unit, unit)
    updated = services.plan_update(
        plan=plan,
        by=manager,
        today=TODAY,
        period_start=plan.period_start,
        established=plan.established,
        revised=D(2025, 6, 2),
        participated=False,
        participation_comment="Dottern svarade",
        follow_up_date=D(2025, 9, 1),
    )
    assert (updated.revised, updated.participated, updated.follow_up_date) == (
        D(2025, 6, 2),
        False,
        D(2025, 9, 1),
    )
    assert updated.changed_by == manager
    assert updated.revision_due == D(2025, 12, 2)


def test_editing_cannot_make_periods_overlap(client_on_unit, unit):
    old = create(client_on_unit, unit, period_start=D(2025, 1, 1), established=D(2025, 1, 1))
    services.plan_end(plan=old, end=D(2025, 5, 31), by=None)
    new = create(client_on_unit, unit)
    with pytest.raises(ValidationError):
        services.plan_update(
            plan=new,
            by=None,
            today=TODAY,
            period_start=D(2025, 5, 1),
            established=D(2025, 5, 1),
            participated=True,
        )


def test_ending_a_plan(client_on_unit, unit, manager):
    plan = create(client_on_unit, unit, follow_up_date=D(2025, 12, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.plan_end(plan=plan, end=D(2025, 5, 1), by=manager)
    assert errors(excinfo)["end"] == ["Planen kan inte avslutas före periodens början."]

    ended = services.plan_end(plan=plan, end=D(2025, 9, 30), by=manager)
    assert ended.period_end == D(2025, 9, 30) and ended.changed_by == manager
    # The follow-up after the end would never happen.
    assert ended.follow_up_date is None
    with pytest.raises(ValidationError) as excinfo:
        services.plan_end(plan=ended, end=D(2025, 10, 1), by=manager)
    assert errors(excinfo)["end"] == ["Planen är redan avslutad 2025-09-30."]


def test_the_receiver_keeps_the_open_plan_current_and_leaves_ended_plans(
    client_on_unit, unit, britta, greta
):
    ended = PlanFactory(
        client=client_on_unit, unit=unit, period_start=D(2024, 1, 1), period_end=D(2024, 12, 31)
    )
    plan = PlanFactory(client=client_on_unit, unit=unit, period_start=D(2025, 1, 1))
    contact_services.care_contact_change(
        client=client_on_unit,
        unit=unit,
        status=Status.ACCEPTED,
        ordinary=britta,
        effective=D(2025, 2, 1),
    )
    second = contact_services.care_contact_change(
        client=client_on_unit,
        unit=unit,
        status=Status.ACCEPTED,
        ordinary=greta,
        deputy=britta,
        effective=D(2025, 3, 1),
    )
    plan.refresh_from_db()
    ended.refresh_from_db()
    assert plan.contacts_change == second and plan.contacts_updated_at is not None
    assert ended.contacts_change is None
    with_contacts([plan, ended], D(2025, 3, 15))
    assert (plan.ordinary, plan.deputy) == (greta, britta)
    # An ended plan shows the contacts of its last day: there were none in 2024.
    assert (ended.ordinary, ended.deputy) == (None, None)

    contact_services.care_contact_change(
        client=client_on_unit,
        unit=unit,
        status=Status.DECLINED,
        reason="Vill inte",
        effective=D(2025, 4, 1),
    )
    with_contacts([plan], D(2025, 4, 1))
    assert (plan.ordinary, plan.deputy) == (None, None)
    # Looked at on an earlier day, the plan shows the contacts of that day.
    with_contacts([plan], D(2025, 3, 31))
    assert (plan.ordinary, plan.deputy) == (greta, britta)


def test_a_change_dated_ahead_reaches_the_plan_on_its_day(client_on_unit, unit, britta):
    from django.utils import timezone

    today = timezone.localdate()
    plan = PlanFactory(client=client_on_unit, unit=unit, period_start=today - dt.timedelta(days=30))
    ahead = today + dt.timedelta(days=10)
    contact_services.care_contact_change(
        client=client_on_unit, unit=unit, status=Status.ACCEPTED, ordinary=britta, effective=ahead
    )
    with_contacts([plan], today)
    assert plan.ordinary is None
    # On its day the change is in force: nothing has to refresh the plan.
    with_contacts([plan], ahead)
    assert plan.ordinary == britta


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (D(2025, 1, 10), 6, D(2025, 7, 10)),
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2023, 8, 31), 6, D(2024, 2, 29)),
        (D(2025, 7, 15), 6, D(2026, 1, 15)),
    ],
)
def test_six_months_on(day, months, expected):
    assert add_months(day, months) == expected
