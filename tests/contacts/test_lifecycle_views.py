"""Move a client (handbook 1.10), end a service (1.11), record a request for
another contact (the guidance for providers) and read the history."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import history, selectors, services
from contacts.models import CareContact, CareContactChange, ContactChangeRequest, Service
from contacts.roles import Role
from tests.contacts.factories import ServiceFactory, StaffFactory, UnitFactory, make_user

pytestmark = pytest.mark.django_db

Status = CareContact.Status
D = dt.date
FIRST_ACCEPT = D(2025, 1, 10)


def accept(person, unit, ordinary, deputy=None, effective=FIRST_ACCEPT, by=None):
    return services.care_contact_change(
        client=person,
        unit=unit,
        status=Status.ACCEPTED,
        ordinary=ordinary,
        deputy=deputy,
        effective=effective,
        by=by,
    )


def state(person, unit, on):
    s = history.state_on(client=person, unit=unit, on=on)
    return s.status, s.ordinary_id, s.deputy_id


@pytest.fixture
def as_manager(client, manager, other_unit):
    other_unit.members.add(manager)  # manager of both Norr and Söder
    client.force_login(manager)
    return client


@pytest.fixture
def agda(unit):
    return ServiceFactory(
        unit=unit, start=D(2025, 1, 1), client__first_name="Agda", client__last_name="Testsson"
    ).client


@pytest.fixture
def britta(unit):
    return StaffFactory(units=[unit], first_name="Britta", last_name="Söder", signature="brs89")


# --- move ---------------------------------------------------------------------------------


def move_url(person):
    return reverse("client_move", args=[person.pk])


def test_the_move_page_explains_what_happens_and_offers_my_units(
    as_manager, unit, other_unit, agda, britta
):
    UnitFactory(code="U9", name="Hemtjänst Väster")  # not mine
    accept(agda, unit, britta)
    response = as_manager.get(move_url(agda))
    html = response.content.decode()
    assert response.status_code == 200
    assert "avslutas från och med flyttdatum" in html
    assert "”ej tillfrågad” på den nya enheten" in html
    assert "andra pågående enheter behålls" in html
    form = response.context["form"]
    assert [u.name for u in form.fields["from_unit"].queryset] == ["Hemtjänst Norr"]
    # Never the unit moved from.
    assert [u.name for u in form.fields["to_unit"].queryset] == ["Hemtjänst Söder"]
    assert form["on"].value() == timezone.localdate()
    assert "Britta Söder (@brs89)" in html


def test_moving_ends_the_old_contact_and_starts_not_asked(
    as_manager, unit, other_unit, agda, britta
):
    accept(agda, unit, britta)
    today = timezone.localdate()
    response = as_manager.post(
        move_url(agda),
        {"from_unit": unit.pk, "to_unit": other_unit.pk, "on": today.isoformat()},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{agda.get_absolute_url()}?flik=fok"
    assert "flyttas från Hemtjänst Norr till Hemtjänst Söder" in response.content.decode()
    assert state(agda, unit, today) == (Status.NOT_ASKED, None, None)
    assert state(agda, unit, today - dt.timedelta(days=1))[1] == britta.pk
    assert Service.objects.get(client=agda, unit=other_unit).start == today
    assert agda in selectors.not_handled_clients(other_unit, today)


def test_a_move_to_a_unit_that_is_not_mine_is_refused(as_manager, unit, agda):
    elsewhere = UnitFactory(code="U9", name="Hemtjänst Väster")
    response = as_manager.post(
        move_url(agda),
        {"from_unit": unit.pk, "to_unit": elsewhere.pk, "on": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "Välj en enhet i listan" in response.content.decode()
    assert not Service.objects.filter(unit=elsewhere).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"to_unit": "same", "on": "2026-01-01"},
            "Välj en enhet i listan (inte den enhet brukaren flyttar från)",
        ),
        ({"on": "1 januari"}, "Ange datumet som ÅÅÅÅ-MM-DD."),
        ({"on": ""}, "Ange ett datum."),
        ({"to_unit": ""}, "Välj enheten brukaren flyttar till."),
    ],
)
def test_bad_move_input_gives_swedish_errors(as_manager, unit, other_unit, agda, fields, message):
    data = {"from_unit": unit.pk, "to_unit": other_unit.pk, "on": "2026-01-01", **fields}
    if data["to_unit"] == "same":
        data["to_unit"] = unit.pk
    response = as_manager.post(move_url(agda), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Service.objects.filter(client=agda, unit=other_unit).exists()


def test_a_move_after_the_service_ended_shows_the_service_error(as_manager, unit, other_unit):
    today = timezone.localdate()
    ended = ServiceFactory(unit=unit, start=D(2025, 1, 1), end=today + dt.timedelta(days=5))
    response = as_manager.post(
        move_url(ended.client),
        {
            "from_unit": unit.pk,
            "to_unit": other_unit.pk,
            "on": (today + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert (
        "Brukaren har ingen pågående eller kommande insats på Hemtjänst Norr"
        in response.content.decode()
    )


def test_care_staff_cannot_move_and_other_units_clients_are_not_found(
    client, carer, unit, other_unit, agda
):
    client.force_login(carer)
    data = {"from_unit": unit.pk, "to_unit": other_unit.pk, "on": "2026-01-01"}
    assert client.post(move_url(agda), data).status_code == 403
    stranger = ServiceFactory(unit=other_unit).client
    assert client.get(move_url(stranger)).status_code == 404
    assert not Service.objects.filter(client=agda, unit=other_unit).exists()


def test_htmx_move_errors_swap_the_form_only(as_manager, unit, agda):
    response = as_manager.post(
        move_url(agda),
        {"from_unit": unit.pk, "to_unit": unit.pk, "on": "2026-01-01"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "<html" not in html and 'id="move-form"' in html


# --- end a service ------------------------------------------------------------------------


def end_url(service):
    return reverse("service_end", args=[service.client_id, service.pk])


def test_ending_the_last_service_explains_and_ends_the_contact(as_manager, unit, britta):
    service = ServiceFactory(unit=unit, start=D(2025, 1, 1))
    person = service.client
    accept(person, unit, britta)
    html = as_manager.get(end_url(service)).content.decode()
    assert "Detta är brukarens sista pågående insats på enheten." in html
    assert "den aktiva genomförandeplanen avslutas" in html

    # Ended ten days ago: within the grace period, so the record stays open.
    end = timezone.localdate() - dt.timedelta(days=10)
    day_after = end + dt.timedelta(days=1)
    response = as_manager.post(end_url(service), {"end": end.isoformat()}, follow=True)
    assert response.redirect_chain[-1][0] == f"{person.get_absolute_url()}?flik=fok"
    assert f"upphör från och med {day_after.isoformat()}" in response.content.decode()
    service.refresh_from_db()
    assert service.end == end
    assert state(person, unit, end)[1] == britta.pk
    assert state(person, unit, day_after) == (Status.NOT_ASKED, None, None)


def test_ending_a_service_further_back_than_the_grace_period_leads_to_the_start_page(
    as_manager, unit, britta, settings
):
    settings.OMSORG_ACCESS_GRACE_DAYS = 30
    service = ServiceFactory(unit=unit, start=D(2025, 1, 1))
    person = service.client
    accept(person, unit, britta)
    end = timezone.localdate() - dt.timedelta(days=31)
    response = as_manager.post(end_url(service), {"end": end.isoformat()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    html = response.content.decode()
    assert "visas inte längre för enheten" in html
    assert as_manager.get(person.get_absolute_url()).status_code == 404


def test_ending_one_of_two_services_keeps_the_contact(as_manager, unit, britta):
    service = ServiceFactory(unit=unit, start=D(2025, 1, 1))
    person = service.client
    ServiceFactory(client=person, unit=unit, kind=Service.Kind.ALARM, start=D(2025, 1, 1))
    accept(person, unit, britta)
    html = as_manager.get(end_url(service)).content.decode()
    assert "Den fasta omsorgskontakten behålls" in html
    as_manager.post(end_url(service), {"end": "2026-03-31"})
    assert state(person, unit, D(2026, 6, 1))[1] == britta.pk


def test_an_end_before_the_start_is_a_swedish_error(as_manager, unit):
    service = ServiceFactory(unit=unit, start=D(2025, 1, 1))
    response = as_manager.post(end_url(service), {"end": "2024-12-31"})
    assert response.status_code == 200
    assert "Slutdatum kan inte vara före startdatum 2025-01-01." in response.content.decode()
    service.refresh_from_db()
    assert service.end is None


def test_services_of_other_units_or_clients_are_not_found(as_manager, unit, agda):
    elsewhere = UnitFactory(code="U9")
    foreign = ServiceFactory(client=agda, unit=elsewhere)
    assert as_manager.get(end_url(foreign)).status_code == 404
    someone_else = ServiceFactory(unit=unit)
    url = reverse("service_end", args=[agda.pk, someone_else.pk])
    assert as_manager.post(url, {"end": "2026-01-01"}).status_code == 404


def test_care_staff_cannot_end_a_service(client, carer, unit):
    service = ServiceFactory(unit=unit)
    client.force_login(carer)
    assert client.post(end_url(service), {"end": "2026-01-01"}).status_code == 403
    service.refresh_from_db()
    assert service.end is None


# --- request for another contact ----------------------------------------------------------


def request_url(person, unit):
    return reverse("contact_change_request", args=[person.pk, unit.pk])


def test_a_request_is_recorded_and_leads_to_the_contact_form(as_manager, unit, agda, britta):
    accept(agda, unit, britta)
    response = as_manager.post(
        request_url(agda, unit),
        {"reason": "Vill ha en kvinnlig kontakt", "requested_on": "2026-02-01"},
    )
    request = ContactChangeRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("fok_edit", args=[agda.pk, unit.pk]) + f"?begaran={request.pk}"
    )
    assert (request.reason, request.requested_on, request.unit) == (
        "Vill ha en kvinnlig kontakt",
        D(2026, 2, 1),
        unit,
    )
    html = as_manager.get(request_url(agda, unit)).content.decode()
    assert "Vill ha en kvinnlig kontakt" in html
    assert "Ej åtgärdat" in html


def test_a_resolved_request_is_listed_as_resolved(as_manager, unit, agda, britta):
    greta = StaffFactory(units=[unit], first_name="Greta", last_name="Olsson", signature="greal")
    accept(agda, unit, britta)
    request = services.contact_change_request_record(
        client=agda, unit=unit, reason="Kemin stämmer inte", requested_on=D(2026, 2, 1)
    )
    change = accept(agda, unit, greta, effective=D(2026, 2, 3))
    services.contact_change_request_resolve(request=request, change=change)
    response = as_manager.get(request_url(agda, unit))
    requests = response.context["change_requests"]
    assert (requests.open, requests.resolved) == ([], [request])
    assert "Ny kontakt från 2026-02-03" in response.content.decode()


def test_a_request_needs_a_reason(as_manager, unit, agda):
    response = as_manager.post(request_url(agda, unit), {"reason": "  ", "requested_on": ""})
    html = response.content.decode()
    assert "Ange varför brukaren vill byta kontakt." in html
    assert "Ange ett datum." in html
    assert not ContactChangeRequest.objects.exists()


def test_a_request_on_a_unit_the_client_is_not_on_is_not_found(as_manager, other_unit, agda):
    assert as_manager.get(request_url(agda, other_unit)).status_code == 404


# --- history ------------------------------------------------------------------------------


def history_url(person, query=""):
    return reverse("client_history", args=[person.pk]) + query


def test_the_history_shows_every_change_with_who_and_why(
    client, carer, manager, unit, agda, britta
):
    StaffFactory(
        units=[unit],
        first_name="Chef",
        last_name="Chefsson",
        signature="chef1",
        title="unit_manager",
        user=manager,
    )
    greta = StaffFactory(units=[unit], first_name="Greta", last_name="Olsson", signature="greal")
    accept(agda, unit, britta, effective=D(2025, 1, 10), by=manager)
    accept(agda, unit, britta, greta, effective=D(2025, 6, 1), by=manager)
    client.force_login(carer)  # care staff may read the history
    response = client.get(history_url(agda))
    assert response.status_code == 200
    changes = response.context["changes"]
    assert [c.effective for c in changes] == [D(2025, 6, 1), D(2025, 1, 10)]
    html = response.content.decode()
    assert "Brukaren ej tillfrågad → <strong>Brukaren tackar ja</strong>" in html
    assert "– → <strong>Greta Olsson (@greal)</strong>" in html
    assert "Chef Chefsson (@chef1)" in html
    assert "Webbläsare" in html


def test_the_state_as_of_a_date(client, carer, unit, other_unit, agda, britta):
    greta = StaffFactory(units=[unit], first_name="Greta", last_name="Olsson")
    accept(agda, unit, britta, effective=D(2025, 1, 10))
    accept(agda, unit, greta, effective=D(2025, 6, 1))
    ServiceFactory(client=agda, unit=other_unit, start=D(2025, 3, 1))
    client.force_login(carer)
    states = client.get(history_url(agda, "?per=2025-05-31")).context["states"]
    # Only the carer's own unit: another unit's history is not shown (handbook 1.5
    # shows its current contacts on the record, not its past).
    assert [
        (s.unit.name, s.status_label, s.change.ordinary if s.change else None) for s in states
    ] == [("Hemtjänst Norr", "Brukaren tackar ja", britta)]
    states = client.get(history_url(agda, "?per=2025-06-01")).context["states"]
    assert states[0].change.ordinary == greta
    states = client.get(history_url(agda, "?per=2025-01-09")).context["states"]
    assert [(s.unit.name, s.change) for s in states] == [("Hemtjänst Norr", None)]


def test_a_bad_as_of_date_is_an_error_not_a_500(client, carer, agda):
    client.force_login(carer)
    response = client.get(history_url(agda, "?per=igår"))
    assert response.status_code == 200
    assert "Ange datumet som ÅÅÅÅ-MM-DD." in response.content.decode()
    assert response.context["on"] == timezone.localdate()


def test_the_history_of_a_client_elsewhere_is_not_found(client, carer, other_unit):
    client.force_login(carer)
    stranger = ServiceFactory(unit=other_unit).client
    assert client.get(history_url(stranger)).status_code == 404


def test_the_history_takes_a_fixed_number_of_queries(
    client, unit, agda, django_assert_max_num_queries
):
    user = make_user("las", role=Role.CARE_STAFF, units=[unit])
    client.force_login(user)
    people = StaffFactory.create_batch(4, units=[unit])
    accept(agda, unit, people[0])
    # The access log row adds one query, two on PostgreSQL (its SET LOCAL).
    with django_assert_max_num_queries(13) as few:
        client.get(history_url(agda))
    for i, person in enumerate(people[1:]):
        accept(agda, unit, person, people[i], effective=D(2025, 2, 1 + i))
    assert CareContactChange.objects.filter(client=agda).count() == 4
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(history_url(agda))
