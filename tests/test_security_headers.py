"""Security headers on every page (issue 10, "Headers"): a Content-Security-Policy
that allows no inline script or style, a Permissions-Policy, and pages that need
neither: no <style>, style="", inline <script> or on...= handler anywhere, not
even where a name stored in the database is markup (stored XSS).

Every URL name of the project (the list of tests/test_robustness.py, which fails
when a new page is not in it) is fetched by a logged-in administrator, and the
report pages also with the query that fills them (the htmx fragments are parts
of the same templates). The browser side, where a violation would actually
block something, is tests/e2e/test_content_security_policy.py.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from contacts.models import Client, Staff
from omsorg.security import permissions_policy_header
from tests.test_robustness import ARGS, QUERIES, build_world

pytestmark = pytest.mark.django_db

# What the policy must say, directive by directive.
REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
DATA_TYPES = {"application/json", "application/ld+json"}
FEATURES_OFF = ("camera", "microphone", "geolocation", "payment", "usb")


def directives(header: str) -> dict[str, str]:
    parsed = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            parsed[name] = value.strip()
    return parsed


class InlineFinder(HTMLParser):
    """Collects what a strict policy would block: <style> elements, style=""
    attributes, inline <script> (a data block such as json_script is fine),
    on...= handlers and javascript: links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "style":
            self.found.append("<style>")
        data_block = (values.get("type") or "").lower() in DATA_TYPES
        if tag == "script" and "src" not in values and not data_block:
            self.found.append("inline <script>")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            elif name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            elif name.startswith("hx-on"):
                self.found.append(f"<{tag} {name}=...> (htmx evaluates it)")
            elif name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:...>")


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_inline_finder_finds_what_the_policy_blocks():
    page = (
        '<style>p{}</style><p style="color:red">x</p><script>alert(1)</script>'
        '<button onclick="x()">y</button><a href="javascript:x()">z</a><div hx-on:click="x">'
        '<script src="/static/a.js"></script><script type="application/json">{}</script>'
    )
    assert len(inline_code(page)) == 6


def test_the_permissions_policy_header_lists_each_feature():
    assert permissions_policy_header({"camera": [], "fullscreen": ["self"]}) == (
        "camera=(), fullscreen=(self)"
    )


# Documents rather than pages: a PDF costs a rendering (the first one seconds,
# loading WeasyPrint), and the headers come from the same middleware; the
# continuity CSV stands for them all.
DOCUMENTS = {"contact_letter", "plan_print", "rota_printout_pdf"}


# Pages whose query adds markup of its own (result tables, charts, another tab).
FILLED = {
    "client_detail",
    "continuity_report",
    "continuity_kpi",
    "kolada_report",
    "visit_overview",
    "fok_statistics",
    "journal_search",
    "planning",
}


def is_document(name: str) -> bool:
    return name in DOCUMENTS or name.endswith(("_pdf", "_csv")) and name != "import_csv"


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    return build_world()


def logged_in(user) -> HttpClient:  # type: ignore[no-untyped-def]
    http = HttpClient()
    http.force_login(user)
    return http


def check_response(label: str, response) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    csp = directives(response.get("Content-Security-Policy", ""))
    for directive, value in REQUIRED.items():
        if csp.get(directive) != value:
            problems.append(f"{label}: {directive} is {csp.get(directive)!r}")
    policy = response.get("Permissions-Policy", "")
    problems += [
        f"{label}: Permissions-Policy lacks {feature}=()"
        for feature in FEATURES_OFF
        if f"{feature}=()" not in policy
    ]
    if "text/html" in response.get("Content-Type", ""):
        problems += [f"{label}: {found}" for found in inline_code(response.text)]
    return problems


# Stored in a client's and a staff member's name: every page must show it as text.
XSS = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def test_every_page_sends_the_headers_and_has_no_inline_code(world):
    """Each page as the administrator; the forms an administrator may not open
    (the administrator does not document) as the unit manager. The names of
    the client and a staff member are markup, so output that is not escaped
    would show up as an inline handler or script."""
    Client.objects.filter(pk=world.own.client.pk).update(first_name=XSS)
    Staff.objects.filter(pk=world.own.staff.pk).update(last_name=XSS)
    admin = logged_in(world.users["admin"])
    manager = logged_in(world.users["chef"])
    problems: list[str] = []
    pages: set[str] = set()
    for name in sorted(ARGS):
        if is_document(name) and name != "continuity_report_csv":
            continue
        url = reverse(name, args=ARGS[name](world.own))
        http = admin
        response = http.get(url)
        if response.status_code == 403:
            http = manager
            response = http.get(url)
        problems += check_response(f"GET {url}", response)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        if response.status_code == 200:
            pages.add(name)
        if name in FILLED:
            query = QUERIES[name](world.own)
            problems += check_response(f"GET {url} {query}", http.get(url, data=query))
    assert not problems, "\n".join(problems)
    record = admin.get(reverse("client_detail", args=[world.own.client.pk])).text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in record  # shown, as text
    # The pages were really rendered, not refused.
    assert {"home", "client_detail", "fok_edit", "journal_search", "import_csv"} <= pages
    assert len(pages) > 25


def test_the_django_admin_sends_the_headers_and_has_no_inline_code(db):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password=None)
    http = logged_in(root)
    problems: list[str] = []
    for url in ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{root.pk}/change/"):
        response = http.get(url)
        assert response.status_code == 200, url
        problems += check_response(f"GET {url}", response)
    assert not problems, "\n".join(problems)


def test_the_login_page_and_errors_have_the_headers_too(client):
    for url in (reverse("login"), "/finns-inte/", reverse("healthz")):
        response = client.get(url)
        assert "'none'" in response["Content-Security-Policy"], url
        assert "camera=()" in response["Permissions-Policy"], url
    login = client.get(reverse("login"))
    assert inline_code(login.text) == []


def test_a_post_without_the_csrf_token_is_refused(world):
    """Every form carries Django's CSRF token (htmx sends it as a header from
    base.html); a forged cross-site post has none and is refused."""
    from tests.test_robustness import POSTS

    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(world.users["chef"])
    for name in ("fok_edit", "journal_note_create"):
        url = reverse(name, args=ARGS[name](world.own))
        body = POSTS[name][1](world) if name in POSTS else {"text": "Forged", "kind": "general"}
        assert http.post(url, body).status_code == 403, url
    login = HttpClient(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "chef", "password": "x"}
    )
    assert login.status_code == 403
