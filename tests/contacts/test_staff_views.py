"""Staff list and detail, availability, and the bulk handover (the provider routine)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import CareContact, CareContactChange, Staff
from contacts.roles import Role
from journal.models import JournalNote
from tests.contacts.factories import (
    ServiceFactory,
    StaffFactory,
    VisitFactory,
    contact_now,
    make_user,
)

pytestmark = pytest.mark.django_db

Status = CareContact.Status
STAFF_LIST = reverse("staff_list")


def accept(person, unit, ordinary, deputy=None):
    services.care_contact_change(
        client=person,
        unit=unit,
        status=Status.ACCEPTED,
        ordinary=ordinary,
        deputy=deputy,
        effective=dt.date(2025, 1, 10),
    )


def on_unit(unit, first, last):
    return ServiceFactory(
        unit=unit, client__first_name=first, client__last_name=last, start=dt.date(2025, 1, 1)
    ).client


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def team(unit):
    """Lena leaves; Britta is her deputy for Agda; Greta is ordinary for Bertil
    with Lena as deputy; Olle may not be appointed (care aide)."""
    lena = StaffFactory(units=[unit], first_name="Lena", last_name="Lämnar", signature="lela")
    britta = StaffFactory(units=[unit], first_name="Britta", last_name="Söder", signature="brs89")
    greta = StaffFactory(units=[unit], first_name="Greta", last_name="Olsson", signature="greal")
    olle = StaffFactory(
        units=[unit], first_name="Olle", last_name="Biträde", signature="olbi", title="care_aide"
    )
    agda = on_unit(unit, "Agda", "Testsson")
    bertil = on_unit(unit, "Bertil", "Bok")
    accept(agda, unit, lena, britta)
    accept(bertil, unit, greta, lena)
    return {
        "lena": lena,
        "britta": britta,
        "greta": greta,
        "olle": olle,
        "agda": agda,
        "bertil": bertil,
    }


def cc_of(person, unit):
    """The client's CareContact on the unit: its id names the handover row."""
    return CareContact.objects.get(client=person, unit=unit)


# --- list --------------------------------------------------------------------------------


