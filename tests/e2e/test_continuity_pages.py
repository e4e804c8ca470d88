import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts.roles import Role
from tests.conftest import login
from tests.contacts.factories import make_user
from tests.reports.continuity_data import handbook_example, kpi_example

pytestmark = pytest.mark.django_db(transaction=True)

# Set CONTINUITY_SCREENSHOTS=/some/dir to keep PNGs of the pages for a look.
SHOTS = os.environ.get("CONTINUITY_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def coordinator(unit):
    return make_user("samordnare", role=Role.COORDINATOR, units=[unit])


def row_names(page):
    return page.get_by_test_id("continuity-table").locator("tbody th a").all_inner_texts()


def test_coordinator_runs_sorts_and_drills_into_the_report(
    page, live_server, unit, other_unit, coordinator
):
    handbook_example(unit, other_unit)
    login(page, live_server, "samordnare")
    page.get_by_role("link", name="Kontinuitet").click()
    page.get_by_label("Enhet").select_option("U1")
    page.get_by_label("Från och med").fill("2025-02-01")
    page.get_by_label("Till och med").fill("2025-02-16")
    page.get_by_role("button", name="Visa").click()

    expect(page.get_by_test_id("staff-mean")).to_have_text("1,57")
    assert page.get_by_test_id("staff-median").inner_text() == "1,00"
    assert page.get_by_test_id("fok-percent").inner_text() == "38 %"
    borje = page.get_by_test_id("row-6000010")
    assert borje.get_by_test_id("deputy").inner_text() == "2 (67 %)"
    assert borje.get_by_test_id("total").inner_text() == "3 (100 %)"
    assert page.get_by_test_id("row-6000022").get_by_test_id("total").inner_text() == "–"
    assert row_names(page)[0] == "Agda Testsson"
    shot(page, "continuity-desktop")

    # Sort by staff, most first: Agda (3) then the two with 2.
    table = page.get_by_test_id("continuity-table")
    table.get_by_role("link", name="Personal").click()
    page.wait_for_url("**sort=staff**")
    table.get_by_role("link", name="Personal").click()
    page.wait_for_url("**sort=-staff**")
    expect(page.get_by_test_id("continuity-table").locator("tbody th a")).to_have_text(
        ["Agda Testsson", "Börje Kvist", "Osten Test", "Alberta MultiUnit", "Balder Den Vackre",
         'Karl "Kalle" Kula', "Magnus Mångainsatser"]
    )  # fmt: skip

    # Drill down: Kalle's two visits, one before kal2 became deputy, in a
    # dialog over the report with focus in it; closing it returns focus.
    kalle = page.get_by_role("link", name='Karl "Kalle" Kula')
    kalle.click()
    dialog = page.get_by_role("dialog", name='Besök hos Karl "Kalle" Kula')
    expect(dialog).to_be_visible()
    heading = dialog.get_by_role("heading", name='Besök hos Karl "Kalle" Kula')
    expect(heading).to_be_focused()
    visits = dialog.get_by_test_id("client-visits")
    assert visits.locator("tbody tr").count() == 2
    assert visits.get_by_text("annan personal").is_visible()
    assert visits.get_by_text("vice", exact=True).is_visible()
    shot(page, "continuity-drilldown")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(kalle).to_be_focused()
    # Again, closed with its button this time.
    kalle.click()
    expect(heading).to_be_focused()
    dialog.get_by_role("button", name="Stäng").click()
    expect(dialog).to_be_hidden()
    expect(kalle).to_be_focused()

    # The PDF button starts a background job; its status region says when
    # it is done and offers the file.
    page.get_by_test_id("pdf-link").click()
    # The tests run the job inside the request: the first PDF loads WeasyPrint.
    expect(page.get_by_test_id("job-state")).to_have_text("Klart.", timeout=30_000)
    href = page.get_by_test_id("job-download").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"


def test_sorting_and_drill_down_work_without_javascript(
    browser, live_server, unit, other_unit, coordinator
):
    handbook_example(unit, other_unit)
    context = browser.new_context(locale="sv-SE", java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, live_server, "samordnare")
        page.goto(f"{live_server.url}/rapporter/kontinuitet/?unit=U1&from=2025-02-01&to=2025-02-16")
        page.get_by_test_id("continuity-table").get_by_role("link", name="Besök").click()
        page.wait_for_url("**sort=visits**")
        page.get_by_role("link", name="Börje Kvist").click()
        page.wait_for_url("**/brukare/**")
        assert page.get_by_role("heading", name="Besök hos Börje Kvist").is_visible()
    finally:
        context.close()


def test_bad_dates_show_a_message(page, live_server, unit, coordinator):
    login(page, live_server, "samordnare")
    page.goto(f"{live_server.url}/rapporter/kontinuitet/?unit=U1&from=2025-02-31&to=2025-02-16")
    assert page.get_by_test_id("error-from").inner_text().startswith("Ange datumet som ÅÅÅÅ-MM-DD")
    # Through htmx too: the form is swapped with its message.
    page.get_by_label("Från och med").fill("2025-02-01")
    page.get_by_label("Till och med").fill("")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_test_id("error-to")).to_have_text("Ange ett datum.")


