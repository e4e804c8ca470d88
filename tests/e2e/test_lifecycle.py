"""A unit manager moves a client, hands over a leaving contact's clients in one
screen, and reads the history (handbook 1.10, the provider routine)."""

import datetime as dt
import os
from pathlib import Path

import pytest

from contacts import services
from contacts.models import CareContact, CareContactChange
from contacts.roles import Role
from journal.models import JournalNote
from tests.conftest import login
from tests.contacts.factories import (
    ServiceFactory,
    StaffFactory,
    contact_now,
    make_user,
    status_now,
)

pytestmark = pytest.mark.django_db(transaction=True)

Status = CareContact.Status
# Set to a directory to keep screenshots of every page at 1280 and 390 px.
SHOTS = os.environ.get("LIFECYCLE_SCREENSHOTS")


def accept(person, unit, ordinary, deputy=None, by=None):
    services.care_contact_change(
        client=person,
        unit=unit,
        status=Status.ACCEPTED,
        ordinary=ordinary,
        deputy=deputy,
        effective=dt.date(2025, 1, 10),
        by=by,
    )


@pytest.fixture
def world(unit, other_unit, manager):
    other_unit.members.add(manager)
    StaffFactory(
        units=[unit], first_name="Cecilia", last_name="Chef", signature="cech",
        title="unit_manager", user=manager,
    )  # fmt: skip
    lena = StaffFactory(units=[unit], first_name="Lena", last_name="Lämnar", signature="lela")
    britta = StaffFactory(units=[unit], first_name="Britta", last_name="Söder", signature="brs89")
    greta = StaffFactory(units=[unit], first_name="Greta", last_name="Olsson", signature="greal")
    agda = ServiceFactory(
        unit=unit, start=dt.date(2025, 1, 1), client__first_name="Agda",
        client__last_name="Testsson", client__customer_number="6000002",
    ).client  # fmt: skip
    bertil = ServiceFactory(
        unit=unit, start=dt.date(2025, 1, 1), client__first_name="Bertil",
        client__last_name="Bok", client__customer_number="6000003",
    ).client  # fmt: skip
    accept(agda, unit, lena, britta, by=manager)
    accept(bertil, unit, greta, lena, by=manager)
    return {"lena": lena, "britta": britta, "greta": greta, "agda": agda, "bertil": bertil}


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


def test_manager_moves_a_client_back_dated_and_finds_them_by_personnummer(
    page, live_server, unit, other_unit, world
):
    agda = world["agda"]
    login(page, live_server, "chef")
    page.goto(f"{live_server.url}/brukare/{agda.pk}/flytta/")
    assert (
        page.get_by_test_id("move-explanation")
        .get_by_text("på den gamla enheten avslutas från och med flyttdatum")
        .is_visible()
    )
    assert page.get_by_label("Flyttas från").input_value() == str(unit.pk)
    # Never the unit moved from.
    targets = page.get_by_label("Flyttas till").locator("option").all_inner_texts()
    assert "Hemtjänst Norr" not in targets and "Hemtjänst Söder" in targets
    page.get_by_label("Flyttas till").select_option(label="Hemtjänst Söder")
    # Dated before the service began (correcting a wrong unit).
    page.get_by_label("Flyttdatum").fill("2024-12-15")
    shot(page, "move")
    page.get_by_role("button", name="Flytta brukaren").click()
    page.wait_for_url(f"**/brukare/{agda.pk}/?flik=fok")
    assert (
        page.get_by_role("status")
        .get_by_text("flyttas från Hemtjänst Norr till Hemtjänst Söder")
        .is_visible()
    )

    page.goto(f"{live_server.url}/")
    card = page.locator(f"section[aria-labelledby='unit-{other_unit.pk}']")
    assert card.get_by_test_id("not-handled").get_by_text("Agda Testsson").is_visible()
    assert page.get_by_test_id("moves-in").get_by_text("Agda Testsson").is_visible()
    old = contact_now(agda, unit)
    assert (old.status, old.ordinary_id, old.deputy_id) == (Status.NOT_ASKED, None, None)
    assert status_now(agda, other_unit) == Status.NOT_ASKED

    # The header search finds her by personnummer without century or dash.
    search = page.get_by_test_id("header-search").get_by_role("searchbox")
    search.fill(agda.personal_id[2:].replace("-", ""))
    search.press("Enter")
    page.wait_for_url("**/mina-brukare/?q=*")
    page.get_by_test_id("unit-clients").get_by_role("link", name="Agda Testsson").click()
    page.wait_for_url(f"**/brukare/{agda.pk}/?flik=kontakter")


