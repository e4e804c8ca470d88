"""Importing staff and clients."""

import datetime as dt

import pytest

from contacts.models import Client, Staff
from contacts.personal_id import make_test_personnummer
from imports.importers import import_csv
from tests.contacts.factories import ClientFactory, UnitFactory

pytestmark = pytest.mark.django_db

PNR_1 = make_test_personnummer(dt.date(1941, 3, 5), 1, female=True)
PNR_2 = make_test_personnummer(dt.date(1987, 11, 20), 2, female=False)


def wrong_check_digit(pnr: str) -> str:
    return pnr[:-1] + str((int(pnr[-1]) + 1) % 10)


@pytest.fixture
def units():
    return UnitFactory(code="U1", name="Norr"), UnitFactory(code="U2", name="Söder")


STAFF = (
    "signature;first_name;last_name;title;units;fok_selectable;title_certificate_date;phone\n"
    "@brs89;Britta;Söder;undersköterska;U1 U2;ja;2023-01-15;070-111\n"
    "kal01;Kalle;Ek;Vårdbiträde;U2;nej;;\n"
)


def test_staff_file_creates_people_with_titles_units_and_defaults(units):
    result = import_csv("staff", STAFF)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)

    britta = Staff.objects.get(signature="brs89")  # stored without the "@"
    assert britta.title == Staff.Title.ASSISTANT_NURSE
    assert sorted(britta.units.values_list("code", flat=True)) == ["U1", "U2"]
    assert britta.fok_selectable is True
    assert britta.available is True  # default yes
    assert britta.permanent_on_2023_07_01 is False  # default no
    assert britta.title_certificate_date == dt.date(2023, 1, 15)
    assert britta.may_be_appointed(dt.date(2025, 1, 1))

    kalle = Staff.objects.get(signature="kal01")
    assert kalle.title == Staff.Title.CARE_AIDE
    assert kalle.title_certificate_date is None
    assert kalle.phone == ""


def test_every_title_word_maps_to_a_title(units):
    words = {
        "undersköterska": Staff.Title.ASSISTANT_NURSE,
        "vårdbiträde": Staff.Title.CARE_AIDE,
        "sjuksköterska": Staff.Title.NURSE,
        "arbetsterapeut": Staff.Title.OCCUPATIONAL_THERAPIST,
        "fysioterapeut": Staff.Title.PHYSIOTHERAPIST,
        "enhetschef": Staff.Title.UNIT_MANAGER,
        "samordnare": Staff.Title.COORDINATOR,
        "övrig": Staff.Title.OTHER,
    }
    lines = [f"s{i};A;B;{word};U1" for i, word in enumerate(words)]
    result = import_csv("staff", "signature;first_name;last_name;title;units\n" + "\n".join(lines))
    assert result.ok, result.errors
    assert [Staff.objects.get(signature=f"s{i}").title for i in range(8)] == list(words.values())


def test_staff_reimport_changes_nothing_and_changes_are_updates(units):
    import_csv("staff", STAFF)
    again = import_csv("staff", STAFF)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    moved = STAFF.replace("kal01;Kalle;Ek;Vårdbiträde;U2", "kal01;Kalle;Ek;Vårdbiträde;U1")
    result = import_csv("staff", moved)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert list(Staff.objects.get(signature="kal01").units.values_list("code", flat=True)) == ["U1"]


