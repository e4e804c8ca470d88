import datetime as dt

import pytest
from django.utils import timezone

from contacts import services
from tests.conftest import login
from tests.contacts.factories import ServiceFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_sees_not_handled_clients_and_opens_a_record(page, live_server, unit, manager):
    waiting = ServiceFactory(
        unit=unit, client__first_name="Agda", client__last_name="Testsson"
    ).client
    handled = ServiceFactory(
        unit=unit, client__first_name="Börje", client__last_name="Kvist"
    ).client
    nurse = StaffFactory(units=[unit], first_name="Britta", last_name="Söder", signature="brs89")
    services.care_contact_change(
        client=handled,
        unit=unit,
        status="accepted",
        ordinary=nurse,
        by=manager,
        effective=timezone.localdate(),
    )

    login(page, live_server, "chef")

    card = page.get_by_test_id("not-handled")
    assert card.get_by_role("link", name="Agda Testsson").is_visible()
    assert card.get_by_role("link", name="Börje Kvist").count() == 0
    assert page.get_by_test_id("not-handled-count").inner_text() == "1"

    card.get_by_role("link", name="Agda Testsson").click()
    page.wait_for_url(f"{live_server.url}{waiting.get_absolute_url()}")
    assert page.get_by_role("heading", name="Agda Testsson", level=1).is_visible()
    assert (
        page.get_by_test_id(f"fok-{unit.code}").get_by_text("Brukaren ej tillfrågad").is_visible()
    )

    page.goto(f"{live_server.url}{handled.get_absolute_url()}")
    fok = page.get_by_test_id(f"fok-{unit.code}")
    assert fok.get_by_text("Brukaren tackar ja").is_visible()
    assert fok.get_by_text("Britta Söder").is_visible()
    assert fok.get_by_text("@brs89").is_visible()


def test_client_record_works_on_a_phone(phone_page, live_server, unit, carer):
    client = ServiceFactory(unit=unit, start=dt.date(2024, 5, 1)).client
    login(phone_page, live_server, "personal")
    phone_page.goto(f"{live_server.url}{client.get_absolute_url()}")
    assert phone_page.get_by_role("heading", name=client.full_name).is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the record must not scroll sideways on a phone"
