import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from journal.models import JournalNote
from tests.contacts.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def url(client):
    return reverse("journal_note_create", args=[client.pk])


def test_care_staff_write_a_note_and_return_to_the_clients_journal(
    client, carer, unit, client_on_unit
):
    client.force_login(carer)
    response = client.post(
        url(client_on_unit),
        {
            "unit": unit.pk,
            "event_date": "2025-02-20",
            "kind": "fok",
            "text": "  Möte hölls med brukaren och dottern.  ",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('journal_search')}?client={client_on_unit.pk}"
    note = JournalNote.objects.get()
    assert (note.kind, note.automatic, note.written_by) == ("fok", False, carer)
    assert note.text == "Möte hölls med brukaren och dottern."
    assert note.event_date == dt.date(2025, 2, 20)


def test_future_dates_and_empty_text_are_refused_in_swedish(client, carer, unit, client_on_unit):
    client.force_login(carer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    future = client.post(
        url(client_on_unit),
        {"unit": unit.pk, "event_date": tomorrow.isoformat(), "kind": "general", "text": "x"},
    )
    empty = client.post(
        url(client_on_unit),
        {"unit": unit.pk, "event_date": "2025-02-20", "kind": "general", "text": " "},
    )
    assert future.status_code == empty.status_code == 200
    assert "Händelsedatum kan inte vara i framtiden." in future.content.decode()
    assert "Detta fält måste fyllas i." in empty.content.decode()
    assert not JournalNote.objects.exists()


def test_a_note_cannot_be_filed_on_another_unit(client, carer, unit, other_unit, client_on_unit):
    ServiceFactory(client=client_on_unit, unit=other_unit)
    client.force_login(carer)
    response = client.post(
        url(client_on_unit),
        {"unit": other_unit.pk, "event_date": "2025-02-20", "kind": "general", "text": "x"},
    )
    assert response.status_code == 200
    assert not JournalNote.objects.exists()


def test_another_units_client_is_not_found(client, carer, other_unit):
    foreign = ServiceFactory(unit=other_unit).client
    client.force_login(carer)
    assert client.get(url(foreign)).status_code == 404
    assert client.post(url(foreign), {"text": "x"}).status_code == 404


def test_notes_cannot_be_changed_in_the_admin(admin_client, unit, client_on_unit):
    note = JournalNote.objects.create(
        client=client_on_unit, unit=unit, kind="general", event_date=dt.date(2025, 1, 1), text="a"
    )
    change_url = reverse("admin:journal_journalnote_change", args=[note.pk])
    response = admin_client.post(change_url, {"text": "ändrad"})
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.text == "a"
    delete_url = reverse("admin:journal_journalnote_delete", args=[note.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert JournalNote.objects.filter(pk=note.pk).exists()