def test_kpi_page_shows_median_and_trend(page, live_server, unit, coordinator):
    kpi_example(unit, people=4, evening=19)
    login(page, live_server, "samordnare")
    page.get_by_role("link", name="KKiK").click()
    page.get_by_label("Första dag").fill("2025-02-03")
    page.get_by_role("button", name="Visa").click()

    expect(page.get_by_test_id("kpi-median")).to_have_text("4")
    assert page.get_by_test_id("kpi-eligible").inner_text() == "1"
    assert page.get_by_test_id("kpi-over-20").inner_text() == "0 %"
    assert page.locator("svg.chart").count() == 1
    shot(page, "kpi-desktop")
    page.get_by_test_id("pdf-link").click()
    href = page.get_by_test_id("job-download").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.headers["content-type"] == "application/pdf"


def test_report_pages_fit_a_phone(phone_page, live_server, unit, other_unit, coordinator):
    handbook_example(unit, other_unit)
    login(phone_page, live_server, "samordnare")
    for url in (
        "/rapporter/kontinuitet/?unit=U1&from=2025-02-01&to=2025-02-16",
        "/rapporter/kkik/?from=2025-02-03",
    ):
        phone_page.goto(f"{live_server.url}{url}")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} must not scroll sideways on a phone"
        shot(phone_page, "phone-" + url.split("/")[2])


def test_all_of_many_units_is_offered_as_pdfs_and_passes_axe(
    page, live_server, unit, other_unit, monkeypatch
):
    from tests.e2e.test_axe_every_page import AXE, AXE_RUN_JS

    if not AXE.exists():
        pytest.skip("axe-core is not installed: run npm ci in tests/axe (scripts/test.sh does)")
    monkeypatch.setattr("reports.views.output.PAGE_UNITS", 1)
    make_user("omrade", role=Role.COORDINATOR, units=[unit, other_unit], password="pw")
    login(page, live_server, "omrade")
    page.goto(f"{live_server.url}/rapporter/kontinuitet/?unit=&from=2025-02-01&to=2025-02-14")
    notice = page.get_by_test_id("continuity-too-many")
    expect(notice).to_contain_text("alla dina 2 enheter")
    expect(notice.get_by_role("button", name="Skapa PDF")).to_be_visible()
    shot(page, "continuity-too-many")
    page.evaluate(AXE.read_text())
    assert page.evaluate(AXE_RUN_JS) == []
    page.goto(f"{live_server.url}/rapporter/kkik/")
    notice = page.get_by_test_id("kpi-too-many")
    expect(notice).to_contain_text("alla dina 2 enheter")
    expect(notice.get_by_role("button", name="Skapa PDF")).to_be_visible()
    page.evaluate(AXE.read_text())
    assert page.evaluate(AXE_RUN_JS) == []
