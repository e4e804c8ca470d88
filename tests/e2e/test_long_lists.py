"""Long lists a page at a time in Chromium: the staff list and one worklist,
followed with the page links (keyboard too), on a desktop and a phone, with
axe on each page. The page sizes are made small so a few rows make pages."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.conftest import login
from tests.contacts.factories import ServiceFactory, StaffFactory
from tests.e2e.test_axe_every_page import AXE, AXE_RUN_JS

pytestmark = pytest.mark.django_db(transaction=True)


def axe_clean(page):
    if AXE.exists():
        page.evaluate(AXE.read_text())
        assert page.evaluate(AXE_RUN_JS) == []


@pytest.fixture
def long_lists(unit, monkeypatch):
    monkeypatch.setattr("contacts.views.staff.STAFF_PAGE_SIZE", 2)
    monkeypatch.setattr("reports.views.worklists.SECTION_ROWS", 2)
    monkeypatch.setattr("reports.views.worklists.LIST_PAGE_SIZE", 2)
    for last in ("Ahl", "Berg", "Dahl"):
        StaffFactory(units=[unit], first_name="Ida", last_name=last)
    for first in ("Anna", "Bo", "Cissi"):
        ServiceFactory(
            unit=unit, start=dt.date(2025, 1, 1), client__first_name=first, client__last_name="Test"
        )


def test_the_staff_list_pages_with_links_and_the_keyboard(page, live_server, long_lists, manager):
    login(page, live_server, "chef")
    page.goto(f"{live_server.url}/personal/")
    table = page.get_by_test_id("staff-table")
    expect(table.locator("caption")).to_contain_text("3 personer · visar 1–2")
    expect(table.get_by_role("link", name="Ida Ahl")).to_be_visible()
    expect(table.get_by_role("link", name="Ida Dahl")).to_have_count(0)
    axe_clean(page)
    pager = page.get_by_test_id("staff-pager")
    pager.get_by_role("link", name="Nästa").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/personal/?sida=2")
    expect(page.get_by_test_id("staff-table").get_by_role("link", name="Ida Dahl")).to_be_visible()
    expect(page.get_by_test_id("staff-pager")).to_contain_text("Sida 2 av 2")
    axe_clean(page)


def test_a_worklist_opens_whole_a_page_at_a_time_on_a_phone(
    phone_page, live_server, long_lists, manager
):
    page = phone_page
    login(page, live_server, "chef")
    page.goto(f"{live_server.url}/rapporter/arbetslistor/")
    section = page.get_by_test_id("section-not_asked")
    expect(section.locator("li")).to_have_count(2)
    axe_clean(page)
    section.get_by_test_id("more-not_asked").click()
    page.wait_for_url("**/rapporter/arbetslistor/?lista=not_asked")
    expect(page.get_by_test_id("list-pager")).to_contain_text("Sida 1 av 2")
    page.get_by_test_id("list-pager").get_by_role("link", name="Nästa").click()
    page.wait_for_url("**/rapporter/arbetslistor/?lista=not_asked&sida=2")
    expect(page.get_by_test_id("section-not_asked").locator("li")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_clean(page)
    page.get_by_test_id("all-lists").click()
    expect(page.get_by_test_id("section-plans")).to_be_visible()
