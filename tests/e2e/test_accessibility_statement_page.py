"""The accessibility statement in the browser, without logging in: reached
from the login page's footer, readable at 1366 and 390 px."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("E2E_SCREENSHOTS")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_statement_is_reached_from_the_login_pages_footer(page_at, live_server, width):
    page = page_at(width)
    page.goto(f"{live_server.url}/login/")
    footer = page.get_by_role("contentinfo")
    footer.get_by_role("link", name="Tillgänglighetsredogörelse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tillgänglighetsredogörelse för Omsorgskontakt"
    )
    digg = page.get_by_role("link", name="Anmäl bristande tillgänglighet till Digg")
    expect(digg).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Headings in order: one h1, then h2 and h3 without skipping a level.
    levels = page.evaluate(
        "[...document.querySelectorAll('main h1, main h2, main h3, main h4')]"
        ".map(h => Number(h.tagName[1]))"
    )
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"a11y-{width}.png"), full_page=True)
