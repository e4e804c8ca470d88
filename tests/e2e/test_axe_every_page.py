"""axe-core on every page of the URL conf, for every role, at desktop (1366×900)
and phone (390×844) width: 0 violations of any impact (WCAG 2.1 A and AA and
axe's best practices), and no 5xx on any page a role can reach (issue 12.1,
the crawl of issue 8.2).

Every URL name of the project is opened by every role with the own unit's ids
and the robustness test's valid query (tests/test_robustness.py, whose ARGS map
has to name every URL, so a new page is crawled here too; downloads are left
to that test). Each page is fetched with Django's test client and no 5xx is
allowed; a render is then shown in Chromium (Debian's) at each width and
axe-core (the npm package, installed in tests/axe by scripts/test.sh) is run
on it, together with the layout measurements of issue 12.2 (LAYOUT_JS).

A render whose structure (tags, classes, roles and attributes, with text, ids
and repeated siblings folded; the banner with the role's menu apart from the
rest) has already been checked is not checked again: the same template with
other ids or more rows, or a refusal page seen by another role.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from contacts.models import Visit
from jobs.models import LOST_AFTER, Job
from tests.test_robustness import ARGS, QUERIES, _url_names, build_world

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[1] / "axe" / "node_modules" / "axe-core" / "axe.min.js"

# Set to a directory to keep a screenshot of every render checked.
SHOTS = os.environ.get("AXE_SCREENSHOTS")

WIDTHS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
ROLES = ["anonym", "chef", "samordnare", "personal", "statistik", "admin"]

# Not pages: downloads and infrastructure, which tests/test_robustness.py
# requests for every role (a PDF takes long to lay out).
DOWNLOADS = {name for name in ARGS if name.endswith(("_csv", "_pdf"))} | {
    "healthz",  # plain text for the load balancer
    "logout",  # POST only
    "oidc_authentication_init",  # a redirect to the identity provider
    "oidc_authentication_callback",  # answers the identity provider only
}


# More states of a page than its one URL: the record's tabs, forms showing their
# errors, and the admin forms our models and forms define (handbook 1.2).
def _silent_job(world: Any) -> int:
    """A running job of the unit manager's whose worker has not been heard
    from for long (the page then says it may have stopped)."""
    job = Job.objects.create(
        user=world.users["chef"], kind=Job.Kind.IMPORT, title="Import av besök",
        status=Job.Status.RUNNING, progress=40,
        step="Kontrollerar och sparar rad 40 000 av 100 000",
    )  # fmt: skip
    Job.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - 2 * LOST_AFTER)
    return job.pk


EXTRA: dict[str, Callable[[Any], list[str]]] = {
    "job_detail": lambda w: [reverse("job_detail", args=[_silent_job(w)])],
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
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_group_change", args=[w.users["chef"].groups.get().pk]),
        reverse("admin:contacts_visit_change", args=[Visit.objects.order_by("pk")[0].pk]),
    ],
}


class _Structure(HTMLParser):
    """The structure of a render: tags, roles, classes and attributes, whether
    an element has text of its own, with ids, addresses, values, labels and
    text left out and runs of identical siblings folded into one. The banner
    (the main menu, which differs by role) and the rest are kept apart."""

    SKIP = {"id", "href", "value", "action", "for", "aria-controls", "aria-describedby",
            "aria-labelledby", "name", "hx-get", "hx-post", "hx-target", "hx-vals",
            "hx-headers", "src", "content", "datetime", "title", "placeholder", "aria-label",
            "alt", "data-testid", "min", "max"}  # fmt: skip
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[list[Any]] = [["ROOT", "", False, []]]
        self.header = ""
        self.body = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = ",".join(sorted(f"{k}={v}" for k, v in attrs if k not in self.SKIP))
        self.stack.append([tag, kept, False, []])
        if tag in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in {frame[0] for frame in self.stack[1:]}:
            return
        while True:
            name, attrs, text, children = self.stack.pop()
            sig = f"{name}[{attrs}]{'T' if text else ''}({''.join(children)})"
            parent = self.stack[-1][3]
            if name == "header" and "site-header" in attrs:
                self.header += sig
            elif not parent or parent[-1] != sig:
                parent.append(sig)
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.stack[-1][2] = True


def _signature(html: str) -> tuple[str, str]:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    body = "".join(parser.stack[0][3])
    return (
        hashlib.sha1(parser.header.encode()).hexdigest(),
        hashlib.sha1(body.encode()).hexdigest(),
    )


AXE_RUN_JS = """
async () => {
  // target-size (WCAG 2.2's 2.5.8, off by default): issue 12 asks for 24 px targets.
  const result = await axe.run(document, {
    resultTypes: ['violations'], rules: {'target-size': {enabled: true}},
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' +
      (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)),
  }));
}
"""


# Beyond axe (issue 12.2), measured on the same render: no sideways scrolling of
# the page on a phone, no word in a table broken in the middle ("Signa|tur"),
# no phone number split over two lines, and phone and e-mail links at least
# 24 px high (44 px on a phone).
LAYOUT_JS = """
(phone) => {
  const out = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    out.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${width} px)`);
  }
  const lines = (range) => new Set([...range.getClientRects()]
    .filter(r => r.width > 0).map(r => Math.round(r.top))).size;
  const visible = (el) => el.getClientRects().length > 0;
  // At desktop width only: on a phone a word longer than the screen must wrap.
  for (const cell of phone ? [] : document.querySelectorAll('main td, main th')) {
    if (!visible(cell)) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s\\-\\u2013\\u00ad\\/]+/g;  // a soft hyphen is a break point
      for (let m = re.exec(node.data); m; m = re.exec(node.data)) {
        if (m[0].length < 2) continue;
        // Broken when its first and last letters are on different lines.
        const top = (at) => {
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + 1);
          // The glyph's own box (a range at a line break also has an empty
          // box at the end of the line before).
          const rects = [...range.getClientRects()].sort((a, b) => b.width - a.width);
          return rects.length ? Math.round(rects[0].top + rects[0].height / 2) : 0;
        };
        if (Math.abs(top(m.index) - top(m.index + m[0].length - 1)) > 4) {
          out.push(`"${m[0]}" is broken in a table cell`);
        }
      }
    }
  }
  for (const link of document.querySelectorAll('a[href^="tel:"], a[href^="mailto:"]')) {
    if (!visible(link)) continue;
    const range = document.createRange();
    range.selectNodeContents(link);
    if (link.href.startsWith('tel:') && lines(range) > 1) {
      out.push(`the phone number "${link.textContent.trim()}" is split over two lines`);
    }
    const box = link.getBoundingClientRect();
    const least = phone ? 44 : 24;
    if (box.height < least - 0.5) {
      out.push(`"${link.textContent.trim()}" is ${Math.round(box.height)} px high, not ${least}`);
    }
  }
  return out;
}
"""


READY_JS = """
() => typeof axe === 'object' && document.querySelector('link[rel=stylesheet]') !== null
  && (document.body.className.includes('login') || document.getElementById('site-name')
      || getComputedStyle(document.body).backgroundColor === 'rgb(245, 246, 248)')
"""


def _paths(world: Any, name: str) -> list[str]:
    url = reverse(name, args=ARGS[name](world.own))
    query = QUERIES.get(name, lambda o: {})(world.own)
    paths = [f"{url}?{urlencode(query)}" if query else url]
    return paths + EXTRA.get(name, lambda w: [])(world)


def test_every_url_name_is_crawled():
    assert _url_names() <= ARGS.keys()
    assert EXTRA.keys() <= ARGS.keys()


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run npm ci in tests/axe (scripts/test.sh does)")
    return AXE.read_text()


# One test per width, so that pytest-xdist runs the two on different workers:
# together they were the suite's longest test (45-98 s on two cores).
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_has_no_axe_violations_and_no_server_error(
    browser, live_server, axe_source, width
):
    """Every role fetches every page (no 5xx); a render whose structure is new
    is then loaded in Chromium at the width and checked by axe."""
    world = build_world()
    # The demo's administrator (demo/seed.py) is staff and superuser.
    admin = world.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    # A staff member with a login, as in the demo: the staff form shows the link.
    world.own.staff.user = world.users["personal"]
    world.own.staff.save(update_fields=["user"])
    # The pages are fetched with Django's test client (in this process, fast);
    # the browser then shows that very render: one page, loaded once with
    # axe-core, whose document is replaced by each render (its style sheets
    # and scripts load from the live server as usual).
    context = browser.new_context(locale="sv-SE", **WIDTHS[width])
    page = context.new_page()
    page.goto(f"{live_server.url}/tillganglighet/")
    page.evaluate(axe_source)
    problems: list[str] = []
    renders = 0
    seen_headers: set[str] = set()
    seen_bodies: set[str] = set()
    for role in ROLES:
        http = HttpClient(raise_request_exception=False)
        if role != "anonym":
            http.force_login(world.users[role])
        for name in sorted(ARGS):
            if name in DOWNLOADS:
                continue
            for path in _paths(world, name):
                response = http.get(path, follow=True)
                if response.status_code >= 500:
                    problems.append(f"{role} {path}: {response.status_code}")
                    continue
                html = response.get("Content-Type", "").startswith("text/html")
                if not html or not response.content:
                    continue  # an empty 405 of a POST-only view
                header, body = _signature(response.content.decode())
                if header in seen_headers and body in seen_bodies:
                    continue
                seen_headers.add(header)
                seen_bodies.add(body)
                renders += 1
                page.set_content(response.content.decode())
                # The style sheet applies and axe is there (a real render).
                assert page.evaluate(READY_JS), f"{path} did not load like a page"
                if SHOTS:
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    shot = f"{SHOTS}/{renders:02d}-{role}-{name}-{width}.png"
                    page.screenshot(path=shot, full_page=True)
                violations = page.evaluate(AXE_RUN_JS)
                for problem in page.evaluate(LAYOUT_JS, width == "phone"):
                    problems.append(f"{role} {width} {path}: {problem}")
                for v in violations:
                    problems.append(f"{role} {width} {path}: {v['id']} ({v['impact']}) {v['help']}")
                    problems += [f"    {node}" for node in v["nodes"]]
    context.close()
    # About 65 distinct renders today: far fewer means the skipping is broken.
    assert renders >= 50, renders
    assert not problems, "\n".join(problems)
