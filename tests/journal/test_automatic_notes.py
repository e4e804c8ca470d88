import datetime as dt

import pytest

from contacts import services
from contacts.models import CareContact, CareContactChange
from journal.models import JournalNote
from tests.contacts.factories import StaffFactory

pytestmark = pytest.mark.django_db

D = dt.date
Status = CareContact.Status


@pytest.fixture
def britta(unit):
    return StaffFactory(units=[unit], first_name="Britta", last_name="Söder", signature="brs89")


@pytest.fixture
def greta(unit):
    return StaffFactory(units=[unit], first_name="Greta", last_name="Olsson", signature="greal")


def change(client, unit, status, **kwargs):
    kwargs.setdefault("effective", D(2025, 2, 17))
    return services.care_contact_change(client=client, unit=unit, status=status, **kwargs)


def test_accepting_writes_one_note_naming_old_and_new_values_and_who(
    client_on_unit, unit, britta, greta, manager
):
    result = change(
        client_on_unit, unit, Status.ACCEPTED, ordinary=britta, deputy=greta, by=manager
    )

    # Two signals fire (status and contacts), but the change gets one note.
    note = JournalNote.objects.get()
    assert note.contact_change == result
    assert (note.kind, note.automatic, note.event_date) == ("fok", True, D(2025, 2, 17))
    assert note.unit == unit and note.written_by == manager
    assert note.text.splitlines() == [
        "Fast omsorgskontakt, Hemtjänst Norr, gäller från 2025-02-17.",
        "Status ändrad från ”Brukaren ej tillfrågad” till ”Brukaren tackar ja”.",
        "Ordinarie fast omsorgskontakt: Britta Söder (@brs89) (tidigare: ingen).",
        "Vice fast omsorgskontakt: Greta Olsson (@greal) (tidigare: ingen).",
        "Registrerat av Chef.",
    ]


def test_replacing_the_ordinary_names_the_previous_one(client_on_unit, unit, britta, greta):
    change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta)
    result = change(client_on_unit, unit, Status.ACCEPTED, ordinary=greta, effective=D(2025, 3, 1))

    assert JournalNote.objects.count() == 2
    text = JournalNote.objects.get(contact_change=result).text
    assert (
        "Ordinarie fast omsorgskontakt: Greta Olsson (@greal) (tidigare: Britta Söder (@brs89))."
        in text
    )
    assert "Status ändrad" not in text
    assert "Registrerat av systemet." in text


def test_declining_records_the_reason(client_on_unit, unit):
    change(client_on_unit, unit, Status.DECLINED, reason="Vill klara sig själv")
    text = JournalNote.objects.get().text
    assert "från ”Brukaren ej tillfrågad” till ”Brukaren tackar nej”" in text
    assert "Anledning: Vill klara sig själv" in text


def test_an_imported_change_says_so(client_on_unit, unit):
    change(client_on_unit, unit, Status.NO_NEED, source=CareContactChange.Source.IMPORT)
    assert "Registrerat av systemet (import)." in JournalNote.objects.get().text


def test_back_to_not_asked_with_a_contact_notes_the_removed_contact(client_on_unit, unit, britta):
    change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta)
    result = change(client_on_unit, unit, Status.NOT_ASKED, effective=D(2025, 4, 1))
    text = JournalNote.objects.get(contact_change=result).text
    assert "Ordinarie fast omsorgskontakt: ingen (tidigare: Britta Söder (@brs89))." in text


def test_saving_the_same_state_again_writes_no_note(client_on_unit, unit, britta):
    change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta)
    assert change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta) is None
    assert JournalNote.objects.count() == 1


def test_a_failing_note_rolls_the_contact_change_back(client_on_unit, unit, britta, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("journal down")

    monkeypatch.setattr("journal.receivers.journal_note_for_contact_change", broken)
    with pytest.raises(RuntimeError):
        change(client_on_unit, unit, Status.ACCEPTED, ordinary=britta)
    assert not CareContactChange.objects.exists()
    assert CareContact.objects.count() == 0
