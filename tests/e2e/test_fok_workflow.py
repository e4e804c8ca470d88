import pytest
from playwright.sync_api import expect

from contacts import services
from contacts.models import CareContactChange
from journal.models import JournalNote
from tests.conftest import login
from tests.contacts.factories import ServiceFactory, StaffFactory, contact_now

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(unit):
    person = ServiceFactory(
        unit=unit, client__first_name="Agda", client__last_name="Testsson"
    ).client
    britta = StaffFactory(units=[unit], first_name="Britta", last_name="Söder", signature="brs89")
    greta = StaffFactory(units=[unit], first_name="Greta", last_name="Olsson", signature="greal")
    return person, britta, greta


def test_manager_assigns_ordinary_and_deputy_in_place(page, live_server, unit, manager, people):
    person, britta, greta = people
    login(page, live_server, "chef")
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    # A marker that survives only as long as the page is not reloaded: htmx swaps.
    page.evaluate("window.notReloaded = true")

    card = page.get_by_test_id(f"fok-{unit.code}")
    assert card.get_by_text("Brukaren ej tillfrågad").is_visible()
    card.get_by_role("link", name="Ändra fast omsorgskontakt på Hemtjänst Norr").click()

    form = page.get_by_test_id(f"fok-form-{unit.code}")
    form.wait_for()
    page.wait_for_url(f"**/brukare/{person.pk}/fok/{unit.pk}/andra/")
    ordinary = form.get_by_label("Ordinarie")
    assert not ordinary.is_visible(), "the pickers belong to 'tackar ja' only"
    form.get_by_role("radio", name="Brukaren tackar ja").check()
    assert ordinary.is_visible()
    ordinary.select_option(str(britta.pk))
    form.get_by_label("Vice").select_option(str(greta.pk))
    form.get_by_role("button", name="Spara").click()

    card = page.get_by_test_id(f"fok-{unit.code}")
    card.wait_for()
    page.wait_for_url(f"**/brukare/{person.pk}/?flik=fok")
    assert card.get_by_text("Brukaren tackar ja").is_visible()
    assert card.get_by_text("Britta Söder").is_visible()
    assert card.get_by_text("(@greal)").is_visible()
    assert card.get_by_text("Journalanteckning skapad").is_visible()
    assert page.get_by_role("status").get_by_text("ordinarie Britta Söder (@brs89)").is_visible()
    assert page.evaluate("window.notReloaded") is True
    cc = contact_now(person, unit)
    assert (cc.ordinary_id, cc.deputy_id) == (britta.pk, greta.pk)
    assert JournalNote.objects.filter(client=person).count() == 1


def test_declining_without_a_reason_shows_a_clear_error(page, live_server, unit, manager, people):
    person, _britta, _greta = people
    login(page, live_server, "chef")
    page.goto(f"{live_server.url}/brukare/{person.pk}/fok/{unit.pk}/andra/")
    form = page.get_by_test_id(f"fok-form-{unit.code}")
    form.get_by_role("radio", name="Brukaren tackar nej").check()
    reason = form.get_by_label("Anledning till att brukaren tackar nej")
    assert reason.is_visible()
    form.get_by_role("button", name="Spara").click()
    error = page.get_by_text("Ange anledningen till att brukaren tackar nej.")
    error.wait_for()
    assert error.is_visible()
    assert not CareContactChange.objects.filter(client=person, status="declined").exists()

    page.get_by_test_id(f"fok-form-{unit.code}").get_by_label(
        "Anledning till att brukaren tackar nej"
    ).fill("Har dagligen kontakt med sin dotter")
    page.get_by_role("button", name="Spara").click()
    page.get_by_test_id(f"fok-{unit.code}").get_by_text("Brukaren tackar nej").wait_for()
    assert page.get_by_text("Har dagligen kontakt med sin dotter").is_visible()


