import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import CareContact, CareContactChange, Service
from contacts.roles import Role
from journal.models import JournalNote
from plans.models import ImplementationPlan
from tests.contacts.factories import (
    ClientFactory,
    ServiceFactory,
    StaffFactory,
    VisitFactory,
    contact_now,
    make_user,
    status_now,
)

pytestmark = pytest.mark.django_db


def edit_url(client, unit):
    return reverse("fok_edit", args=[client.pk, unit.pk])


@pytest.fixture
def britta(unit):
    return StaffFactory(units=[unit], first_name="Britta", last_name="Söder", signature="brs89")


@pytest.fixture
def greta(unit):
    return StaffFactory(units=[unit], first_name="Greta", last_name="Olsson", signature="greal")


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


def test_it_shows_the_form_with_the_four_statuses(as_manager, unit, client_on_unit, britta):
    response = as_manager.get(edit_url(client_on_unit, unit))
    assert response.status_code == 200
    html = response.content.decode()
    for label in (
        "Brukaren ej tillfrågad",
        "Brukaren saknar behov",
        "Brukaren tackar nej",
        "Brukaren tackar ja",
    ):
        assert label in html
    assert 'type="radio"' in html
    # Handbook 1.5: the pickers show title and phone as well.
    assert (
        f"Britta Söder (@brs89) – 0 besök senaste 4 v · 0 brukare · Undersköterska · {britta.phone}"
        in html
    )


def test_pickers_offer_only_appointable_staff_on_the_unit(
    as_manager, unit, other_unit, client_on_unit, britta
):
    StaffFactory(units=[unit], first_name="Vera", last_name="Vårdbiträde", title="care_aide")
    StaffFactory(units=[unit], first_name="Otto", last_name="Ovald", fok_selectable=False)
    StaffFactory(units=[other_unit], first_name="Anna", last_name="Annanstans")
    html = as_manager.get(edit_url(client_on_unit, unit)).content.decode()
    assert "Britta Söder" in html
    assert "Vera" not in html
    assert "Otto" not in html
    assert "Annanstans" not in html


def test_frequent_visitors_come_first_with_their_counts(
    as_manager, unit, client_on_unit, britta, greta
):
    now = timezone.now()
    # Greta visited the client three times in the last four weeks, Britta once;
    # a visit five weeks ago and a cancelled one do not count.
    for days in (1, 2, 3):
        VisitFactory(
            client=client_on_unit, unit=unit, start=now - dt.timedelta(days=days), staff=[greta]
        )
    VisitFactory(client=client_on_unit, unit=unit, start=now - dt.timedelta(days=4), staff=[britta])
    VisitFactory(
        client=client_on_unit, unit=unit, start=now - dt.timedelta(days=35), staff=[britta]
    )
    VisitFactory(
        client=client_on_unit,
        unit=unit,
        start=now - dt.timedelta(days=5),
        staff=[britta],
        status="cancelled",
    )
    # Britta is already ordinary for two other clients, Greta deputy for one.
    for _ in range(2):
        other = ServiceFactory(unit=unit).client
        services.care_contact_change(
            client=other, unit=unit, status="accepted", ordinary=britta, deputy=greta
        )
    other = ServiceFactory(unit=unit).client
    services.care_contact_change(client=other, unit=unit, status="accepted", ordinary=britta)

    html = as_manager.get(edit_url(client_on_unit, unit)).content.decode()
    greta_label = "Greta Olsson (@greal) – 3 besök senaste 4 v · 2 brukare"
    britta_label = "Britta Söder (@brs89) – 1 besök senaste 4 v · 3 brukare"
    assert greta_label in html
    assert britta_label in html
    assert html.index(greta_label) < html.index(britta_label)


