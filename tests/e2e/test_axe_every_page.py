"""axe-core on every page of the URL conf, for every role, at desktop (1366×900)
and phone (390×844) width: 0 violations of any impact (WCAG 2.1 A and AA and
axe's best practices), and no 5xx on any page a role can reach (issue 12.1,
the crawl of issue 8.2).

Every URL name of the project is opened by every role with the own unit's ids
and the robustness test's valid query (tests/test_robustness.py, whose ARGS map
has to name every URL, so a new page is crawled here too). Downloads are only
requested; HTML pages are loaded in Chromium, axe-core (the npm package,
installed in tests/axe by scripts/test.sh) is injected once per page load and
run. A render whose structure (tags, classes, roles and attributes, with text,
ids and repeated siblings folded) has already been checked at that width is
not checked again: the same template with other ids or more rows, or a refusal
page seen by another role.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError
from django.test import Client as HttpClient
from django.urls import reverse

from tests.test_robustness import ARGS, QUERIES, _url_names, build_world

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[1] / "axe" / "node_modules" / "axe-core" / "axe.min.js"

WIDTHS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
ROLES = ["anonym", "chef", "samordnare", "personal", "statistik", "admin"]

# Not pages: requested (the status is checked) but not loaded in the browser.
DOWNLOADS = {name for name in ARGS if name.endswith(("_csv", "_pdf"))} | {
    "healthz",  # plain text for the load balancer
    "logout",  # POST only
    "oidc_authentication_init",  # a redirect to the identity provider
    "oidc_authentication_callback",  # answers the identity provider only
}

# More states of a page than its one URL: the record's tabs, forms showing their
# errors, and the admin forms our models and forms define (handbook 1.2).
EXTRA: dict[str, Callable[[Any], list[str]]] = {
    "client_detail": lambda w: [
        reverse("client_detail", args=[w.own.client.pk]) + f"?flik={tab}"
        for tab in ("person", "narstaende", "kontakter", "ovrigt")
    ],
    "client_history": lambda w: [reverse("client_history", args=[w.own.client.pk]) + "?per=x"],
    "planning": lambda w: [reverse("planning") + "?datum=0001-01-01&enhet=abc"],
    "continuity_kpi": lambda w: [reverse("continuity_kpi") + "?from=0001-01-01"],
    "fok_statistics": lambda w: [reverse("fok_statistics") + "?status=nope&datum=x"],
    "visit_overview": lambda w: [reverse("visit_overview") + "?fran=x&till=y"],
    "admin:index": lambda w: [
        reverse("admin:contacts_staff_changelist"),
        reverse("admin:contacts_staff_add"),
        reverse("admin:contacts_staff_change", args=[w.own.staff.pk]),
        reverse("admin:contacts_client_change", args=[w.own.client.pk]),
        reverse("admin:contacts_unit_change", args=[w.own.unit.pk]),
        reverse("admin:auth_user_change", args=[w.users["chef"].pk]),
    ],
}

# The structure of a render, for skipping one already checked at the width.
SIGNATURE_JS = """
() => {
  const skip = new Set(['id', 'href', 'value', 'action', 'for', 'aria-controls',
    'aria-describedby', 'aria-labelledby', 'name', 'hx-get', 'hx-post', 'hx-target',
    'hx-vals', 'src', 'content', 'datetime', 'title', 'placeholder', 'aria-label', 'alt']);
  const sig = (el) => {
    const attrs = [...el.attributes].filter(a => !skip.has(a.name))
      .map(a => a.name + '=' + a.value).sort().join(',');
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const parts = [];
    for (const child of el.children) {
      const s = sig(child);
      if (parts[parts.length - 1] !== s) parts.push(s);  // fold repeated siblings
    }
    return `${el.tagName}[${attrs}]${text ? 'T' : ''}(${parts.join('')})`;
  };
  return sig(document.documentElement);
}
"""

AXE_RUN_JS = """
async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' +
      (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)),
  }));
}
"""


def _paths(world: Any, name: str) -> list[str]:
    url = reverse(name, args=ARGS[name](world.own))
    query = QUERIES.get(name, lambda o: {})(world.own)
    paths = [f"{url}?{urlencode(query)}" if query else url]
    return paths + EXTRA.get(name, lambda w: [])(world)


def _context(browser: Any, live_server: Any, width: str, user: Any) -> Any:
    context = browser.new_context(locale="sv-SE", **WIDTHS[width])
    if user is not None:
        http = HttpClient()
        http.force_login(user)
        cookie = http.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
    return context


def test_every_url_name_is_crawled():
    assert _url_names() <= ARGS.keys()
    assert EXTRA.keys() <= ARGS.keys()


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run npm ci in tests/axe (scripts/test.sh does)")
    return AXE.read_text()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_axe_violations_and_no_server_error(
    browser, live_server, axe_source, role
):
    world = build_world()
    user = None if role == "anonym" else world.users[role]
    if role == "admin":
        # The demo's administrator (demo/seed.py) is staff and superuser.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    names = sorted(ARGS)
    problems: list[str] = []
    checked = 0
    timing = dict.fromkeys(["goto", "sig", "inject", "axe"], 0.0)
    for width in WIDTHS:
        context = _context(browser, live_server, width, user)
        page = context.new_page()
        page.set_default_timeout(10_000)
        seen: set[str] = set()
        for name in names:
            for path in _paths(world, name):
                where = f"{role} {width} {path}"
                if name in DOWNLOADS:
                    if width == "desktop":
                        response = context.request.get(
                            f"{live_server.url}{path}", max_redirects=0
                        )
                        if response.status >= 500:
                            problems.append(f"{where}: {response.status}")
                    continue
                t0 = time.perf_counter()
                try:
                    response = page.goto(f"{live_server.url}{path}")
                except PlaywrightError:
                    # An error status with no body (405 of a POST-only view).
                    status = context.request.get(f"{live_server.url}{path}").status
                    if status >= 500 or status != 405:
                        problems.append(f"{where}: {status} without a page")
                    continue
                timing["goto"] += time.perf_counter() - t0
                status = response.status if response else 0
                if status >= 500:
                    problems.append(f"{where}: {status}")
                    continue
                if "text/html" not in (response.headers.get("content-type", "") if response else ""):
                    continue
                t0 = time.perf_counter()
                signature = hashlib.sha1(page.evaluate(SIGNATURE_JS).encode()).hexdigest()
                timing["sig"] += time.perf_counter() - t0
                if signature in seen:
                    continue
                seen.add(signature)
                t0 = time.perf_counter()
                page.evaluate(axe_source)
                timing["inject"] += time.perf_counter() - t0
                checked += 1
                t0 = time.perf_counter()
                violations = page.evaluate(AXE_RUN_JS)
                timing["axe"] += time.perf_counter() - t0
                for v in violations:
                    problems.append(f"{where}: {v['id']} ({v['impact']}) {v['help']}")
                    problems += [f"    {node}" for node in v["nodes"]]
        context.close()
    with open("/tmp/a11y_timing.txt", "a") as f:
        print(f"{role}: axe ran on {checked} renders", timing, file=f)
    assert not problems, "\n".join(problems)
