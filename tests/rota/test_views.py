"""The "Vem kommer?" page on the client record, printing it, and the printed
PDF: access like the client record, bad input, and what the client reads."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from contacts.models import Staff
from contacts.roles import Role
from rota import services
from rota.forms import week_value
from rota.models import RotaPrintout
from rota.selectors import week_monday
from tests.contacts.factories import ServiceFactory, make_user

from .helpers import accept, staff, visit

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = timezone.localdate()
NEXT_MONDAY = week_monday(TODAY) + dt.timedelta(days=7)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


@pytest.fixture
def world(unit, other_unit):
    unit.phone = "0470-40 00 00"
    unit.save()
    agda = ServiceFactory(
        unit=unit,
        start=D(2025, 1, 1),
        client__first_name="Agda",
        client__last_name="Synligsson",
        client__customer_number="7770002",
    ).client
    anna = staff(unit, "Anna", "Andersson", phone="070-174 06 05")
    bo = staff(unit, "Bo", "Bergström", phone="070-174 06 06")
    cissi = staff(unit, "Cissi", "Carlsson", Staff.Title.CARE_AIDE, phone="070-174 06 07")
    accept(agda, unit, anna, bo, D(2025, 1, 10))
    monday_morning = visit(agda, unit, at(NEXT_MONDAY, 8), planned=[anna])
    visit(agda, unit, at(NEXT_MONDAY, 12), planned=[cissi, bo])
    visit(agda, unit, at(NEXT_MONDAY + dt.timedelta(days=2), 18), planned=[])
    # Another unit of the same client, which the users of Hemtjänst Norr do not see.
    ServiceFactory(client=agda, unit=other_unit, start=D(2025, 1, 1))
    hidden = staff(other_unit, "Hemlig", "Hemlighetsfull")
    visit(agda, other_unit, at(NEXT_MONDAY, 10), planned=[hidden])
    return {"agda": agda, "anna": anna, "bo": bo, "cissi": cissi, "monday": monday_morning}


def page(client, user, agda, **query):
    client.force_login(user)
    return client.get(reverse("rota_client_week", args=[agda.pk]), query)


def pdf_of(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    return re.sub(r"\s+", " ", text), reader


# --- the page ---------------------------------------------------------------------------


def test_the_page_shows_next_week_with_first_names_titles_and_the_contact(client, carer, world):
    response = page(client, carer, world["agda"])
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["week_start"] == NEXT_MONDAY
    assert f"Vecka {NEXT_MONDAY.isocalendar()[1]}" in html
    assert "nästa vecka" in html
    assert "Anna, undersköterska" in html
    assert "Cissi, vårdbiträde" in html
    assert "Inte bestämt än" in html  # the visit without planned staff
    assert "Inget besök planerat." in html  # the days without visits
    for surname in ("Andersson", "Bergström", "Carlsson"):
        assert surname not in html
    # Only the own unit's section; the other unit's visits and staff are not shown.
    assert "Hemlig" not in html
    assert len(response.context["sections"]) == 1


def test_phone_numbers_are_links_a_phone_can_dial(client, carer, world):
    html = page(client, carer, world["agda"]).content.decode()
    # The ordinary and deputy contacts and the unit, in international form.
    assert 'href="tel:+46701740605"' in html
    assert 'href="tel:+46701740606"' in html
    assert 'href="tel:+46470400000"' in html
    # Cissi is not a contact: no number of hers.
    assert "070-174 06 07" not in html


@pytest.mark.parametrize(
    ("phone", "href"),
    [
        ("070-174 06 05", "tel:+46701740605"),
        ("0470-40 00 00", "tel:+46470400000"),
        ("+46 70 174 06 05", "tel:+46701740605"),
        ("0046 70 174 06 05", "tel:+46701740605"),
        ("112", "tel:112"),
        ("", ""),
        ("saknas", ""),
    ],
)
def test_tel_href_dials_swedish_numbers_in_international_form(phone, href):
    from rota.templatetags.rota_tags import tel_href

    assert tel_href(phone) == href


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", None),
        ("2025-W11", None),
        ("2026-W53", None),  # 2026 has 53 ISO weeks
        ("2025-W53", "År 2025 har ingen vecka 53."),
        ("2025-W00", "År 2025 har ingen vecka 0."),
        ("2025-11", "”2025-11” är ingen vecka."),
        ("abc", "”abc” är ingen vecka."),
        ("0001-W01", "Välj en vecka mellan år 1900 och 2999."),
        ("9999-W52", "Välj en vecka mellan år 1900 och 2999."),
        ("x" * 3000, "är ingen vecka"),
        ("2025-W1\x00", "är ingen vecka"),
        ("٢٠٢٥-W11", "är ingen vecka"),
    ],
)
def test_a_bad_week_shows_next_week_with_a_message(client, carer, world, value, message):
    response = page(client, carer, world["agda"], vecka=value)
    assert response.status_code == 200
    html = response.content.decode()
    if message is None:
        assert 'class="errorlist' not in html
    else:
        assert message in html and "Visar nästa vecka." in html
        assert response.context["week_start"] == NEXT_MONDAY


def test_the_chosen_week_and_its_neighbours(client, carer, world):
    response = page(client, carer, world["agda"], vecka="2025-W11")
    assert response.context["week_start"] == D(2025, 3, 10)
    nav = response.context["nav"]
    assert nav["prev"].endswith("?vecka=2025-W10")
    assert nav["after"].endswith("?vecka=2025-W12")
    assert nav["next"].endswith(f"?vecka={week_value(NEXT_MONDAY)}")
    # The first and last weeks allowed have no link beyond them.
    first = page(client, carer, world["agda"], vecka="1900-W01").context["nav"]
    assert "prev" not in first and "after" in first


def test_a_user_of_another_unit_gets_404(client, other_unit, world):
    outsider = make_user("sodra", role=Role.UNIT_MANAGER, units=[other_unit])
    agda_elsewhere = ServiceFactory(unit=world["anna"].units.first(), start=D(2025, 1, 1)).client
    client.force_login(outsider)
    # Agda is on Söder too, so the outsider sees only the Söder section ...
    response = client.get(reverse("rota_client_week", args=[world["agda"].pk]))
    assert [s["unit"] for s in response.context["sections"]] == [other_unit]
    assert "Anna" not in response.content.decode()
    # ... and a client only on Norr is not found at all.
    for url in (
        reverse("rota_client_week", args=[agda_elsewhere.pk]),
        reverse("rota_print", args=[agda_elsewhere.pk]),
    ):
        method = client.post if url.endswith("skriv-ut/") else client.get
        assert method(url, {"week": week_value(NEXT_MONDAY)}).status_code == 404


def test_a_user_without_units_gets_404(client, world):
    nobody = make_user("ingen", role=Role.UNIT_MANAGER, units=[])
    response = page(client, nobody, world["agda"])
    assert response.status_code == 404


def test_the_page_needs_a_login(client, world):
    url = reverse("rota_client_week", args=[world["agda"].pk])
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_get_writes_nothing(client, carer, world):
    page(client, carer, world["agda"])
    assert not RotaPrintout.objects.exists()


def test_the_record_and_mina_brukare_link_to_the_page(client, carer, world):
    client.force_login(carer)
    url = reverse("rota_client_week", args=[world["agda"].pk])
    record = client.get(reverse("client_detail", args=[world["agda"].pk])).content.decode()
    assert f'href="{url}"' in record
    mine = client.get(reverse("my_clients")).content.decode()
    assert f'href="{url}"' in mine
    # The link is inside the client's list item, which names the client (WCAG 2.4.4).
    item = mine[mine.rindex("<li", 0, mine.index(f'href="{url}"')) : mine.index(f'href="{url}"')]
    assert "Agda Synligsson" in item


# --- printing ---------------------------------------------------------------------------


def print_week(client, agda, unit, week=None):
    url = reverse("rota_print", args=[agda.pk])
    return client.post(url, {"week": week or week_value(NEXT_MONDAY), "unit": unit.pk})


def test_printing_stores_the_sheet_and_shows_the_pdf(client, carer, unit, world):
    client.force_login(carer)
    response = print_week(client, world["agda"], unit)
    printout = RotaPrintout.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("rota_printout_pdf", args=[printout.pk])
    assert printout.printed_by == carer and printout.week_start == NEXT_MONDAY

    text, reader = pdf_of(client.get(response["Location"]))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    week = NEXT_MONDAY.isocalendar()[1]
    for expected in [
        "Vem kommer till dig?",
        f"Vecka {week}",
        "Till Agda Synligsson från Hemtjänst Norr.",
        "Din fasta omsorgskontakt är Anna, undersköterska.",
        "070-174 06 05",
        "Din vice fasta omsorgskontakt är Bo, undersköterska.",
        "Du kan alltid ringa Hemtjänst Norr. Telefon 0470-40 00 00",
        "kl. 08:00–08:30 Anna, undersköterska – din fasta omsorgskontakt",
        "Bo, undersköterska – din vice fasta omsorgskontakt",
        "Cissi, vårdbiträde",
        "Vi vet inte än vem som kommer.",
        "Inget besök.",
    ]:
        assert expected in text, expected
    for absent in ("Andersson", "Bergström", "Carlsson", "Hemlig", "070-174 06 07", "Personal"):
        assert absent not in text, absent
    # The first printout of the week marks nothing.
    assert "NY TID" not in text and "ändrats" not in text


def test_the_second_printout_marks_the_changes_in_words(client, carer, unit, world):
    client.force_login(carer)
    print_week(client, world["agda"], unit)
    visit(world["agda"], unit, at(NEXT_MONDAY + dt.timedelta(days=4), 9), planned=[world["bo"]])
    world["monday"].planned_staff.set([world["bo"]])

    page_html = page(client, carer, world["agda"]).content.decode()
    assert "Ändrat sedan dess:" in page_html
    assert "1 nytt besök." in page_html and "1 besök med annan personal." in page_html

    response = print_week(client, world["agda"], unit)
    text, _reader = pdf_of(client.get(response["Location"]))
    assert "Det här är en ny lapp." in text
    assert "NYTT BESÖK" in text
    assert "ANNAN PERSONAL Förut Anna." in text


def test_the_pdf_is_large_print(client, carer, unit, world):
    """Every piece of text on the sheet is at least 14 pt: read from the PDF's
    text operators (font size times the scaling of the text matrix)."""
    client.force_login(carer)
    response = client.get(print_week(client, world["agda"], unit)["Location"])
    _text, reader = pdf_of(response)
    sizes: list[tuple[float, str]] = []

    def visit_text(text, cm, tm, font_dict, font_size):  # type: ignore[no-untyped-def]
        if text.strip():
            scale = (tm[2] ** 2 + tm[3] ** 2) ** 0.5 * (cm[2] ** 2 + cm[3] ** 2) ** 0.5
            sizes.append((round(font_size * scale, 1), text.strip()))

    for pdf_page in reader.pages:
        pdf_page.extract_text(visitor_text=visit_text)
    assert sizes
    small = [(size, text) for size, text in sizes if size < 14]
    assert not small, small


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"week": "", "unit": ""},
        {"week": "abc", "unit": "abc"},
        {"week": "2025-W53", "unit": "1"},
        {"week": "9999-W01", "unit": "-1"},
        {"week": "x" * 30000, "unit": "99999999999999999999"},
        {"week": "åäö😀\x00", "unit": "åäö😀\x00"},
    ],
)
def test_a_bad_print_request_is_a_swedish_form_error_and_writes_nothing(client, carer, world, body):
    client.force_login(carer)
    response = client.post(reverse("rota_print", args=[world["agda"].pk]), body)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist' in html
    for english in ("This field", "Select a valid", "Enter a"):
        assert english not in html
    assert not RotaPrintout.objects.exists()


def test_the_other_units_id_or_a_week_without_service_is_refused(
    client, carer, unit, other_unit, world
):
    client.force_login(carer)
    response = print_week(client, world["agda"], other_unit)
    assert response.status_code == 400 and "Välj en av dina enheter." in response.content.decode()
    response = print_week(client, world["agda"], unit, week="2024-W10")  # before the service
    assert response.status_code == 400
    assert "Brukaren har ingen insats på Hemtjänst Norr den veckan." in response.content.decode()
    assert not RotaPrintout.objects.exists()


def test_a_printout_of_another_unit_is_404(client, carer, other_unit, world):
    printout = services.rota_printout_create(
        client=world["agda"], unit=other_unit, week_start=NEXT_MONDAY, by=None
    )
    client.force_login(carer)
    response = client.get(reverse("rota_printout_pdf", args=[printout.pk]))
    assert response.status_code == 404
    assert client.get(reverse("rota_printout_pdf", args=[10**9])).status_code == 404


def test_printing_is_post_only_and_the_pdf_get_only(client, carer, unit, world):
    client.force_login(carer)
    assert client.get(reverse("rota_print", args=[world["agda"].pk])).status_code == 405
    printout = services.rota_printout_create(
        client=world["agda"], unit=unit, week_start=NEXT_MONDAY, by=carer
    )
    assert client.post(reverse("rota_printout_pdf", args=[printout.pk])).status_code == 405
