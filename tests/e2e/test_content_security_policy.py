"""The Content-Security-Policy in a real browser: the main pages, and the htmx
requests they make, cause no violation (a violation means something on the
page was blocked: a style not applied, a script not run).

tests/test_security_headers.py checks the header and the markup of every page
on the server side; this test shows that the browser, with htmx running, is
content with them."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import login
from tests.test_robustness import QUERIES, build_world

pytestmark = pytest.mark.django_db(transaction=True)

# Records each violation the page reports; Playwright's init scripts are not
# subject to the page's policy.
LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}` +
      ` (${event.sourceFile}:${event.lineNumber})`
  );
});
"""

# The main pages as the unit manager (name, with the query of test_robustness).
PAGES = [
    ("home", False),
    ("my_clients", True),
    ("client_detail", True),
    ("fok_edit", False),
    ("journal_search", True),
    ("planning", True),
    ("continuity_report", True),
    ("visit_overview", True),
    ("fok_statistics", True),
    ("rota_client_week", False),
]
ARGS = {
    "client_detail": lambda o: [o.client.pk],
    "fok_edit": lambda o: [o.client.pk, o.unit.pk],
    "rota_client_week": lambda o: [o.client.pk],
}


def test_the_main_pages_cause_no_policy_violation(browser, live_server):
    world = build_world()
    chef = world.users["chef"]
    chef.set_password("pw")
    chef.save()

    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTENER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    violations: list[str] = []

    def collect(label: str) -> None:
        for violation in page.evaluate("window.__cspViolations"):
            violations.append(f"{label}: {violation}")
        page.evaluate("window.__cspViolations = []")

    page.goto(f"{live_server.url}/login/")
    collect("login")
    login(page, live_server, "chef")
    for name, with_query in PAGES:
        url = reverse(name, args=ARGS.get(name, lambda o: [])(world.own))
        if with_query:
            query = "&".join(f"{k}={v}" for k, v in QUERIES[name](world.own).items())
            url = f"{url}?{query}"
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.ok, url
        collect(url)

    # htmx at work: the live search of "Mina brukare" swaps in new results.
    page.goto(f"{live_server.url}{reverse('my_clients')}")
    with page.expect_response(lambda r: "q=Agd" in r.url):
        page.get_by_role("main").get_by_role("searchbox").fill("Agd")
    expect(page.locator("#mc-results")).to_be_visible()
    collect("my_clients (htmx)")

    context.close()
    assert not violations, "\n".join(violations)
    assert not console, "\n".join(console)
