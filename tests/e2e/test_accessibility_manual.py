"""The WCAG points of issue 12.2 that axe cannot see, measured in Chromium:
the focus ring's contrast against what is behind it, target sizes from bounding
boxes, the record's tabs on a phone, focus after a refused form, the address
after a save, and the message when an htmx request fails (issue 8.2).

(Broken words in tables, split phone numbers, link heights and sideways
scrolling are measured on every page by tests/e2e/test_axe_every_page.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import login
from tests.contacts.factories import RelativeFactory, ServiceFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def person(unit):
    client = ServiceFactory(
        unit=unit,
        client__first_name="Agda",
        client__last_name="Testsson",
        client__phone="070-111 22 33",
        client__email="agda.testsson@example.org",
    ).client
    RelativeFactory(client=client, name="Dotter Testsson", phone="070-999 00 00")
    StaffFactory(units=[unit], first_name="Britta", last_name="Söder", signature="brs89")
    return client


# The contrast of the focused element's outline against the colour behind it
# (the nearest ancestor with a background; the element's own background when
# the ring is drawn inside it), by the WCAG formula.
FOCUS_JS = """
() => {
  const el = document.activeElement;
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const style = getComputedStyle(el);
  let behind = parseFloat(style.outlineOffset) < 0 ? el : el.parentElement;
  let bg = [255, 255, 255];
  for (; behind; behind = behind.parentElement) {
    const c = parse(getComputedStyle(behind).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { bg = c.slice(0, 3); break; }
  }
  const ring = parse(style.outlineColor).slice(0, 3);
  const [hi, lo] = [lum(ring), lum(bg)].sort((a, b) => b - a);
  return {
    what: `${el.tagName.toLowerCase()}.${el.className} ${el.name || ''} ` +
      (el.innerText || '').slice(0, 30),
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    ratio: (hi + 0.05) / (lo + 0.05),
  };
}
"""


def _tab_through(page: Any, stops: int) -> list[dict[str, Any]]:
    seen = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUS_JS))
    return seen


def test_the_focus_ring_has_3_to_1_contrast_everywhere(page, live_server, manager, person):
    """Every tab stop of the record (header, tabs, cards, buttons, footer) and
    of a report: a ring at least 2 px wide with at least 3:1 contrast."""
    login(page, live_server, "chef")
    problems = []
    for path in (f"{person.get_absolute_url()}?flik=fok", "/rapporter/kontinuitet/"):
        page.goto(f"{live_server.url}{path}")
        for stop in _tab_through(page, 30):
            if stop["what"].startswith("body."):
                break  # past the last stop
            if stop["style"] == "none" or stop["width"] < 2 or stop["ratio"] < 3:
                problems.append(f"{path}: {stop}")
    assert not problems, "\n".join(problems)


def test_targets_and_tabs_on_a_phone(phone_page, live_server, carer, person):
    """The record on a phone: the five tabs on at most two rows, each at least
    44 px high, the phone and e-mail links ("Ring", "Mejla") 44 px, and the
    page never scrolls sideways."""
    login(phone_page, live_server, "personal")
    phone_page.goto(f"{live_server.url}{person.get_absolute_url()}?flik=kontakter")
    tabs = phone_page.locator(".fok-tabs a")
    boxes = [tabs.nth(i).bounding_box() for i in range(tabs.count())]
    assert len(boxes) == 5
    assert len({round(box["y"]) for box in boxes}) <= 2, boxes
    assert all(box["height"] >= 44 for box in boxes), boxes
    links = phone_page.locator('main a[href^="tel:"], main a[href^="mailto:"]')
    assert links.count() >= 2
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box["height"] >= 44, (links.nth(i).inner_text(), box)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_focus_goes_to_the_first_invalid_field_and_the_address_follows_the_save(
    page, live_server, manager, person, unit
):
    login(page, live_server, "chef")
    page.goto(f"{live_server.url}{person.get_absolute_url()}?flik=fok")
    page.get_by_role("link", name="Ändra fast omsorgskontakt på Hemtjänst Norr").click()
    form = page.get_by_test_id(f"fok-form-{unit.code}")
    form.get_by_role("radio", name="Brukaren tackar nej").check()
    form.get_by_role("button", name="Spara").click()
    page.get_by_text("Ange anledningen till att brukaren tackar nej.").wait_for()
    reason = page.get_by_label("Anledning till att brukaren tackar nej")
    assert reason.get_attribute("aria-invalid") == "true"
    assert reason.evaluate("el => el === document.activeElement")

    reason.fill("Har dagligen kontakt med sin dotter")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(f"**/brukare/{person.pk}/?flik=fok")  # not the edit address

    # A plain form (a journal note) shown again with its errors: the same.
    page.goto(f"{live_server.url}/journal/brukare/{person.pk}/ny/")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    invalid = page.locator('main form [aria-invalid="true"]').first
    invalid.wait_for()
    assert invalid.evaluate("el => el === document.activeElement")


def test_a_failed_htmx_request_says_so_in_swedish(page, live_server, carer, person):
    login(page, live_server, "personal")
    page.goto(f"{live_server.url}{person.get_absolute_url()}?flik=fok")
    alert = page.locator("#request-error")
    assert alert.get_attribute("role") == "alert"
    assert not alert.locator(".request-error-box").is_visible()

    page.route(lambda url: "flik=person" in url, lambda route: route.fulfill(status=500))
    page.get_by_role("link", name="Person", exact=True).click()
    message = alert.get_by_text("Något gick fel hos oss och ingenting ändrades.")
    message.wait_for()
    assert "(500)" in alert.inner_text()

    page.unroute_all()
    page.route(lambda url: "flik=person" in url, lambda route: route.abort())
    page.get_by_role("link", name="Person", exact=True).click()
    alert.get_by_text("Ingen kontakt med servern.").wait_for()

    alert.get_by_role("button", name="Stäng").click()
    assert not alert.locator(".request-error-box").is_visible()
    page.unroute_all()
    page.get_by_role("link", name="Person", exact=True).click()
    page.wait_for_url("**flik=person")
    assert not alert.locator(".request-error-box").is_visible()