def test_bulk_handover_after_marking_staff_unavailable(page, live_server, unit, world):
    lena, britta, greta = world["lena"], world["britta"], world["greta"]
    login(page, live_server, "chef")
    page.goto(f"{live_server.url}/personal/")
    page.get_by_role("link", name="Lena Lämnar").click()
    page.get_by_label("Inte tillgänglig").check()
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Uppgifterna om Lena Lämnar (@lela) sparades.").wait_for()
    assert page.get_by_text("2 brukare behöver ny fast omsorgskontakt.").is_visible()
    shot(page, "staff-detail")
    page.get_by_role("link", name="Överlämna till ny fast omsorgskontakt").click()

    agda_row = page.get_by_test_id("handover-row-6000002")
    bertil_row = page.get_by_test_id("handover-row-6000003")
    # The provider routine: the deputy steps in as the new ordinary.
    assert agda_row.get_by_label("Ny ordinarie").input_value() == str(britta.pk)
    assert bertil_row.get_by_label("Ny ordinarie").input_value() == str(greta.pk)
    agda_row.get_by_label("Ny vice").select_option(str(greta.pk))
    page.get_by_label("Överlämning").fill("Lena är sjukskriven. Överlämning vid APT.")
    shot(page, "handover")
    page.get_by_role("button", name="Spara överlämning för 2 brukare").click()

    page.wait_for_url(f"**/personal/{lena.pk}/")
    assert page.get_by_text("2 brukare har fått ny fast omsorgskontakt").is_visible()
    agda = contact_now(world["agda"], unit)
    assert (agda.ordinary_id, agda.deputy_id) == (britta.pk, greta.pk)
    bertil = contact_now(world["bertil"], unit)
    assert (bertil.ordinary_id, bertil.deputy_id) == (greta.pk, None)
    for person in (world["agda"], world["bertil"]):
        change = CareContactChange.objects.filter(client=person).latest("id")
        assert change.reason == "Lena är sjukskriven. Överlämning vid APT."
        assert JournalNote.objects.filter(contact_change=change).exists()


def test_a_handover_with_one_bad_row_saves_nothing(page, live_server, unit, world):
    greta = world["greta"]
    before = CareContactChange.objects.count()
    login(page, live_server, "chef")
    page.goto(f"{live_server.url}/personal/{world['lena'].pk}/overlamning/")
    bertil_row = page.get_by_test_id("handover-row-6000003")
    bertil_row.get_by_label("Ny vice").select_option(str(greta.pk))  # same as ordinary
    page.get_by_label("Överlämning").fill("Slutar vid månadsskiftet.")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Spara överlämning för 2 brukare").click()

    error = bertil_row.get_by_text("Vice kontakt kan inte vara samma person som ordinarie.")
    error.wait_for()
    assert page.get_by_text("Inget sparades.").is_visible()
    assert bertil_row.get_by_label("Ny vice").input_value() == str(greta.pk)
    assert page.get_by_label("Överlämning").input_value() == "Slutar vid månadsskiftet."
    assert page.evaluate("window.notReloaded") is True  # swapped in place by htmx
    shot(page, "handover-error")
    assert CareContactChange.objects.count() == before
    assert contact_now(world["agda"], unit).ordinary == world["lena"]


def test_the_history_shows_the_changes(page, live_server, unit, world):
    agda = world["agda"]
    services.care_contact_change(
        client=agda,
        unit=unit,
        status=Status.ACCEPTED,
        ordinary=world["britta"],
        deputy=world["greta"],
        effective=dt.date(2025, 6, 1),
        reason="Byte på brukarens begäran",
    )
    login(page, live_server, "chef")
    page.goto(f"{live_server.url}/brukare/{agda.pk}/historik/")
    table = page.get_by_test_id("history-table")
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    newest = rows.first
    assert newest.get_by_text("2025-06-01").is_visible()
    assert newest.get_by_text("Lena Lämnar (@lela) → Britta Söder (@brs89)").is_visible()
    assert newest.get_by_text("Byte på brukarens begäran").is_visible()
    assert rows.nth(1).get_by_text("Cecilia Chef (@cech)").is_visible()
    shot(page, "history")

    page.get_by_label("Per datum").fill("2025-05-31")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url("**?per=2025-05-31")
    as_of = page.get_by_test_id(f"as-of-{unit.code}")
    assert as_of.get_by_text("Lena Lämnar (@lela)").is_visible()


def test_pages_fit_a_phone(phone_page, page, live_server, unit, other_unit, world):
    """No sideways scrolling at 390 px on any lifecycle page."""
    agda = world["agda"]
    service = agda.services.get()
    services.contact_change_request_record(
        client=agda, unit=unit, reason="Vill ha kvinnlig kontakt", requested_on=dt.date(2026, 2, 1)
    )
    make_user("samordnare", role=Role.COORDINATOR, units=[unit])
    paths = {
        "staff-list": "/personal/",
        "staff-detail": f"/personal/{world['lena'].pk}/",
        "handover": f"/personal/{world['lena'].pk}/overlamning/",
        "move": f"/brukare/{agda.pk}/flytta/",
        "service-end": f"/brukare/{agda.pk}/insats/{service.pk}/avsluta/",
        "change-request": f"/brukare/{agda.pk}/fok/{unit.pk}/byte/",
        "history": f"/brukare/{agda.pk}/historik/",
        "worklists": "/rapporter/arbetslistor/",
    }
    for browser_page in (phone_page, page):
        login(browser_page, live_server, "chef")
        for name, path in paths.items():
            browser_page.goto(f"{live_server.url}{path}")
            assert browser_page.locator("h1").is_visible(), name
            width = browser_page.evaluate("document.documentElement.scrollWidth")
            viewport = browser_page.viewport_size["width"]
            assert width <= viewport, f"{name} scrolls sideways: {width} > {viewport}"
            shot(browser_page, name)
