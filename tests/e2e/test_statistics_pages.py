"""Browser tests: FOK statistics search (handbook 1.8) and visit overview (1.12.2)."""

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from contacts import services
from contacts.personal_id import make_test_personnummer
from contacts.roles import Role
from tests.conftest import login
from tests.contacts.factories import (
    ClientFactory,
    ServiceFactory,
    StaffFactory,
    VisitFactory,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

STHLM = ZoneInfo("Europe/Stockholm")
SHOTS = os.environ.get("SCREENSHOT_DIR")


def shot(page, name):
    """Screenshots for looking at the pages (SCREENSHOT_DIR=/some/dir)."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.fixture
def statistics_data(unit):
    britta = StaffFactory(units=[unit], first_name="Britta", last_name="Söder", signature="brs89")
    annika = StaffFactory(units=[unit], first_name="Annika", last_name="Oberg", signature="ann64")
    people = [
        ("Eva", "Sandgreen", dt.date(1951, 10, 21), "6016254", britta, None),
        ("Gullan", "Trygg", dt.date(1949, 3, 1), "10002573", britta, annika),
        ("Anna", "Eriksson", dt.date(1980, 8, 2), "6002389", annika, None),
        ("Bertil", "Grönare", dt.date(1952, 2, 20), "10002147", None, None),
    ]
    for i, (first, last, born, number, ordinary, deputy) in enumerate(people):
        client = ClientFactory(
            first_name=first,
            last_name=last,
            customer_number=number,
            personal_id=make_test_personnummer(born, i, female=True),
        )
        ServiceFactory(client=client, unit=unit, start=dt.date(2024, 1, 1))
        if ordinary:
            services.care_contact_change(
                client=client,
                unit=unit,
                status="accepted",
                ordinary=ordinary,
                deputy=deputy,
                effective=dt.date(2024, 11, 1),
            )


def test_statistics_search_expand_a_staff_member_and_download_csv(
    page, live_server, unit, statistics_data
):
    make_user("statistik", role=Role.STATISTICS, units=[unit])
    login(page, live_server, "statistik")
    page.get_by_role("link", name="Statistik").click()
    page.get_by_role("heading", name="Sök fast omsorgskontakt", level=1).wait_for()

    page.get_by_label("Status").select_option(label="Brukaren tackar ja")
    page.get_by_label("Datum").fill("2025-01-15")
    page.get_by_role("button", name="Sök").click()

    page.get_by_test_id("fok-result").wait_for()
    assert page.get_by_test_id("age-65-plus").inner_text() == "2"  # Eva, Gullan
    assert page.get_by_test_id("under-65").inner_text() == "1"  # Anna
    britta = page.get_by_test_id("staff-brs89")
    assert [c.strip() for c in britta.locator("td").all_inner_texts()] == ["2", "0", "2"]
    annika = page.get_by_test_id("staff-ann64")
    assert [c.strip() for c in annika.locator("td").all_inner_texts()] == ["1", "1", "2"]

    # Open Britta's row: her clients appear under it (htmx swaps the row).
    britta.get_by_role("link", name="Britta Söder").click()
    rows = page.get_by_test_id("staff-brs89").locator(".staff-clients tbody tr")
    rows.first.wait_for()
    eva_pid = make_test_personnummer(dt.date(1951, 10, 21), 0, female=True)
    gullan_pid = make_test_personnummer(dt.date(1949, 3, 1), 1, female=True)
    assert rows.all_inner_texts() == [
        f"Eva Sandgreen\t{eva_pid}\t6016254",
        f"Gullan Trygg\t{gullan_pid}\t10002573",
    ]
    assert (
        page.get_by_test_id("staff-brs89").get_by_role("link").first.get_attribute("aria-expanded")
        == "true"
    )
    shot(page, "statistics-desktop")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner CSV").click()
    download = download_info.value
    assert download.suggested_filename == "fok-statistik-alla-accepted-2025-01-15.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Enhetskod;Enhet;Status;Datum;Kundnummer")
    # "All units": each client's own unit is filled in.
    assert all(not line.startswith(";") for line in text.splitlines()[1:])
    assert len(text.splitlines()) == 4


def test_statistics_of_many_units_show_the_counts_and_pass_axe(
    page, live_server, unit, other_unit, statistics_data, monkeypatch
):
    """Over more units than a page lists together, the counts and the files:
    no staff table and no list of clients on the page."""
    from tests.e2e.test_axe_every_page import AXE, AXE_RUN_JS

    monkeypatch.setattr("reports.views.output.PAGE_UNITS", 1)
    make_user("statistik", role=Role.STATISTICS, units=[unit, other_unit])
    login(page, live_server, "statistik")
    page.goto(f"{live_server.url}/rapporter/fok-statistik/?status=accepted&datum=2025-01-15")
    expect(page.get_by_test_id("age-65-plus")).to_have_text("2")
    expect(page.get_by_test_id("fok-lists-in-files")).to_contain_text("de 3 brukarna")
    expect(page.get_by_test_id("staff-table")).to_have_count(0)
    expect(page.get_by_role("link", name="Ladda ner CSV")).to_be_visible()
    expect(page.get_by_role("button", name="Skapa PDF")).to_be_visible()
    shot(page, "statistics-many-units")
    if AXE.exists():
        page.evaluate(AXE.read_text())
        assert page.evaluate(AXE_RUN_JS) == []


def test_statistics_works_on_a_phone_and_without_javascript(
    browser, phone_page, live_server, unit, statistics_data
):
    make_user("statistik", role=Role.STATISTICS, units=[unit])
    login(phone_page, live_server, "statistik")
    phone_page.goto(
        f"{live_server.url}/rapporter/fok-statistik/?status=accepted&datum=2025-01-15"
        "&enhet=U1&visa=alla"
    )
    assert phone_page.get_by_text("Gullan Trygg").first.is_visible()
    assert no_sideways_scroll(phone_page), "no sideways scroll on a phone"
    shot(phone_page, "statistics-phone")

    # Without JavaScript the row link reloads the page with the row open.
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    plain = context.new_page()
    login(plain, live_server, "statistik")
    plain.goto(f"{live_server.url}/rapporter/fok-statistik/?status=accepted&datum=2025-01-15")
    plain.get_by_role("link", name="Annika Oberg").click()
    expect(plain.get_by_test_id("staff-ann64").get_by_text("Anna Eriksson")).to_be_visible()
    context.close()


@pytest.fixture
def visit_data(unit):
    anna = StaffFactory(units=[unit], first_name="Anna", last_name="Ek", signature="anna")
    bo = StaffFactory(units=[unit], first_name="Bo", last_name="Berg", signature="bo")
    client = ServiceFactory(
        unit=unit,
        start=dt.date(2025, 1, 1),
        client__first_name="Kerstin",
        client__last_name="Lund",
    ).client
    services.care_contact_change(
        client=client, unit=unit, status="accepted", ordinary=anna, effective=dt.date(2025, 2, 1)
    )

    def at(day, hour):
        return dt.datetime(2025, 2, day, hour, tzinfo=STHLM)

    VisitFactory(
        visit_id="V1", client=client, unit=unit, start=at(3, 8), staff=[anna], planned_staff=[anna]
    )
    VisitFactory(
        visit_id="V2",
        client=client,
        unit=unit,
        start=at(3, 12),
        staff=[bo],
        planned_staff=[anna],
        receipt="incomplete",
    )
    VisitFactory(
        visit_id="V3", client=client, unit=unit, start=at(4, 8), staff=[bo], planned_staff=[bo]
    )
    VisitFactory(
        visit_id="V4",
        client=client,
        unit=unit,
        start=at(4, 18),
        staff=[bo],
        planned_staff=[bo],
        registered_afterwards=True,
    )


def test_visit_overview_with_display_options(page, phone_page, live_server, unit, visit_data):
    make_user("samordnare", role=Role.COORDINATOR, units=[unit])
    login(page, live_server, "samordnare")
    page.get_by_role("link", name="Besök").click()
    page.get_by_role("heading", name="Översikt besök", level=1).wait_for()

    page.get_by_label("Från").fill("2025-02-01")
    page.get_by_label("Till").fill("2025-02-07")
    page.get_by_role("button", name="Visa").click()
    page.get_by_test_id("visit-result").wait_for()
    assert page.get_by_test_id("visit-count").inner_text() == "4"
    legend = page.get_by_test_id("legend")
    assert legend.get_by_text("Utförd av fast omsorgskontakt").is_visible()
    assert page.get_by_test_id("visit-V1").get_by_text("Utförd av fast omsorgskontakt").is_visible()
    v2 = page.get_by_test_id("visit-V2")
    assert v2.get_by_text("Ofullständig kvittens").is_visible()
    assert v2.get_by_text("Utförd av annan personal").is_visible()
    assert page.get_by_test_id("visit-V4").get_by_text("Efterregistrerat").is_visible()
    shot(page, "visits-desktop")

    # Only visits by the care contact.
    for label in ("Ofullständig kvittens", "Efterregistrerat", "Utförd av annan personal"):
        page.get_by_label(label).uncheck()
    page.get_by_label("Visa endast markerade besök").check()
    page.get_by_role("button", name="Visa").click()
    # (No wait_for_function: its string predicate is eval, which the CSP forbids.)
    expect(page.get_by_test_id("visit-count")).to_have_text("1")
    assert page.get_by_test_id("visit-V1").is_visible()
    assert page.get_by_test_id("visit-V2").count() == 0

    login(phone_page, live_server, "samordnare")
    phone_page.goto(
        f"{live_server.url}/rapporter/besok/?enhet=U1&fran=2025-02-01&till=2025-02-07"
        "&ofullstandig=on&efterregistrerat=on&annan_personal=on&fok=on"
    )
    assert phone_page.get_by_test_id("visit-V2").is_visible()
    assert no_sideways_scroll(phone_page), "no sideways scroll on a phone"
    shot(phone_page, "visits-phone")


def test_a_user_without_the_permission_gets_403(page, live_server, unit, carer):
    login(page, live_server, "personal")
    assert page.get_by_role("link", name="Statistik").count() == 0
    assert page.get_by_role("link", name="Besök").count() == 0
    response = page.goto(f"{live_server.url}/rapporter/fok-statistik/")
    assert response.status == 403
    response = page.goto(f"{live_server.url}/rapporter/besok/")
    assert response.status == 403
