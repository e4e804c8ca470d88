"""The main menu (templates/base.html) is rendered once per language, page and
set of permission flags and then reused ({% cache %}): each user still sees
only the links of their permissions, and the current page is marked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from contacts.roles import Role
from tests.contacts.factories import ServiceFactory, UnitFactory, make_user

pytestmark = pytest.mark.django_db

BASE = Path(__file__).resolve().parents[1] / "templates" / "base.html"


def _menu(html: str) -> str:
    found = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert found is not None, "no main menu on the page"
    return found.group(0)


def test_the_cache_key_names_every_variable_the_menu_depends_on():
    """A link added to the menu under a new permission flag must add the flag
    to the key, or one user's menu would be shown to another."""
    source = BASE.read_text()
    cached = re.search(r"\{% cache \d+ main_nav ([^%]+)%\}(.*?)\{% endcache %\}", source, re.S)
    assert cached is not None
    key, menu = set(cached.group(1).split()), cached.group(2)
    used = set(re.findall(r"\{% if (\w+) %\}", menu))
    used |= set(re.findall(r"\{% if ([\w.]+) ==", menu))
    used |= set(re.findall(r"\{\{\s*([\w.]+)", menu))  # none today; a key if ever
    assert used, "the menu tests no variable: the pattern above no longer matches"
    assert used <= key, f"missing from the cache key: {sorted(used - key)}"
    assert "LANGUAGE_CODE" in key
    # No block inside: a child template's block would be cached for every page.
    assert "{% block" not in menu


def test_each_role_sees_its_own_links_whoever_came_before(client):
    unit = UnitFactory()
    ServiceFactory(unit=unit)
    admin = make_user("adm", role=Role.ADMINISTRATOR)
    admin.is_staff = True
    admin.save()
    users = {
        "admin": admin,
        "chef": make_user("chef1", role=Role.UNIT_MANAGER, units=[unit]),
        "stat": make_user("stat1", role=Role.STATISTICS, units=[unit]),
        "care": make_user("care1", role=Role.CARE_STAFF, units=[unit]),
    }
    menus = {}
    # Twice over, in turn on the same page: the second round is served from
    # the cache and must still be each user's own menu.
    for _round in range(2):
        for name, user in users.items():
            client.force_login(user)
            menu = _menu(client.get(reverse("accessibility_statement")).content.decode())
            assert menus.setdefault(name, menu) == menu
    links = {name: set(re.findall(r'href="([^"]+)"', menu)) for name, menu in menus.items()}
    assert reverse("access_log") in links["admin"]
    assert reverse("admin:index") in links["admin"]
    assert reverse("access_log") not in links["chef"]
    assert reverse("continuity_report") in links["chef"]
    assert reverse("my_clients") not in links["stat"]
    assert reverse("fok_statistics") in links["stat"]
    assert reverse("my_clients") in links["care"]
    assert reverse("continuity_report") not in links["care"]
    assert len({frozenset(found) for found in links.values()}) == 4


def test_the_current_page_is_marked_on_each_page(client):
    unit = UnitFactory()
    client.force_login(make_user("chef2", role=Role.UNIT_MANAGER, units=[unit]))
    for name in ("home", "my_clients", "continuity_report", "home"):
        menu = _menu(client.get(reverse(name)).content.decode())
        assert menu.count('aria-current="page"') == 1
        assert f'href="{reverse(name)}" aria-current="page"' in menu
