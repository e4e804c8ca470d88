import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import services as contact_services
from contacts.roles import Role
from plans.models import ImplementationPlan
from tests.contacts.factories import ServiceFactory, StaffFactory, make_user
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

D = dt.date


def form_data(unit=None, **overrides):
    today = timezone.localdate()
    data = {
        "period_start": today.isoformat(),
        "period_end": "",
        "established": today.isoformat(),
        "participated": "ja",
        "participation_comment": "Brukaren deltog med sin dotter",
        "important_information": "Rullator vid alla förflyttningar",
        "follow_up_date": "",
    }
    if unit is not None:
        data["unit"] = unit.pk
    data.update(overrides)
    return data


@pytest.fixture
def britta(unit):
    return StaffFactory(
        units=[unit], first_name="Britta", last_name="Söder", phone="0701-236549", signature="brs89"
    )


def test_a_manager_creates_a_plan_that_shows_the_contact(
    client, manager, unit, client_on_unit, britta
):
    contact_services.care_contact_change(
        client=client_on_unit, unit=unit, status="accepted", ordinary=britta, by=manager
    )
    client.force_login(manager)
    form = client.get(reverse("plan_create", args=[client_on_unit.pk]), {"unit": unit.pk})
    assert "Britta Söder" in form.content.decode()  # the preview of the contacts

    response = client.post(reverse("plan_create", args=[client_on_unit.pk]), form_data(unit))

    plan = ImplementationPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == plan.get_absolute_url()
    page = client.get(reverse("plan_list", args=[client_on_unit.pk])).content.decode()
    assert "Rullator vid alla förflyttningar" in page
    assert "Britta Söder" in page and "0701-236549" in page
    assert "tillsvidare" in page and "Ja, brukaren har varit delaktig" in page


def test_a_coordinator_may_write_plans_too(client, unit, client_on_unit):
    coordinator = make_user("samordnare", role=Role.COORDINATOR, units=[unit])
    client.force_login(coordinator)
    response = client.post(reverse("plan_create", args=[client_on_unit.pk]), form_data(unit))
    assert response.status_code == 302
    assert ImplementationPlan.objects.get().created_by == coordinator


def test_care_staff_read_plans_but_cannot_write_them(client, carer, unit, client_on_unit):
    plan = PlanFactory(client=client_on_unit, unit=unit)
    client.force_login(carer)

    page = client.get(reverse("plan_list", args=[client_on_unit.pk]))
    assert page.status_code == 200
    assert "Ny genomförandeplan" not in page.content.decode()
    assert reverse("plan_edit", args=[plan.pk]) not in page.content.decode()

    assert (
        client.post(reverse("plan_create", args=[client_on_unit.pk]), form_data(unit)).status_code
        == 403
    )
    assert client.post(reverse("plan_edit", args=[plan.pk]), form_data()).status_code == 403
    assert (
        client.post(reverse("plan_end", args=[plan.pk]), {"end": "2025-12-31"}).status_code == 403
    )
    plan.refresh_from_db()
    assert plan.period_end is None and ImplementationPlan.objects.count() == 1


def test_a_manager_cannot_write_on_a_unit_where_they_only_read(
    client, unit, other_unit, client_on_unit
):
    ServiceFactory(client=client_on_unit, unit=other_unit)
    chef = make_user("chef2", role=Role.UNIT_MANAGER, units=[unit])
    client.force_login(chef)
    # other_unit is not chef2's: 404, never a hint that it exists.
    response = client.post(reverse("plan_create", args=[client_on_unit.pk]), form_data(other_unit))
    assert response.status_code == 404
    foreign_plan = PlanFactory(client=client_on_unit, unit=other_unit)
    assert client.get(reverse("plan_edit", args=[foreign_plan.pk])).status_code == 404
    assert client.get(reverse("plan_print", args=[foreign_plan.pk])).status_code == 404


def test_errors_come_back_in_swedish_and_htmx_gets_the_form_only(
    client, manager, unit, client_on_unit
):
    client.force_login(manager)
    url = reverse("plan_create", args=[client_on_unit.pk])
    data = form_data(unit, period_end="2000-01-01", participated="nej", participation_comment="")

    plain = client.post(url, data)
    htmx = client.post(url, data, HTTP_HX_REQUEST="true")

    assert plain.status_code == htmx.status_code == 200
    for body in (plain.content.decode(), htmx.content.decode()):
        assert "Perioden kan inte sluta före den börjar." in body
        assert "Beskriv varför brukaren inte har varit delaktig." in body
    assert "<html" not in htmx.content.decode()
    assert not ImplementationPlan.objects.exists()

    ok = client.post(url, form_data(unit), HTTP_HX_REQUEST="true")
    assert ok["HX-Redirect"] == ImplementationPlan.objects.get().get_absolute_url()


def test_bad_dates_are_an_error_message_not_a_crash(client, manager, unit, client_on_unit):
    client.force_login(manager)
    response = client.post(
        reverse("plan_create", args=[client_on_unit.pk]), form_data(unit, period_start="31/31")
    )
    assert response.status_code == 200
    assert "Fyll i ett giltigt datum." in response.content.decode()


def test_a_manager_edits_and_ends_a_plan(client, manager, unit, client_on_unit):
    plan = PlanFactory(client=client_on_unit, unit=unit, period_start=D(2025, 1, 10))
    client.force_login(manager)

    edit = client.get(reverse("plan_edit", args=[plan.pk]))
    assert 'value="2025-01-10"' in edit.content.decode()
    response = client.post(
        reverse("plan_edit", args=[plan.pk]),
        form_data(period_start="2025-01-10", established="2025-01-10", revised="2025-06-01"),
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.revised == D(2025, 6, 1) and plan.changed_by == manager

    confirm = client.get(reverse("plan_end", args=[plan.pk]))
    assert "Ja, avsluta planen" in confirm.content.decode()
    early = client.post(reverse("plan_end", args=[plan.pk]), {"end": "2024-12-31"})
    assert "Planen kan inte avslutas före periodens början." in early.content.decode()
    client.post(reverse("plan_end", args=[plan.pk]), {"end": "2025-06-30"})
    plan.refresh_from_db()
    assert plan.period_end == D(2025, 6, 30)
    assert (
        "Planen är redan avslutad 2025-06-30."
        in client.get(reverse("plan_end", args=[plan.pk])).content.decode()
    )


def test_the_plan_list_shows_the_deadline_flags(client, carer, unit):
    client_record = ServiceFactory(unit=unit, start=D(2024, 1, 1)).client
    client.force_login(carer)
    page = client.get(reverse("plan_list", args=[client_record.pk])).content.decode()
    assert "Genomförandeplan saknas" in page and "2024-01-15" in page


def test_the_start_page_lists_plans_to_act_on_per_unit(client, manager, unit):
    late = ServiceFactory(
        unit=unit, start=D(2024, 1, 1), client__first_name="Sen", client__last_name="Plansson"
    ).client
    on_time = ServiceFactory(unit=unit, start=D(2024, 1, 1), client__last_name="Iordning").client
    PlanFactory(client=on_time, unit=unit, period_start=timezone.localdate())
    client.force_login(manager)
    page = client.get(reverse("home")).content.decode()
    assert "Genomförandeplaner att åtgärda" in page
    assert "Sen Plansson" in page and reverse("plan_list", args=[late.pk]) in page
    assert reverse("plan_list", args=[on_time.pk]) not in page
