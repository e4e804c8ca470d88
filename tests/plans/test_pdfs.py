"""The printed plan and the letter to the client, read back with pypdf."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from contacts import services as contact_services
from contacts.models import Staff
from tests.contacts.factories import ServiceFactory, StaffFactory
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

D = dt.date


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text), reader


@pytest.fixture
def agda(unit):
    return ServiceFactory(
        unit=unit,
        client__first_name="Agda",
        client__last_name="Testsson",
        client__address="Storgatan 1, 123 45 Norrby",
        client__other_information="Hund i hemmet",
    ).client


@pytest.fixture
def britta(unit):
    return StaffFactory(
        units=[unit],
        first_name="Britta",
        last_name="Söder",
        phone="0701-236549",
        email="britta@example.org",
        signature="brs89",
    )


@pytest.fixture
def greta(unit):
    return StaffFactory(
        units=[unit], first_name="Greta", last_name="Olsson", phone="0701-236542", signature="greal"
    )


def test_the_printed_plan_has_the_fields_of_handbook_1_7(client, carer, unit, agda, britta, greta):
    contact_services.care_contact_change(
        client=agda, unit=unit, status="accepted", ordinary=britta, deputy=greta
    )
    plan = PlanFactory(
        client=agda,
        unit=unit,
        period_start=D(2025, 2, 17),
        important_information="Rullator vid alla förflyttningar",
        participation_comment="Sökte själv",
        follow_up_date=D(2025, 8, 17),
    )
    client.force_login(carer)
    text, reader = pdf_text(client.get(reverse("plan_print", args=[plan.pk])))

    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    for expected in [
        "Genomförandeplan",
        "Agda Testsson",
        "Period 2025-02-17 – tillsvidare",
        "Viktig information Rullator vid alla förflyttningar",
        "Upprättad 2025-02-17",
        "Ja, brukaren har varit delaktig",
        "Kommentar brukarens delaktighet Sökte själv",
        "Uppföljning 2025-08-17",
        "Fast omsorgskontakt Britta Söder, 0701-236549, britta@example.org",
        "Vice fast omsorgskontakt Greta Olsson, 0701-236542",
        "Hund i hemmet",
    ]:
        assert expected in text, expected


def test_the_letter_names_the_contacts_the_role_and_whom_to_call(
    client, carer, unit, agda, britta, greta
):
    StaffFactory(
        units=[unit],
        first_name="Susanne",
        last_name="Chef",
        title=Staff.Title.UNIT_MANAGER,
        phone="0470-123 45",
    )
    contact_services.care_contact_change(
        client=agda, unit=unit, status="accepted", ordinary=britta, deputy=greta
    )
    client.force_login(carer)
    text, reader = pdf_text(client.get(reverse("contact_letter", args=[agda.pk, unit.pk])))

    assert len(reader.pages) == 1
    assert "Utskrivet" not in text  # a letter, not a report
    for expected in [
        "Din fasta omsorgskontakt",
        "Agda Testsson",
        "Storgatan 1, 123 45 Norrby",
        "Hej Agda!",
        "Britta Söder, undersköterska",
        "Telefon 0701-236549",
        "Greta Olsson",
        "Telefon 0701-236542",
        "Trygghet",
        "Kontinuitet",
        "Individanpassning",
        "Samordning",
        "både din och dina anhörigas kontakt",
        "byta till en annan fast omsorgskontakt",
        "Kontakta då Hemtjänst Norr och enhetschef Susanne Chef, telefon 0470-123 45",
    ]:
        assert expected in text, expected


def test_no_letter_before_the_client_has_accepted(client, carer, unit, agda):
    contact_services.care_contact_change(client=agda, unit=unit, status="declined", reason="Nej")
    client.force_login(carer)
    response = client.get(reverse("contact_letter", args=[agda.pk, unit.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "kan bara skrivas ut när brukaren har tackat ja" in body
    assert "Brukaren tackar nej" in body


def test_no_letter_for_another_unit(client, carer, unit, other_unit, agda):
    client.force_login(carer)
    assert client.get(reverse("contact_letter", args=[agda.pk, other_unit.pk])).status_code == 404
    foreign = ServiceFactory(unit=other_unit).client
    assert client.get(reverse("contact_letter", args=[foreign.pk, unit.pk])).status_code == 404


def test_the_letter_gives_the_units_phone_when_recorded(client, carer, unit, agda, britta):
    unit.phone = "0470-400 00"
    unit.save()
    contact_services.care_contact_change(client=agda, unit=unit, status="accepted", ordinary=britta)
    client.force_login(carer)
    text, _reader = pdf_text(client.get(reverse("contact_letter", args=[agda.pk, unit.pk])))
    assert "ringa enheten på 0470-400 00" in " ".join(text.split())
