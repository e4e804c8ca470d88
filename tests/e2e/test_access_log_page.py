"""The access log page in a browser: a unit manager reads a record, the
administrator finds that read by client and user, and downloads the CSV."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts.roles import Role
from tests.conftest import login
from tests.contacts.factories import ServiceFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("E2E_SCREENSHOTS")


def test_an_administrator_finds_who_read_a_record(page, phone_page, live_server, unit):
    agda = ServiceFactory(unit=unit, client__first_name="Agda", client__last_name="Loggsson").client
    bertil = ServiceFactory(
        unit=unit, client__first_name="Bertil", client__last_name="Annansson"
    ).client
    make_user("chef", role=Role.UNIT_MANAGER, units=[unit])
    make_user("admin", role=Role.ADMINISTRATOR)

    reader = phone_page
    login(reader, live_server, "chef")
    reader.goto(f"{live_server.url}{agda.get_absolute_url()}?flik=person")
    expect(reader.get_by_role("heading", name="Agda Loggsson")).to_be_visible()

    login(page, live_server, "admin")
    page.get_by_role("link", name="Åtkomstlogg").click()
    expect(page.get_by_role("heading", name="Åtkomstlogg", level=1)).to_be_visible()

    page.get_by_label("Brukare", exact=True).fill(agda.customer_number)
    page.get_by_label("Användare").fill("chef")
    page.get_by_role("button", name="Visa").click()
    table = page.get_by_test_id("access-log")
    # The start page (both clients listed) and the record's person tab.
    expect(page.get_by_test_id("entry-count")).to_have_text("2")
    expect(table).to_contain_text("Agda Loggsson")
    expect(table).to_contain_text("client_detail")
    expect(table).to_contain_text("flik=person")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "access-log.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_test_id("csv-link").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert "client_detail" in content and agda.customer_number in content

    # Bertil was only on the start page's list: the record read is not his.
    page.get_by_label("Brukare", exact=True).fill(bertil.customer_number)
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_test_id("entry-count")).to_have_text("1")
    expect(table).not_to_contain_text("client_detail")
    expect(table).to_contain_text("home")

    # A client number that does not exist: a Swedish message, no table.
    page.get_by_label("Brukare", exact=True).fill("0000000")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_text("Ingen brukare har kundnumret eller personnumret")).to_be_visible()