def test_manager_appoints_ordinary_and_deputy(as_manager, unit, client_on_unit, britta, greta):
    response = as_manager.post(
        edit_url(client_on_unit, unit),
        {"status": "accepted", "ordinary": britta.pk, "deputy": greta.pk},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{client_on_unit.get_absolute_url()}?flik=fok"
    cc = contact_now(client_on_unit, unit)
    assert (cc.status, cc.ordinary, cc.deputy) == ("accepted", britta, greta)
    note = JournalNote.objects.get(client=client_on_unit)
    assert note.contact_change == CareContactChange.objects.get(client=client_on_unit)
    html = response.content.decode()
    assert "status ”Brukaren tackar ja”" in html
    assert "ordinarie Britta Söder (@brs89)" in html
    assert "vice Greta Olsson (@greal)" in html
    assert "Journalanteckning skapad" in html


def test_status_transitions_each_write_history(as_manager, unit, client_on_unit, britta):
    url = edit_url(client_on_unit, unit)
    as_manager.post(url, {"status": "accepted", "ordinary": britta.pk})
    as_manager.post(url, {"status": "declined", "reason": "Vill inte just nu"})
    # Personal care is more than a simple service: "no need" must be confirmed.
    as_manager.post(
        url, {"status": "no_need", "confirm_no_need": "on", "no_need_reason": "Har bara larm"}
    )
    as_manager.post(url, {"status": "not_asked"})
    history = list(
        CareContactChange.objects.filter(client=client_on_unit).values_list(
            "old_status", "status", "ordinary_id"
        )
    )
    assert history == [
        ("not_asked", "accepted", britta.pk),
        ("accepted", "declined", None),
        ("declined", "no_need", None),
        ("no_need", "not_asked", None),
    ]
    cc = contact_now(client_on_unit, unit)
    assert cc.status == "not_asked"
    assert cc.ordinary is None


def test_declined_keeps_the_reason(as_manager, unit, client_on_unit):
    as_manager.post(
        edit_url(client_on_unit, unit), {"status": "declined", "reason": "Har anhöriga"}
    )
    cc = contact_now(client_on_unit, unit)
    assert cc.decline_reason == "Har anhöriga"


def test_accepted_requires_an_ordinary(as_manager, unit, client_on_unit):
    response = as_manager.post(edit_url(client_on_unit, unit), {"status": "accepted"})
    assert response.status_code == 200
    assert "Välj en ordinarie kontakt när brukaren tackar ja." in response.content.decode()
    assert not CareContactChange.objects.exists()


def test_deputy_must_differ_from_ordinary(as_manager, unit, client_on_unit, britta):
    response = as_manager.post(
        edit_url(client_on_unit, unit),
        {"status": "accepted", "ordinary": britta.pk, "deputy": britta.pk},
    )
    assert "Vice kontakt kan inte vara samma person som ordinarie." in response.content.decode()
    assert not CareContactChange.objects.exists()


def test_staff_who_may_not_be_appointed_is_refused(as_manager, unit, client_on_unit):
    aide = StaffFactory(units=[unit], title="care_aide")
    response = as_manager.post(
        edit_url(client_on_unit, unit), {"status": "accepted", "ordinary": aide.pk}
    )
    assert (
        "Personen kan inte utses till fast omsorgskontakt på enheten i dag."
        in response.content.decode()
    )
    assert not CareContactChange.objects.exists()


def test_declined_requires_a_reason(as_manager, unit, client_on_unit):
    response = as_manager.post(
        edit_url(client_on_unit, unit), {"status": "declined", "reason": "   "}
    )
    assert "Ange anledningen till att brukaren tackar nej." in response.content.decode()
    assert not CareContactChange.objects.exists()


def test_no_need_for_a_simple_service_needs_no_confirmation(as_manager, unit):
    client = ServiceFactory(unit=unit, kind=Service.Kind.ALARM).client
    response = as_manager.post(edit_url(client, unit), {"status": "no_need"})
    assert response.status_code == 302
    assert status_now(client, unit) == "no_need"


@pytest.mark.parametrize(
    ("client_fields", "kind", "warning"),
    [
        ({"cognitive_impairment": True}, Service.Kind.ALARM, "Brukaren har kognitiv svikt."),
        (
            {"small_social_network": True},
            Service.Kind.SHOPPING,
            "Brukaren har ett begränsat socialt nätverk.",
        ),
        ({}, Service.Kind.PERSONAL_CARE, "utöver trygghetslarm, matdistribution, inköp och städ"),
    ],
)
def test_no_need_warns_and_requires_confirmation(as_manager, unit, client_fields, kind, warning):
    client = ServiceFactory(unit=unit, kind=kind, client=ClientFactory(**client_fields)).client
    url = edit_url(client, unit)
    form_html = as_manager.get(url).content.decode()
    assert warning in form_html
    assert "uppenbart obehövlig" in form_html

    response = as_manager.post(url, {"status": "no_need"})
    assert response.status_code == 200
    assert "Bekräfta att du har bedömt" in response.content.decode()
    assert not CareContactChange.objects.exists()

    # Confirmed, but without saying why: refused, the reason is required.
    response = as_manager.post(url, {"status": "no_need", "confirm_no_need": "on"})
    assert response.status_code == 200
    assert "Ange varför en fast omsorgskontakt är uppenbart obehövlig" in (
        response.content.decode()
    )
    assert not CareContactChange.objects.exists()

    why = "Dottern bor granne och sköter all kontakt."
    response = as_manager.post(
        url, {"status": "no_need", "confirm_no_need": "on", "no_need_reason": why}
    )
    assert response.status_code == 302
    assert status_now(client, unit) == "no_need"
    change = CareContactChange.objects.get()
    assert warning in change.overridden_warnings and change.reason == why
    note = JournalNote.objects.get(contact_change=change).text
    assert "trots varning" in note and warning in note and why in note


def test_contacts_left_in_hidden_pickers_are_ignored_for_other_statuses(
    as_manager, unit, client_on_unit, britta
):
    as_manager.post(
        edit_url(client_on_unit, unit),
        {"status": "declined", "reason": "Nej tack", "ordinary": britta.pk},
    )
    cc = contact_now(client_on_unit, unit)
    assert (cc.status, cc.ordinary) == ("declined", None)


def test_a_post_that_changes_nothing_writes_no_journal_note(
    as_manager, unit, client_on_unit, britta
):
    url = edit_url(client_on_unit, unit)
    as_manager.post(url, {"status": "accepted", "ordinary": britta.pk})
    assert JournalNote.objects.count() == 1
    response = as_manager.post(url, {"status": "accepted", "ordinary": britta.pk}, follow=True)
    assert JournalNote.objects.count() == 1
    assert CareContactChange.objects.count() == 1
    assert "Inget ändrades" in response.content.decode()


def test_the_form_starts_from_the_current_state(as_manager, unit, client_on_unit, britta):
    services.care_contact_change(
        client=client_on_unit, unit=unit, status="accepted", ordinary=britta
    )
    form = as_manager.get(edit_url(client_on_unit, unit)).context["form"]
    assert form.initial["status"] == "accepted"
    assert form.initial["ordinary"] == britta.pk


def test_care_staff_see_no_form_and_a_forged_post_is_forbidden(
    client, carer, unit, client_on_unit, britta
):
    client.force_login(carer)
    assert client.get(edit_url(client_on_unit, unit)).status_code == 403
    response = client.post(
        edit_url(client_on_unit, unit), {"status": "accepted", "ordinary": britta.pk}
    )
    assert response.status_code == 403
    assert not CareContactChange.objects.exists()
    record = client.get(f"{client_on_unit.get_absolute_url()}?flik=fok").content.decode()
    assert edit_url(client_on_unit, unit) not in record


def test_a_manager_of_another_unit_gets_404(client, unit, other_unit, client_on_unit, britta):
    other_manager = make_user("chef2", role=Role.UNIT_MANAGER, units=[other_unit])
    client.force_login(other_manager)
    response = client.post(
        edit_url(client_on_unit, unit), {"status": "accepted", "ordinary": britta.pk}
    )
    assert response.status_code == 404
    assert client.get(edit_url(client_on_unit, unit)).status_code == 404
    assert not CareContactChange.objects.exists()


def test_a_unit_the_client_is_not_on_gives_404(client, unit, other_unit, client_on_unit):
    # The manager belongs to both units, but the client has no service on the other.
    both = make_user("chef3", role=Role.UNIT_MANAGER, units=[unit, other_unit])
    client.force_login(both)
    assert client.get(edit_url(client_on_unit, other_unit)).status_code == 404


def test_a_failing_receiver_rolls_everything_back(
    as_manager, unit, client_on_unit, britta, monkeypatch
):
    plan = ImplementationPlan.objects.create(
        client=client_on_unit, unit=unit, period_start=dt.date(2025, 1, 1)
    )

    def broken(**kwargs):
        raise RuntimeError("plan store unavailable")

    # The receiver imported the function by name, so patch it where it is called too.
    monkeypatch.setattr("plans.services.plan_update_contacts", broken)
    monkeypatch.setattr("plans.receivers.plan_update_contacts", broken)

    response = as_manager.post(
        edit_url(client_on_unit, unit), {"status": "accepted", "ordinary": britta.pk}
    )
    assert response.status_code == 200
    assert "Ändringen kunde inte sparas. Inget har ändrats." in response.content.decode()
    assert not CareContactChange.objects.exists()
    assert not JournalNote.objects.exists()
    assert not CareContact.objects.exists()
    plan.refresh_from_db()
    assert plan.contacts_change is None


def test_htmx_get_returns_only_the_form(as_manager, unit, client_on_unit):
    response = as_manager.get(edit_url(client_on_unit, unit), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert f'id="fok-unit-{unit.pk}"' in html
    assert "<html" not in html


def test_htmx_errors_come_back_in_the_form(as_manager, unit, client_on_unit):
    response = as_manager.post(
        edit_url(client_on_unit, unit), {"status": "declined"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Ange anledningen till att brukaren tackar nej." in html


def test_htmx_save_returns_the_record_with_the_message(as_manager, unit, client_on_unit, britta):
    response = as_manager.post(
        edit_url(client_on_unit, unit),
        {"status": "accepted", "ordinary": britta.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#client-record"
    assert response["HX-Push-Url"] == f"{client_on_unit.get_absolute_url()}?flik=fok"
    html = response.content.decode()
    assert "<html" not in html
    assert "ordinarie Britta Söder (@brs89)" in html
    assert "Journalanteckning skapad" in html
    # The message was shown in the fragment, so it does not come back on the next page.
    page = as_manager.get(client_on_unit.get_absolute_url()).content.decode()
    assert "ordinarie Britta Söder (@brs89)" not in page