def test_a_column_left_out_keeps_the_stored_value(units):
    import_csv("staff", STAFF)
    result = import_csv(
        "staff",
        "signature;first_name;last_name;title;units\nbrs89;Britta;Söder;undersköterska;U1 U2\n",
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    britta = Staff.objects.get(signature="brs89")
    assert (britta.phone, britta.fok_selectable) == ("070-111", True)


def test_staff_personal_id_is_stored_in_canonical_form(units):
    short = PNR_2.replace("-", "")[2:]  # YYMMDDNNNC
    result = import_csv(
        "staff",
        f"signature,first_name,last_name,title,units,personal_id\nx1,A,B,övrig,U1,{short}\n",
    )
    assert result.ok, result.errors
    assert Staff.objects.get(signature="x1").personal_id == PNR_2


def test_bad_staff_rows_are_all_reported_and_nothing_is_written(units):
    data = (
        "signature;first_name;last_name;title;units;available;title_certificate_date;personal_id\n"
        "ok1;Anna;Berg;undersköterska;U1;ja;2023-01-15;\n"
        "bad1;Bo;Ek;kock;U9;kanske;15/01/2023;\n"
        f"bad2;Cia;Al;övrig;U1;ja;;{wrong_check_digit(PNR_2)}\n"
        "ok1;Dan;Ny;övrig;U1;;;\n"
    )
    result = import_csv("staff", data)
    assert result.errors == [
        "line 3: title: Okänt värde ”kock”; tillåtna värden: undersköterska, vårdbiträde, "
        "sjuksköterska, arbetsterapeut, fysioterapeut, enhetschef, samordnare, övrig.",
        "line 3: units: Okänd enhet ”U9”.",
        "line 3: available: ”kanske” är inget giltigt värde; använd ja/nej, yes/no, "
        "true/false eller 1/0.",
        "line 3: title_certificate_date: ”15/01/2023” är inget giltigt datum (ÅÅÅÅ-MM-DD).",
        f"line 4: personal_id: ”{wrong_check_digit(PNR_2)}” har fel kontrollsiffra.",
        "line 5: signature: Samma signature finns redan på rad 2 i filen.",
    ]
    assert Staff.objects.count() == 0


CLIENTS = (
    "customer_number;personal_id;first_name;last_name;phone\n"
    f"K1;{PNR_1};Agda;Testsson;08-123\n"
    f"K2;{PNR_2.replace('-', '')};Börje;Kvist;\n"
)


def test_clients_file_creates_clients_with_birth_date_from_the_personal_id():
    result = import_csv("clients", CLIENTS)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    agda = Client.objects.get(customer_number="K1")
    assert (agda.birth_date, agda.sex, agda.phone) == (dt.date(1941, 3, 5), "F", "08-123")
    borje = Client.objects.get(customer_number="K2")
    assert (borje.personal_id, borje.birth_date, borje.sex) == (
        PNR_2,
        dt.date(1987, 11, 20),
        "M",
    )


def test_clients_reimport_changes_nothing_and_an_edit_is_an_update():
    import_csv("clients", CLIENTS)
    again = import_csv("clients", CLIENTS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    edited = import_csv("clients", CLIENTS.replace("Agda;Testsson;08-123", "Agda;Testsson;08-999"))
    assert (edited.created, edited.updated, edited.unchanged) == (0, 1, 1)
    assert Client.objects.get(customer_number="K1").phone == "08-999"


def test_samordningsnummer_and_reservnummer_are_accepted():
    # Samordningsnummer: the day + 60, with a correct check digit.
    pnr = make_test_personnummer(dt.date(1950, 6, 7), 3, female=True)
    samordning = pnr[:6] + str(int(pnr[6:8]) + 60) + pnr[8:-1]
    from contacts.personal_id import luhn_check_digit

    samordning += str(luhn_check_digit(samordning[2:8] + samordning[9:12]))
    data = (
        "customer_number,personal_id,first_name,last_name\n"
        f"K1,{samordning},Sam,Ordning\n"
        "K2,19500607-TF01,Res,Erv\n"
    )
    result = import_csv("clients", data)
    assert result.ok, result.errors
    assert Client.objects.get(customer_number="K1").birth_date == dt.date(1950, 6, 7)
    assert Client.objects.get(customer_number="K2").birth_date == dt.date(1950, 6, 7)


def test_one_bad_client_row_means_no_client_is_written():
    bad = wrong_check_digit(PNR_2)
    data = CLIENTS + f"K3;{bad};Cilla;Fel;\n"
    result = import_csv("clients", data)
    assert result.errors == [f"line 4: personal_id: ”{bad}” har fel kontrollsiffra."]
    assert Client.objects.count() == 0


def test_a_personal_id_that_belongs_to_another_client_is_reported():
    ClientFactory(customer_number="K9", personal_id=PNR_1)
    result = import_csv("clients", CLIENTS)
    assert len(result.errors) == 1
    assert result.errors[0].startswith("line 2: personal_id: ")
    assert Client.objects.count() == 1
