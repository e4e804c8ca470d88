"""Every page a role may open fits a phone (390 px): no sideways scrolling, a
visible main heading, and nothing wider than the screen outside a wrapper that
scrolls sideways on purpose. And the keyboard: the skip link comes first and
every focused element shows where the focus is.

The world is the robustness test's (tests/test_robustness.py), with long names
and long words added, since those are what break a narrow layout."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from contacts.models import Client, ContactChangeRequest, Relative, Unit
from journal.models import JournalNote
from plans.models import ImplementationPlan
from tests.conftest import login
from tests.test_robustness import build_world

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = 390
LONG_WORD = "Dörrkodsnyckelskåpsinformationsanteckning" * 3
# Set to a directory to keep a screenshot of every page.
SHOTS = os.environ.get("PHONE_LAYOUT_SCREENSHOTS")

# Elements that stick out of the viewport, unless an ancestor scrolls sideways
# (overflow-x auto or scroll: that wrapper is how wide tables are shown) or clips
# them to a box on the screen.
OVERFLOW_JS = """
(vw) => {
  const out = [];
  const inside = (r) => r.left >= -0.5 && r.right <= vw + 0.5;
  // True when an ancestor scrolls sideways on purpose, or clips the element to
  // a box inside the screen (e.g. a visually hidden table head).
  const contained = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
      if ((o === 'hidden' || o === 'clip') && inside(a.getBoundingClientRect())) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right <= 0) continue;  // moved off screen on purpose (the skip link)
    if (!inside(r) && !contained(el)) {
      const id = el.id ? '#' + el.id : '';
      const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
      const text = (el.innerText || el.value || '').slice(0, 40).replace(/\\s+/g, ' ');
      const where = `[${Math.round(r.left)}, ${Math.round(r.right)}]`;
      out.push(`${el.tagName.toLowerCase()}${id}${cls} ${where} ${text}`);
    }
  }
  return out;
}
"""


def _lengthen_names(world: Any) -> None:
    """Long unit and client names and a long word: the usual layout breakers."""
    Unit.objects.filter(pk=world.own.unit.pk).update(
        name="Hemtjänst Norra Storstadsområdet med Hemsjukvårdsövergripande Samverkan"
    )
    Client.objects.filter(pk=world.own.client.pk).update(
        first_name="Agda-Margareta",
        last_name="Synligsson-Åkerström-Lindqvistberg",
        email="agda.margareta.synligsson.akerstrom.lindqvistberg@hemtjanst-exempel.example.org",
        address="Långgatan 123 B, lägenhet 1101, 123 45 Storstadsförortsbyn",
    )
    Relative.objects.filter(client=world.own.client).update(
        email="dottern.med.den.mycket.langa.adressen@exempel-for-test.example.org"
    )
    JournalNote.objects.filter(client=world.own.client).update(text=LONG_WORD)
    ImplementationPlan.objects.filter(pk=world.own.plan.pk).update(
        important_information=LONG_WORD, participation_comment=LONG_WORD
    )
    ContactChangeRequest.objects.filter(pk=world.own.request.pk).update(reason=LONG_WORD)


def _with_password(world: Any, role: str) -> None:
    user = world.users[role]
    user.set_password("pw")
    user.save(update_fields=["password"])


def _check(page: Any, live_server: Any, path: str, name: str) -> list[str]:
    page.goto(f"{live_server.url}{path}")
    problems = []
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE:
        problems.append(f"{name} {path}: scrolls sideways ({width} px)")
    heading = page.locator("h1").first
    if not heading.count() or not heading.is_visible():
        problems.append(f"{name} {path}: no visible h1")
    for element in page.evaluate(OVERFLOW_JS, PHONE):
        problems.append(f"{name} {path}: wider than the screen: {element}")
    return problems


def _pages(world: Any, role: str) -> list[tuple[str, str]]:
    """(name, path) of every HTML page the role may open."""
    own = world.own
    client, unit = own.client.pk, own.unit.pk
    record = reverse("client_detail", args=[client])
    everyone = [
        ("start", reverse("home")),
        *[
            (f"record-{tab}", f"{record}?flik={tab}")
            for tab in ("person", "narstaende", "kontakter", "fok", "ovrigt")
        ],
        ("history", reverse("client_history", args=[client]) + "?per=2025-02-01"),
        ("my-clients", reverse("my_clients")),
        ("journal", reverse("journal_search") + f"?client={client}"),
        ("journal-unit", reverse("journal_search") + f"?unit={unit}"),
        ("journal-note", reverse("journal_note_create", args=[client])),
        ("plans", reverse("plan_list", args=[client])),
        ("vem-kommer", reverse("rota_client_week", args=[client])),
        ("vem-kommer-error", reverse("rota_client_week", args=[client]) + "?vecka=" + "9" * 200),
        ("accessibility", reverse("accessibility_statement")),
    ]
    planner = [
        ("plan-create", reverse("plan_create", args=[client])),
        ("plan-edit", reverse("plan_edit", args=[own.plan.pk])),
        ("plan-end", reverse("plan_end", args=[own.plan.pk])),
    ]
    reports = [
        ("planning", reverse("planning")),
        ("planning-week", reverse("planning") + "?vy=vecka&datum=2025-02-03"),
        ("staff", reverse("staff_list")),
        ("staff-detail", reverse("staff_detail", args=[own.staff.pk])),
        ("worklists", reverse("worklists")),
        ("continuity", reverse("continuity_report") + "?from=2025-02-01&to=2025-02-14"),
        (
            "continuity-client",
            reverse("continuity_client_visits", args=[client]) + "?from=2025-02-01&to=2025-02-14",
        ),
        ("kkik", reverse("continuity_kpi") + "?from=2025-02-03"),
        ("kolada", reverse("kolada_report") + "?ar=2024&vecka=52"),
        (
            "visits",
            reverse("visit_overview") + f"?enhet={own.unit.code}&fran=2025-02-01&till=2025-02-14",
        ),
    ]
    statistics = [
        ("statistics", reverse("fok_statistics") + "?status=accepted&datum=2025-03-01&visa=alla"),
    ]
    manager = [
        ("fok-edit", reverse("fok_edit", args=[client, unit])),
        ("move", reverse("client_move", args=[client])),
        ("service-end", reverse("service_end", args=[client, own.service.pk])),
        ("change-request", reverse("contact_change_request", args=[client, unit])),
        ("staff-handover", reverse("staff_handover", args=[own.staff.pk])),
    ]
    # The same pages showing their form errors (junk in the query string).
    errors = [
        ("history-error", reverse("client_history", args=[client]) + "?per=x"),
        ("journal-error", reverse("journal_search") + "?date_from=x&date_to=2025-13-45"),
        ("planning-error", reverse("planning") + "?datum=0001-01-01&enhet=abc"),
        ("continuity-error", reverse("continuity_report") + "?from=x&to=" + "9" * 200),
        ("kkik-error", reverse("continuity_kpi") + "?from=0001-01-01"),
        ("kolada-error", reverse("kolada_report") + "?ar=2025&vecka=53"),
        ("statistics-error", reverse("fok_statistics") + "?status=nope&datum=x"),
        ("visits-error", reverse("visit_overview") + "?fran=x&till=y"),
    ]
    return {
        "chef": everyone + planner + reports + statistics + manager + errors,
        "personal": everyone,
        "admin": [
            ("start", reverse("home")),
            ("import", reverse("import_csv")),
            ("access-log", reverse("access_log")),
            ("access-log-error", reverse("access_log") + "?brukare=finns-inte&fran=x"),
        ],
    }[role]


# The coordinator's and the statistics reader's pages are the unit manager's
# templates with fewer menu items: the manager's long-name pass covers them, and
# the accessibility crawl (test_axe_every_page) checks every page of every role
# for sideways scrolling at 390 px.
@pytest.mark.parametrize("role", ["chef", "personal", "admin"])
def test_every_page_fits_a_phone(phone_page, live_server, role):
    world = build_world()
    _lengthen_names(world)
    _with_password(world, role)
    login(phone_page, live_server, role)
    problems = []
    for name, path in _pages(world, role):
        problems += _check(phone_page, live_server, path, f"{role}-{name}")
    assert not problems, "\n".join(problems)


def _focus_report(page: Any) -> dict[str, str]:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const s = getComputedStyle(el);
          return {tag: el.tagName, cls: el.className, text: (el.innerText || '').slice(0, 30),
                  style: s.outlineStyle, width: s.outlineWidth};
        }"""
    )


@pytest.mark.parametrize("where", ["start", "record"])
def test_keyboard_reaches_the_skip_link_first_and_focus_is_visible(phone_page, live_server, where):
    world = build_world()
    _with_password(world, "chef")
    login(phone_page, live_server, "chef")
    path = (
        reverse("home")
        if where == "start"
        else reverse("client_detail", args=[world.own.client.pk])
    )
    phone_page.goto(f"{live_server.url}{path}")

    phone_page.keyboard.press("Tab")
    first = _focus_report(phone_page)
    assert "skip-link" in first["cls"], first
    assert first["text"] == "Hoppa till innehållet"
    assert phone_page.locator(".skip-link").is_visible()

    stops = [first]
    for _ in range(8):
        phone_page.keyboard.press("Tab")
        stops.append(_focus_report(phone_page))
    invisible = [s for s in stops if s["style"] == "none" or s["width"] in {"0px", ""}]
    assert not invisible, invisible
    # The skip link leads to the main content.
    phone_page.goto(f"{live_server.url}{path}")
    phone_page.keyboard.press("Tab")
    phone_page.keyboard.press("Enter")
    assert phone_page.evaluate("document.activeElement.id") == "main"
