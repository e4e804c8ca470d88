"""The accessibility statement required by lagen (2018:1937) om tillgänglighet
till digital offentlig service: open without login, linked from every page and
the login page, with the parts DIGG's model asks for."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from omsorg import accessibility
from tests.contacts.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/tillganglighet/"


def test_the_statement_is_open_without_login(client):
    assert reverse("accessibility_statement") == URL
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Tillgänglighetsredogörelse för Omsorgskontakt</h1>" in html
    assert "lagen (2018:1937) om tillgänglighet till digital offentlig service" in html


def test_it_has_every_part_of_diggs_model(client):
    html = client.get(URL).content.decode()
    for heading in (
        "Hur tillgänglig är tjänsten?",
        "Vad kan du göra om du inte kan använda delar av tjänsten?",
        "Rapportera brister i tjänstens tillgänglighet",
        "Tillsyn",
        "Teknisk information om tjänstens tillgänglighet",
        "Innehåll som inte är tillgängligt",
        "Oskäligt betungande anpassning",
        "Innehåll som inte omfattas av lagen",
        "Hur vi har testat tjänsten",
    ):
        assert f">{heading}</h" in html, heading
    # The supervisory authority and its reporting function.
    assert 'href="https://www.digg.se/tdosanmalan"' in html
    assert 'href="mailto:info@digg.se"' in html
    assert "0771-11 44 00" in html
    # How and when it was tested.
    assert "självskattning" in html and "axe-core" in html
    assert "Den senaste bedömningen gjordes den 2 december 2026." in html
    assert "Redogörelsen uppdaterades senast den 2 december 2026." in html


def test_every_known_issue_is_listed_with_its_requirement(client):
    response = client.get(URL)
    html = response.content.decode()
    assert "Omsorgskontakt är delvis förenlig med lagen" in html
    failures = response.context["failures"]
    others = response.context["other_issues"]
    assert len(failures) + len(others) == len(accessibility.KNOWN_ISSUES)
    assert all(issue.criterion for issue in failures)
    for issue in accessibility.KNOWN_ISSUES:
        assert str(issue.what) in html and str(issue.where) in html
    # What is still known not to comply after issue 12 (untagged PDFs) and
    # what has not been checked.
    text = " ".join(str(i.what) for i in accessibility.KNOWN_ISSUES)
    for point in ("PDF-filerna", "administrationen", "320 pixlar", "JavaScript"):
        assert point in text, point
    # Fixed by issue 12, so no longer listed: the focus ring, touch targets,
    # tabs, focus after errors, the KPI chart's text alternative.
    for fixed in ("tangentbordsfokus", "19 pixlar", "Flikarna i", "Signa-tur", "adressfältet"):
        assert fixed not in text, fixed


def test_with_no_known_failures_the_service_is_fully_compliant(client, monkeypatch):
    others = [i for i in accessibility.KNOWN_ISSUES if not i.criterion]
    monkeypatch.setattr(accessibility, "KNOWN_ISSUES", others)
    html = client.get(URL).content.decode()
    assert "Omsorgskontakt är helt förenlig med lagen" in html
    assert "Vi känner inte till något innehåll som bryter mot lagens krav." in html


def test_the_organisation_and_its_contact_come_from_the_settings(client):
    html = client.get(URL).content.decode()
    assert "Den kommun eller utförare som gav dig din inloggning" in html
    assert "Kontakta din enhetschef" in html
    with override_settings(
        ACCESSIBILITY_ORGANISATION="Ekdala kommun",
        ACCESSIBILITY_EMAIL="tillganglighet@ekdala.example.org",
        ACCESSIBILITY_PHONE="0470-41 00 00",
    ):
        html = client.get(URL).content.decode()
    assert "Ekdala kommun står bakom Omsorgskontakt." in html
    assert 'href="mailto:tillganglighet@ekdala.example.org"' in html
    assert 'href="tel:0470-410000"' in html


def test_every_page_links_to_it_in_the_footer_and_the_login_page_too(client, unit):
    login = client.get(reverse("login")).content.decode()
    assert login.count(f'href="{URL}"') == 2  # the form's link and the footer
    assert '<footer class="site-footer">' in login
    client.force_login(make_user("chef", units=[unit]))
    for name in ("home", "my_clients", "journal_search"):
        html = client.get(reverse(name)).content.decode()
        footer = html[html.index('<footer class="site-footer">') :]
        assert f'href="{URL}"' in footer, name


def test_junk_in_the_query_is_ignored_and_post_is_refused(client):
    assert client.get(URL, {"x": "\x00" * 10, "flik": "abc"}).status_code == 200
    assert client.post(URL).status_code == 405
