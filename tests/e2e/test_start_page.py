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


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_manager_of_many_units_picks_one_from_the_overview(
    page, phone_page, live_server, monkeypatch, width
):
    """More units than the start page shows as cards: one row a unit, read
    by axe, usable on a phone, and a unit's name opens its cards."""
    from tests.contacts.factories import UnitFactory, make_user
    from tests.e2e.test_axe_every_page import AXE, AXE_RUN_JS, LAYOUT_JS

    if not AXE.exists():
        pytest.skip("axe-core is not installed: run npm ci in tests/axe (scripts/test.sh does)")
    monkeypatch.setattr("omsorg.home.CARD_UNITS", 2)
    units = [UnitFactory(name=f"Hemtjänst {name}") for name in ("Norr", "Söder", "Öster")]
    make_user("omrade", role="Enhetschef", units=units)
    ServiceFactory(unit=units[1], client__first_name="Agda", client__last_name="Testsson")
    browser_page = page if width == "desktop" else phone_page
    login(browser_page, live_server, "omrade")

    overview = browser_page.get_by_test_id("unit-overview")
    assert overview.get_by_role("row").count() == 4  # the header and three units
    assert browser_page.get_by_text("Agda Testsson").count() == 0
    browser_page.evaluate(AXE.read_text())
    assert browser_page.evaluate(AXE_RUN_JS) == []
    assert browser_page.evaluate(LAYOUT_JS, width == "phone") == []
    # The four columns fit a phone too: the table does not scroll sideways.
    assert browser_page.evaluate(
        "(() => { const t = document.querySelector('.unit-overview');"
        " return t.scrollWidth <= t.parentElement.clientWidth; })()"
    )

    overview.get_by_role("link", name="Hemtjänst Söder").click()
    browser_page.wait_for_url(f"{live_server.url}/?enhet={units[1].pk}")
    assert browser_page.get_by_role("heading", name="Hemtjänst Söder", level=2).is_visible()
    assert (
        browser_page.get_by_test_id("not-handled")
        .get_by_role("link", name="Agda Testsson")
        .is_visible()
    )
    browser_page.get_by_role("link", name="Alla mina enheter").click()
    browser_page.wait_for_url(f"{live_server.url}/")
    assert browser_page.get_by_test_id("unit-overview").is_visible()
