""" "Vem kommer?" in the browser: from the client record to a printed sheet for
next week in two clicks, at desktop (1366 px) and phone (390 px) width, and
from "Mina brukare" on the phone. Set E2E_SCREENSHOTS to a directory to keep
the screenshots."""

from __future__ import annotations

import datetime as dt
import io
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from contacts.models import Staff
from rota.models import RotaPrintout
from rota.selectors import week_monday
from tests.conftest import login
from tests.contacts.factories import ServiceFactory
from tests.rota.helpers import accept, staff, visit

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("E2E_SCREENSHOTS")
NEXT_MONDAY = week_monday(timezone.localdate()) + dt.timedelta(days=7)


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}-top.png"))


@pytest.fixture
def agda(unit):
    unit.phone = "0470-40 00 00"
    unit.save()
    client = ServiceFactory(
        unit=unit,
        start=dt.date(2025, 1, 1),
        client__first_name="Agda",
        client__last_name="Testsson",
    ).client
    anna = staff(unit, "Anna", "Andersson", phone="070-174 06 05")
    bo = staff(unit, "Bo", "Bergström", phone="070-174 06 06")
    cissi = staff(unit, "Cissi", "Carlsson", Staff.Title.CARE_AIDE)
    accept(client, unit, anna, bo, dt.date(2025, 1, 10))
    for day in range(7):
        on = NEXT_MONDAY + dt.timedelta(days=day)
        visit(client, unit, dt.datetime.combine(on, dt.time(7, 30)), planned=[anna, cissi])
        visit(client, unit, dt.datetime.combine(on, dt.time(12, 0)), planned=[bo])
        if day % 2:
            visit(client, unit, dt.datetime.combine(on, dt.time(21, 15)), planned=[])
    return client


def no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def open_the_sheet(page, live_server, agda, name):
    page.goto(f"{live_server.url}{agda.get_absolute_url()}")
    page.get_by_role("link", name="Vem kommer?").click()  # click 1
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vem kommer?")
    expect(page.get_by_test_id("rota-week")).to_contain_text("nästa vecka")
    expect(page.get_by_role("heading", name="Måndag", exact=False).first).to_be_visible()
    shot(page, name)
    with page.expect_response(re.compile(r"/vem-kommer/utskrift/\d+/")) as pdf:
        page.get_by_role("button", name=re.compile("Skriv ut vecka")).click()  # click 2
    return pdf.value


@pytest.mark.parametrize("width", [1366, 390])
def test_two_clicks_from_the_record_to_next_weeks_sheet(page_at, live_server, carer, agda, width):
    page = page_at(width)
    login(page, live_server, "personal")
    page.goto(f"{live_server.url}{agda.get_absolute_url()}")
    page.get_by_role("link", name="Vem kommer?").click()
    # Measure the sheet's page, not the record still unloading.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vem kommer?")
    page.wait_for_load_state()
    no_sideways_scroll(page, width)
    # The contact's phone is a link a phone can dial, big enough to hit:
    # 44 px on a phone, 24 px (WCAG 2.5.8) on a desktop.
    call = page.locator('a[href="tel:+46701740605"]')
    expect(call).to_be_visible()
    box = call.bounding_box()
    assert box is not None and box["height"] >= (44 if width < 400 else 24)
    response = open_the_sheet(page, live_server, agda, f"rota-{width}")
    # Chromium hands a PDF to its viewer: fetch it again with the same session.
    pdf = page.request.get(response.url)
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Vem kommer till dig?" in text
    assert "Anna, undersköterska" in text
    assert RotaPrintout.objects.filter(client=agda).count() == 1


def test_the_page_marks_changes_since_the_last_printout(page, live_server, carer, unit, agda):
    login(page, live_server, "personal")
    open_the_sheet(page, live_server, agda, "rota-before-change")
    monday = agda.visits.order_by("start").first()
    monday.planned_staff.set([Staff.objects.get(first_name="Bo")])
    page.goto(f"{live_server.url}/vem-kommer/brukare/{agda.pk}/")
    expect(page.get_by_test_id("rota-changes")).to_contain_text("1 besök med annan personal.")
    expect(page.locator(".rota-mark").first).to_have_text("Annan personal")
    shot(page, "rota-changed")


def test_care_staff_open_it_from_mina_brukare_on_the_phone(phone_page, live_server, carer, agda):
    login(phone_page, live_server, "personal")
    phone_page.goto(f"{live_server.url}/mina-brukare/")
    item = phone_page.get_by_test_id("unit-clients").locator("li", has_text="Agda Testsson")
    link = item.get_by_role("link", name="Vem kommer?")
    box = link.bounding_box()
    assert box is not None and box["height"] >= 44
    link.click()
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("Agda Testsson")
    no_sideways_scroll(phone_page, 390)
    shot(phone_page, "rota-phone-from-my-clients")