def test_the_list_shows_my_units_staff_with_counts_and_eligibility(
    as_manager, unit, other_unit, team
):
    StaffFactory(units=[other_unit], first_name="Anna", last_name="Annanstans")
    response = as_manager.get(STAFF_LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Annanstans" not in html
    rows = {p.signature: p for p in response.context["staff"]}
    assert set(rows) == {"lela", "brs89", "greal", "olbi"}
    # Lena: ordinary for Agda, deputy for Bertil; Britta deputy for Agda; Greta ordinary.
    assert (rows["lela"].ordinary_count, rows["lela"].deputy_count) == (1, 1)
    assert (rows["brs89"].ordinary_count, rows["brs89"].deputy_count) == (0, 1)
    assert (rows["greal"].ordinary_count, rows["greal"].deputy_count) == (1, 0)
    assert rows["lela"].appointable is True
    assert rows["olbi"].appointable is False
    assert "har inte titeln undersköterska" in html
    assert "@lela" in html and "Vårdbiträde" in html


def test_counts_leave_out_clients_on_units_that_are_not_mine(as_manager, unit, other_unit):
    both = StaffFactory(units=[unit, other_unit], signature="both")
    accept(on_unit(unit, "A", "Här"), unit, both)
    accept(on_unit(other_unit, "B", "Där"), other_unit, both)
    row = next(p for p in as_manager.get(STAFF_LIST).context["staff"] if p.signature == "both")
    assert row.ordinary_count == 1


def test_the_list_takes_the_same_number_of_queries_for_many_staff(
    as_manager, unit, django_assert_max_num_queries
):
    StaffFactory.create_batch(2, units=[unit])
    with django_assert_max_num_queries(12) as small:
        as_manager.get(STAFF_LIST)
    StaffFactory.create_batch(10, units=[unit])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = as_manager.get(STAFF_LIST)
    assert len(response.context["staff"]) == 12


def test_a_long_list_comes_a_page_at_a_time_in_name_order(
    as_manager, manager, unit, other_unit, monkeypatch
):
    monkeypatch.setattr("contacts.views.staff.STAFF_PAGE_SIZE", 2)
    other_unit.members.add(manager)
    for last, signature in (("Berg", "berg"), ("Ahl", "ahl"), ("Dahl", "dahl")):
        StaffFactory(units=[unit], first_name="Ida", last_name=last, signature=signature)
    first = as_manager.get(STAFF_LIST)
    html = first.content.decode()
    assert [p.signature for p in first.context["staff"]] == ["ahl", "berg"]
    assert "3 personer · visar 1–2" in html and "Sida 1 av 2" in html
    assert 'href="?sida=2" rel="next"' in html and 'rel="prev"' not in html
    second = as_manager.get(STAFF_LIST, {"sida": "2"})
    assert [p.signature for p in second.context["staff"]] == ["dahl"]
    assert 'href="?sida=1" rel="prev"' in second.content.decode()
    # One unit chosen: the page links keep it.
    chosen = as_manager.get(STAFF_LIST, {"enhet": unit.pk}).content.decode()
    assert f'href="?enhet={unit.pk}&amp;sida=2"' in chosen
    # A page that does not exist gives the nearest one, never an error.
    assert [p.signature for p in as_manager.get(STAFF_LIST, {"sida": "99"}).context["staff"]] == [
        "dahl"
    ]
    assert as_manager.get(STAFF_LIST, {"sida": "x"}).context["page_obj"].number == 1


def test_care_staff_may_not_see_the_staff_pages(client, carer, nurse):
    client.force_login(carer)
    assert client.get(STAFF_LIST).status_code == 403
    assert client.get(reverse("staff_detail", args=[nurse.pk])).status_code == 403


def test_a_coordinator_reads_but_cannot_change(client, unit, nurse):
    client.force_login(make_user("samordnare", role=Role.COORDINATOR, units=[unit]))
    assert client.get(STAFF_LIST).status_code == 200
    html = client.get(reverse("staff_detail", args=[nurse.pk])).content.decode()
    assert "Tillgänglighet och anställning" not in html
    response = client.post(reverse("staff_availability", args=[nurse.pk]), {"available": "0"})
    assert response.status_code == 403
    nurse.refresh_from_db()
    assert nurse.available is True


# --- detail ------------------------------------------------------------------------------


def test_staff_on_another_unit_is_not_found(as_manager, other_unit):
    stranger = StaffFactory(units=[other_unit])
    assert as_manager.get(reverse("staff_detail", args=[stranger.pk])).status_code == 404
    assert as_manager.get(reverse("staff_handover", args=[stranger.pk])).status_code == 404
    response = as_manager.post(reverse("staff_availability", args=[stranger.pk]), {})
    assert response.status_code == 404


def test_the_detail_lists_clients_as_ordinary_and_deputy(as_manager, team):
    response = as_manager.get(reverse("staff_detail", args=[team["lena"].pk]))
    assert [cc.client.first_name for cc in response.context["as_ordinary"]] == ["Agda"]
    assert [cc.client.first_name for cc in response.context["as_deputy"]] == ["Bertil"]


@pytest.mark.parametrize(
    ("fields", "kind", "text"),
    [
        ({"title_certificate_date": dt.date(2023, 1, 15)}, "certificate", "2023-01-15"),
        (
            {"title_certificate_date": None, "permanent_on_2023_07_01": True},
            "transitional",
            "till och med 2033-06-30",
        ),
        ({"title_certificate_date": None}, "missing", "Bevis saknas"),
    ],
)
def test_the_detail_shows_the_title_evidence(as_manager, unit, fields, kind, text):
    person = StaffFactory(units=[unit], **fields)
    response = as_manager.get(reverse("staff_detail", args=[person.pk]))
    assert response.context["evidence"].kind == kind
    assert text in response.content.decode()


def test_a_manager_marks_staff_unavailable_and_is_offered_the_handover(as_manager, team):
    lena = team["lena"]
    response = as_manager.post(
        reverse("staff_availability", args=[lena.pk]),
        {"available": "0", "employment_end": "2027-02-28"},
    )
    assert response.status_code == 302
    lena.refresh_from_db()
    assert (lena.available, lena.employment_end) == (False, dt.date(2027, 2, 28))
    html = as_manager.get(response["Location"]).content.decode()
    assert "Uppgifterna om Lena Lämnar (@lela) sparades." in html
    assert "2 brukare behöver ny fast omsorgskontakt." in html
    assert reverse("staff_handover", args=[lena.pk]) in html


def test_a_bad_employment_date_is_a_swedish_error(as_manager, nurse):
    response = as_manager.post(
        reverse("staff_availability", args=[nurse.pk]),
        {"available": "0", "employment_end": "31/12/2026"},
    )
    assert response.status_code == 200
    assert "Ange datumet som ÅÅÅÅ-MM-DD." in response.content.decode()
    nurse.refresh_from_db()
    assert nurse.available is True


def test_availability_in_place_with_htmx_returns_the_region(as_manager, nurse):
    response = as_manager.post(
        reverse("staff_availability", args=[nurse.pk]),
        {"available": "0", "employment_end": ""},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="staff-body"' in html
    assert "sparades" in html
    assert Staff.objects.get(pk=nurse.pk).available is False


# --- handover ----------------------------------------------------------------------------


def handover_url(staff):
    return reverse("staff_handover", args=[staff.pk])


def test_the_handover_suggests_the_deputy_as_new_ordinary(as_manager, unit, other_unit, team):
    StaffFactory(units=[other_unit], first_name="Anna", last_name="Annanstans")
    response = as_manager.get(handover_url(team["lena"]))
    assert response.status_code == 200
    pairs = {row.contact.client.first_name: form for row, form in response.context["pairs"]}
    assert pairs["Agda"]["ordinary"].value() == team["britta"].pk
    assert pairs["Agda"]["deputy"].value() == ""
    assert pairs["Bertil"]["ordinary"].value() == team["greta"].pk
    assert pairs["Bertil"]["deputy"].value() == ""
    options = [label for _value, label in pairs["Agda"].fields["ordinary"].choices]
    assert not any("Lena" in label for label in options)
    assert not any("Olle" in label or "Annanstans" in label for label in options)
    assert response.context["form"]["effective"].value() == timezone.localdate()


def test_the_handover_keeps_deputies_and_suggests_frequent_visitors(as_manager, unit, team):
    # Greta often visits Agda (Lena ordinary, Britta deputy); Britta often
    # visits Bertil (Greta ordinary, Lena deputy).
    recently = timezone.now() - dt.timedelta(days=3)
    for hours in range(3):
        at = recently + dt.timedelta(hours=hours)
        VisitFactory(client=team["agda"], unit=unit, start=at, staff=[team["greta"]])
    VisitFactory(client=team["bertil"], unit=unit, start=recently, staff=[team["britta"]])
    response = as_manager.get(handover_url(team["lena"]))
    pairs = {row.contact.client.first_name: form for row, form in response.context["pairs"]}
    # Agda keeps her deputy; the frequent visitor is the new ordinary.
    assert pairs["Agda"]["ordinary"].value() == team["greta"].pk
    assert pairs["Agda"]["deputy"].value() == team["britta"].pk
    # Bertil's leaving deputy is replaced by his frequent visitor, not by none.
    assert pairs["Bertil"]["ordinary"].value() == team["greta"].pk
    assert pairs["Bertil"]["deputy"].value() == team["britta"].pk
    # The pickers show visits and load, as the single form does, visitors first.
    labels = [label for _value, label in pairs["Agda"].fields["ordinary"].choices]
    assert labels[1] == f"{team['greta']} – 3 besök senaste 4 v · 1 brukare"


def post_data(team, unit, **overrides):
    agda, bertil = cc_of(team["agda"], unit), cc_of(team["bertil"], unit)
    data = {
        f"r{agda.pk}-ordinary": team["britta"].pk,
        f"r{agda.pk}-deputy": team["greta"].pk,
        f"r{bertil.pk}-ordinary": team["greta"].pk,
        f"r{bertil.pk}-deputy": "",
        "effective": timezone.localdate().isoformat(),
        "handover_note": "Lena slutar. Överlämning gjord vid möte.",
    }
    data.update(overrides)
    return data, agda, bertil


def test_the_handover_reassigns_every_client_with_journal_notes(as_manager, unit, team):
    data, agda, bertil = post_data(team, unit)
    notes_before = JournalNote.objects.count()
    response = as_manager.post(handover_url(team["lena"]), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("staff_detail", args=[team["lena"].pk])
    agda_now, bertil_now = contact_now(agda.client, unit), contact_now(bertil.client, unit)
    assert (agda_now.ordinary, agda_now.deputy) == (team["britta"], team["greta"])
    assert (bertil_now.ordinary, bertil_now.deputy) == (team["greta"], None)
    assert JournalNote.objects.count() == notes_before + 2
    html = response.content.decode()
    assert "2 brukare har fått ny fast omsorgskontakt" in html
    assert (
        CareContactChange.objects.filter(reason="Lena slutar. Överlämning gjord vid möte.").count()
        == 2
    )


def test_one_bad_row_saves_nothing_and_keeps_the_values(as_manager, unit, team):
    data, agda, bertil = post_data(team, unit)
    data[f"r{bertil.pk}-deputy"] = team["greta"].pk  # the same person twice
    before = CareContactChange.objects.count()
    response = as_manager.post(handover_url(team["lena"]), data)
    assert response.status_code == 200
    assert CareContactChange.objects.count() == before
    pairs = {row.contact.care_contact_id: form for row, form in response.context["pairs"]}
    assert pairs[bertil.pk].errors["deputy"] == [
        "Vice kontakt kan inte vara samma person som ordinarie."
    ]
    assert not pairs[agda.pk].errors
    html = response.content.decode()
    assert "Inget sparades." in html
    # The error summary links to the row to fix.
    assert f'href="#r{bertil.pk}-row"' in html and f'id="r{bertil.pk}-row"' in html
    assert f'href="#r{agda.pk}-row"' not in html
    assert f'<option value="{team["greta"].pk}" selected>' in html
    assert "Lena slutar. Överlämning gjord vid möte." in html


def test_a_missing_handover_note_is_an_error(as_manager, unit, team):
    data, agda, _bertil = post_data(team, unit, handover_note="   ")
    response = as_manager.post(handover_url(team["lena"]), data)
    assert "Skriv en överlämning." in response.content.decode()
    assert contact_now(agda.client, unit).ordinary == team["lena"]


def test_a_forged_staff_id_is_an_error_not_a_500(as_manager, unit, other_unit, team):
    stranger = StaffFactory(units=[other_unit])
    data, agda, _bertil = post_data(team, unit)
    data[f"r{agda.pk}-ordinary"] = stranger.pk
    data[f"r{agda.pk}-deputy"] = "nonsense"
    response = as_manager.post(handover_url(team["lena"]), data)
    assert response.status_code == 200
    pairs = {row.contact.care_contact_id: form for row, form in response.context["pairs"]}
    errors = pairs[agda.pk].errors
    assert "kan inte utses" in errors["ordinary"][0]
    assert "kan inte utses" in errors["deputy"][0]


def test_service_errors_are_shown_next_to_their_row(as_manager, unit, team, monkeypatch):
    data, agda, bertil = post_data(team, unit)

    def refuse(**kwargs):
        raise ValidationError({str(bertil.pk): ["Greta Olsson kan inte utses 2027-01-01."]})

    monkeypatch.setattr(services, "care_contacts_reassign", refuse)
    response = as_manager.post(handover_url(team["lena"]), data)
    pairs = {row.contact.care_contact_id: form for row, form in response.context["pairs"]}
    assert pairs[bertil.pk].non_field_errors() == ["Greta Olsson kan inte utses 2027-01-01."]
    assert not pairs[agda.pk].errors


def test_care_staff_cannot_post_a_handover(client, carer, unit, team):
    client.force_login(carer)
    data, agda, _bertil = post_data(team, unit)
    assert client.post(handover_url(team["lena"]), data).status_code == 403
    assert contact_now(agda.client, unit).ordinary == team["lena"]


def test_htmx_handover_errors_swap_only_the_form(as_manager, unit, team):
    data, _agda, _bertil = post_data(team, unit, handover_note="")
    response = as_manager.post(handover_url(team["lena"]), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="handover-form"' in html
    assert "Skriv en överlämning." in html


# --- staff administration (handbook 1.2) ------------------------------------------------

DETAILS = {
    "first_name": "Lena",
    "last_name": "Lämnar",
    "title": "assistant_nurse",
    "phone": "0701 236542",
    "email": "lena@example.org",
    "hsa_id": "",
    "fok_selectable": "on",
    "title_certificate_date": "",
    "permanent_on_2023_07_01": "on",
}


def test_a_manager_keeps_the_details_of_staff_on_their_units(as_manager, team):
    lena = team["lena"]
    url = reverse("staff_edit", args=[lena.pk])
    detail = as_manager.get(reverse("staff_detail", args=[lena.pk])).content.decode()
    assert url in detail
    assert as_manager.get(url).status_code == 200

    response = as_manager.post(url, DETAILS)
    assert response.status_code == 302
    lena.refresh_from_db()
    assert (lena.phone, lena.email) == ("0701 236542", "lena@example.org")
    assert lena.permanent_on_2023_07_01 and lena.title_certificate_date is None
    # The new phone is on the client's card (handbook 1.5).
    card = as_manager.get(team["agda"].get_absolute_url() + "?flik=fok").content.decode()
    assert "0701 236542" in card


def test_staff_details_are_validated_as_the_import_does(as_manager, team):
    lena = team["lena"]
    before = (lena.email, lena.title)
    bad = {**DETAILS, "email": "inte-en-adress", "title": "chef", "title_certificate_date": "x"}
    response = as_manager.post(reverse("staff_edit", args=[lena.pk]), bad)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Uppgifterna sparades inte." in html
    assert "Ange datumet som ÅÅÅÅ-MM-DD." in html
    assert 'href="#id_staff_email"' in html
    lena.refresh_from_db()
    assert (lena.email, lena.title) == before


def test_staff_administration_is_scoped_to_the_managers_units(client, unit, other_unit, team):
    elsewhere = StaffFactory(units=[other_unit])
    manager = make_user("chef9", role=Role.UNIT_MANAGER, units=[unit])
    client.force_login(manager)
    assert client.get(reverse("staff_edit", args=[elsewhere.pk])).status_code == 404
    coordinator = make_user("samordnare9", role=Role.COORDINATOR, units=[unit])
    client.force_login(coordinator)
    url = reverse("staff_edit", args=[team["lena"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, DETAILS).status_code == 403
