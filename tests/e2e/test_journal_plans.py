import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts import services
from journal.models import JournalNote
from tests.conftest import login
from tests.contacts.factories import ServiceFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a directory: save PNGs to look at


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def agda(unit):
    return ServiceFactory(unit=unit, client__first_name="Agda", client__last_name="Testsson").client


@pytest.fixture
def britta(unit):
    return StaffFactory(
        units=[unit],
        first_name="Britta",
        last_name="Söder",
        signature="brs89",
        phone="0701-236549",
        email="britta@example.org",
    )


def accept(client, unit, ordinary, by):
    services.care_contact_change(
        client=client,
        unit=unit,
        status="accepted",
        ordinary=ordinary,
        by=by,
        effective=timezone.localdate(),
    )


def test_journal_search_finds_the_fok_notes_after_a_contact_change(
    page, live_server, unit, manager, agda, britta
):
    accept(agda, unit, britta, manager)
    JournalNote.objects.create(
        client=agda,
        unit=unit,
        kind="general",
        event_date=timezone.localdate(),
        text="Handlade mat tillsammans.",
    )
    login(page, live_server, "chef")

    page.get_by_role("link", name="Journal").click()
    page.wait_for_url(f"{live_server.url}/journal/")
    assert page.get_by_text("Handlade mat tillsammans.").is_visible()

    page.get_by_label("Sökurval").select_option("fok")
    page.get_by_role("button", name="Sök").click()
    page.wait_for_url("**kind=fok**")
    expect(page.get_by_test_id("note-count")).to_have_text("1")
    notes = page.get_by_test_id("notes")
    note = notes.locator("li").first
    assert (
        "Status ändrad från ”Brukaren ej tillfrågad” till ”Brukaren tackar ja”."
        in note.inner_text()
    )
    assert "Britta Söder (@brs89)" in note.inner_text()
    assert notes.get_by_text("Handlade mat tillsammans.").count() == 0
    assert page.get_by_test_id("note-count").inner_text() == "1"
    shot(page, "journal-desktop")

    page.get_by_label("Från").fill("2020-02-01")
    page.get_by_label("Till").fill("2020-01-01")
    page.get_by_role("button", name="Sök").click()
    expect(page.get_by_text("Till-datum kan inte vara före från-datum.")).to_be_visible()


def test_a_manager_creates_a_plan_that_shows_the_contacts_and_prints_the_letter(
    page, live_server, unit, manager, agda, britta
):
    accept(agda, unit, britta, manager)
    login(page, live_server, "chef")
    page.goto(f"{live_server.url}/plan/brukare/{agda.pk}/")
    # A new client without a plan: nothing is overdue yet (14 days).
    page.get_by_role("link", name="Ny genomförandeplan").click()
    expect(page.get_by_test_id(f"preview-{unit.code}").get_by_text("Britta Söder")).to_be_visible()
    page.get_by_label("Viktig information").fill("Rullator vid alla förflyttningar")
    page.get_by_label("Ja, brukaren har varit delaktig").check()
    page.get_by_label("Kommentar brukarens delaktighet").fill("Deltog med sin dotter")
    shot(page, "plan-form-desktop")
    page.get_by_role("button", name="Spara").click()

    page.wait_for_url(f"{live_server.url}/plan/brukare/{agda.pk}/**")
    section = page.get_by_test_id(f"plans-{unit.code}")
    assert "tillsvidare" in section.get_by_test_id("plan-period").inner_text()
    ordinary = section.get_by_test_id("plan-ordinary").inner_text()
    assert ordinary == "Britta Söder, 0701-236549, britta@example.org"
    assert section.get_by_text("Rullator vid alla förflyttningar").is_visible()
    assert section.get_by_role("link", name="Ny genomförandeplan").count() == 0
    shot(page, "plan-list-desktop")

    letter = page.get_by_test_id("letter-link").get_attribute("href")
    response = page.request.get(f"{live_server.url}{letter}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
    printed = page.get_by_test_id("plan-print").get_attribute("href")
    assert page.request.get(f"{live_server.url}{printed}").body()[:5] == b"%PDF-"


def test_journal_and_plans_fit_a_phone(phone_page, live_server, unit, manager, agda, britta):
    accept(agda, unit, britta, manager)
    late = ServiceFactory(
        unit=unit,
        start=timezone.localdate().replace(year=timezone.localdate().year - 1),
        client__first_name="Sven",
        client__last_name="Sen",
    ).client
    login(phone_page, live_server, "chef")
    card = phone_page.get_by_test_id(f"plan-card-{unit.code}")
    sven = card.locator("li", has_text="Sven Sen")
    assert sven.get_by_role("link", name="Sven Sen").is_visible()
    assert sven.get_by_text("Genomförandeplan saknas").is_visible()
    shot(phone_page, "home-phone")
    for name, path in [
        ("journal-phone", f"/journal/?client={agda.pk}"),
        ("plan-list-phone", f"/plan/brukare/{late.pk}/"),
        ("plan-form-phone", f"/plan/brukare/{agda.pk}/ny/"),
    ]:
        phone_page.goto(f"{live_server.url}{path}")
        shot(phone_page, name)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name} scrolls sideways on a phone"