def test_care_staff_see_the_contact_but_no_edit_controls(page, live_server, unit, carer, people):
    person, britta, _greta = people
    services.care_contact_change(client=person, unit=unit, status="accepted", ordinary=britta)
    login(page, live_server, "personal")
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    card = page.get_by_test_id(f"fok-{unit.code}")
    assert card.get_by_text("Britta Söder").is_visible()
    assert card.get_by_role("link", name="Ändra").count() == 0
    assert page.get_by_role("button", name="Spara").count() == 0


def test_tabs_switch_in_place_with_the_keyboard(page, live_server, unit, carer, people):
    person, _britta, _greta = people
    login(page, live_server, "personal")
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    page.evaluate("window.notReloaded = true")
    tabs = page.get_by_role("navigation", name="Personuppgifter")
    tabs.get_by_role("link", name="Person", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**?flik=person")
    page.get_by_role("heading", name="Person", exact=True).wait_for()
    current = tabs.locator('[aria-current="page"]')
    assert current.inner_text().strip().lower() == "person"
    assert page.evaluate("window.notReloaded") is True
    page.go_back()
    page.wait_for_url(f"**{person.get_absolute_url()}")
    page.get_by_test_id(f"fok-{unit.code}").wait_for()


def test_the_same_flow_works_without_javascript(browser, live_server, unit, manager, people):
    person, britta, greta = people
    context = browser.new_context(
        locale="sv-SE", viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, live_server, "chef")
        page.goto(f"{live_server.url}{person.get_absolute_url()}?flik=person")
        page.get_by_role("link", name="Fast omsorgskontakt", exact=True).click()
        page.wait_for_url("**?flik=fok")
        page.get_by_role("link", name="Ändra fast omsorgskontakt på Hemtjänst Norr").click()
        page.wait_for_url(f"**/brukare/{person.pk}/fok/{unit.pk}/andra/")

        form = page.get_by_test_id(f"fok-form-{unit.code}")
        form.get_by_role("radio", name="Brukaren tackar ja").check()
        form.get_by_role("button", name="Spara").click()
        missing = page.get_by_text("Välj en ordinarie kontakt när brukaren tackar ja.")
        expect(missing).to_be_visible()

        form = page.get_by_test_id(f"fok-form-{unit.code}")
        form.get_by_label("Ordinarie").select_option(str(britta.pk))
        form.get_by_label("Vice").select_option(str(greta.pk))
        form.get_by_role("button", name="Spara").click()
        page.wait_for_url(f"**/brukare/{person.pk}/?flik=fok")
        card = page.get_by_test_id(f"fok-{unit.code}")
        assert card.get_by_text("Britta Söder").is_visible()
        assert card.get_by_text("Journalanteckning skapad").is_visible()
        assert page.get_by_text("Fast omsorgskontakt på Hemtjänst Norr sparad").is_visible()
    finally:
        context.close()


def test_my_clients_on_a_phone(phone_page, live_server, unit, carer, people):
    person, britta, _greta = people
    britta.phone = "070-123 45 67"
    britta.user = carer
    britta.save()
    person.phone = "0470-111 22"
    person.address = "Långa gatan med ett mycket långt namn 123, 352 30 Växjö"
    person.save()
    services.care_contact_change(client=person, unit=unit, status="accepted", ordinary=britta)
    ServiceFactory(unit=unit, client__first_name="Bo", client__last_name="Bengtsson")

    login(phone_page, live_server, "personal")
    phone_page.goto(f"{live_server.url}/mina-brukare/")
    mine = phone_page.get_by_test_id("my-contacts")
    assert mine.get_by_role("link", name="Agda Testsson").is_visible()
    assert mine.get_by_role("link", name="Ring 0470-111 22").get_attribute("href") == (
        "tel:0470-111 22"
    )
    everyone = phone_page.get_by_test_id("unit-clients")
    assert everyone.get_by_role("link", name="070-123 45 67").first.is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "Mina brukare must not scroll sideways on a phone"

    phone_page.get_by_label("Sök brukare på namn").fill("beng")
    phone_page.wait_for_url("**q=beng")
    everyone = phone_page.get_by_test_id("unit-clients")
    everyone.get_by_role("link", name="Bo Bengtsson").wait_for()
    assert everyone.get_by_role("link", name="Agda Testsson").count() == 0
