"""The national figures page in Chromium: choosing the weeks, the holiday
warning, the table and the CSV download; on a phone too."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from contacts.roles import Role
from tests.conftest import login
from tests.contacts.factories import UnitFactory, make_user
from tests.e2e.test_continuity_pages import shot
from tests.reports.continuity_data import at, staff
from tests.reports.continuity_data import client as make_client
from tests.reports.continuity_data import visit as make_visit

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = dt.date(2026, 12, 28)  # Monday of ISO week 53 of 2026


@pytest.fixture
def coordinator():
    unit = UnitFactory(code="U1", name="Hemtjänst Norr")
    people = [staff(unit, f"p{n}") for n in range(3)]
    person = make_client(unit, "Agda", "Ask", "K1")
    n = 0
    for day in range(14):
        for hour in (8, 18):
            make_visit(person, unit, at(FIRST + dt.timedelta(days=day), hour), [people[n % 3]])
            n += 1
    return make_user("samordnare", role=Role.COORDINATOR, units=[unit])


def test_coordinator_chooses_the_weeks_sees_the_holidays_and_downloads_the_csv(
    page, live_server, coordinator, tmp_path
):
    login(page, live_server, "samordnare")
    page.goto(f"{live_server.url}/rapporter/kkik/")
    page.get_by_role("link", name="Rapportera till Kolada").click()
    page.wait_for_url(f"{live_server.url}/rapporter/kolada/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Nationella mått")

    page.get_by_label("År").fill("2026")
    page.get_by_label("Första veckan (1–53)").fill("53")
    page.get_by_role("button", name="Visa").click()
    heading = page.get_by_role("heading", name="Mätveckor v. 53 2026 – v. 1 2027")
    heading.wait_for()
    holidays = page.get_by_test_id("kolada-holidays").inner_text()
    assert "Nyårsafton" in holidays and "Nyårsdagen" in holidays
    assert "Trettondedag jul" in holidays
    organisation = page.get_by_test_id("kolada-organisation").inner_text().split("\t")
    assert organisation == ["Hela organisationen", "1", "3,0", "3", "0", "0,0 %"]
    assert "ar=2026&vecka=53" in page.url  # the chosen weeks can be linked to

    with page.expect_download() as download:
        page.get_by_test_id("kolada-csv").click()
    path = tmp_path / "kolada.csv"
    download.value.save_as(path)
    assert download.value.suggested_filename == "kolada_personalkontinuitet_2026-v53_2027-v01.csv"
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffEnhetskod;Enhet;Mätveckor")
    assert "U1;Hemtjänst Norr;v. 53 2026 – v. 1 2027;2026-12-28;2027-01-10;1;3,0;3;0;0,0" in text

    # A week that does not exist: the error, next to the field.
    page.get_by_label("År").fill("2025")
    page.get_by_role("button", name="Visa").click()
    page.get_by_test_id("error-vecka").wait_for()
    assert page.get_by_test_id("error-vecka").inner_text() == "År 2025 har ingen vecka 53."


def test_the_page_fits_a_phone(phone_page, live_server, coordinator):
    login(phone_page, live_server, "samordnare")
    phone_page.goto(f"{live_server.url}/rapporter/kolada/?ar=2026&vecka=53")
    phone_page.get_by_test_id("kolada-table").wait_for()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.screenshot(path="tmp/kolada-phone.png", full_page=True)


def test_many_units_make_the_csv_in_the_background_and_pass_axe(
    page, live_server, coordinator, monkeypatch
):
    """Over more units than the page computes, the button has the task
    worker make the file; the page says so, shows the job's progress and
    offers the download."""
    from tests.e2e.test_axe_every_page import AXE, AXE_RUN_JS

    UnitFactory(code="U2", name="Hemtjänst Söder").members.add(coordinator)
    monkeypatch.setattr("reports.views.output.PAGE_UNITS", 1)
    login(page, live_server, "samordnare")
    page.goto(f"{live_server.url}/rapporter/kolada/?ar=2026&vecka=53")
    notice = page.get_by_test_id("kolada-too-many")
    expect(notice).to_contain_text("alla dina 2 enheter")
    expect(page.get_by_test_id("kolada-result")).to_have_count(0)
    if AXE.exists():
        page.evaluate(AXE.read_text())
        assert page.evaluate(AXE_RUN_JS) == []
    notice.get_by_role("button", name="Skapa CSV-fil").click()
    expect(page.get_by_test_id("job-state")).to_have_text("Klart.", timeout=30_000)
    shot(page, "kolada-too-many")
    href = page.get_by_test_id("job-download").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    lines = response.body().decode("utf-8").splitlines()
    assert lines[0].startswith("\ufeffEnhetskod;Enhet;Mätveckor")
    assert (
        lines[-1]
        == ";Hela organisationen;v. 53 2026 – v. 1 2027;2026-12-28;2027-01-10;1;3,0;3;0;0,0"
    )
