"""FOK statistics search (handbook 1.8) and `manage.py fok_statistics`.

Every expectation below is computed by hand from the fixture, with the date
D = 2025-06-15."""

import datetime as dt
import json
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from contacts import services
from contacts.models import Unit
from contacts.personal_id import make_test_personnummer
from contacts.roles import Role
from reports.fok_statistics import CHANGED_LAST_YEAR, fok_statistics, year_before
from tests.contacts.factories import ClientFactory, ServiceFactory, StaffFactory, make_user
from tests.jobs.helpers import pdf_from_job

D = dt.date(2025, 6, 15)
_serial = iter(range(1000))


def make_client(
    first, last, birth, unit, *, start=dt.date(2024, 1, 1), end=None, number=None, pid=None
):
    client = ClientFactory(
        first_name=first,
        last_name=last,
        personal_id=pid or make_test_personnummer(birth, next(_serial), female=True),
        **({"customer_number": number} if number else {}),
    )
    ServiceFactory(client=client, unit=unit, start=start, end=end)
    return client


def change(client, unit, status, effective, ordinary=None, deputy=None):
    return services.care_contact_change(
        client=client,
        unit=unit,
        status=status,
        ordinary=ordinary,
        deputy=deputy,
        effective=effective,
    )


@pytest.fixture
def staff(unit):
    return {
        "brs": StaffFactory(
            units=[unit], first_name="Britta", last_name="Söder", signature="brs89"
        ),
        "ann": StaffFactory(
            units=[unit], first_name="Annika", last_name="Oberg", signature="ann64"
        ),
        "gre": StaffFactory(
            units=[unit], first_name="Greta", last_name="Olsson", signature="greal"
        ),
    }


@pytest.fixture
def population(unit, staff):
    """Six clients on U1 (one of them gone before D) and one on U2."""
    brs, ann = staff["brs"], staff["ann"]
    # Turns 65 exactly on D: counts as 65 or older.
    eva = make_client("Eva", "Sandgreen", dt.date(1960, 6, 15), unit, number="6016254")
    change(eva, unit, "accepted", dt.date(2025, 2, 1), ordinary=brs)
    # Turns 65 the day after D: under 65.
    gullan = make_client("Gullan", "Trygg", dt.date(1960, 6, 16), unit, number="10002573")
    change(gullan, unit, "accepted", dt.date(2025, 3, 1), ordinary=brs, deputy=ann)
    # Accepted on D; declines only after D, which does not count.
    irma = make_client("Irma", "Flådig", dt.date(1939, 1, 21), unit, number="10001979")
    change(irma, unit, "accepted", dt.date(2025, 1, 10), ordinary=ann)
    change(irma, unit, "declined", dt.date(2025, 7, 1))
    # Never asked: no change at all.
    bertil = make_client("Bertil", "Grönare", dt.date(1952, 2, 20), unit, number="10002147")
    # Declined before D.
    karl = make_client(
        "Karl", "Kula", dt.date(1931, 4, 21), unit, number="6000003", pid="19310421-9872"
    )
    change(karl, unit, "accepted", dt.date(2025, 1, 5), ordinary=brs)
    change(karl, unit, "declined", dt.date(2025, 4, 1))
    # Accepted, but the service ended before D: not on the unit on D.
    alma = make_client(
        "Alma", "Armbrott", dt.date(1938, 8, 2), unit, end=dt.date(2025, 5, 31), number="10003005"
    )
    change(alma, unit, "accepted", dt.date(2025, 1, 1), ordinary=brs)
    return {"eva": eva, "gullan": gullan, "irma": irma, "bertil": bertil, "karl": karl}


def test_accepted_counts_age_on_the_date_and_status_as_of_the_date(unit, population):
    result = fok_statistics(unit, "accepted", D)

    # Eva (65 on D), Irma (86); Gullan is 64 on D. Alma's service ended.
    assert [c.name for c in result.clients] == ["Eva Sandgreen", "Gullan Trygg", "Irma Flådig"]
    assert (result.age_65_plus, result.under_65) == (2, 1)


def test_staff_table_counts_ordinary_deputy_and_total(unit, population):
    result = fok_statistics(unit, "accepted", D)

    assert [row.as_json() for row in result.staff] == [
        # Annika: ordinary for Irma, deputy for Gullan.
        {
            "signature": "ann64",
            "name": "Annika Oberg",
            "ordinary": 1,
            "deputy": 1,
            "total": 2,
            "clients": ["10002573", "10001979"],
        },
        # Britta: ordinary for Eva and Gullan (not Alma, whose service ended).
        {
            "signature": "brs89",
            "name": "Britta Söder",
            "ordinary": 2,
            "deputy": 0,
            "total": 2,
            "clients": ["6016254", "10002573"],
        },
    ]


def test_names_starting_with_a_ring_a_umlaut_o_umlaut_come_after_z(unit):
    """Swedish order: Å, Ä, Ö after every name in Z, not between "Z" and "Zo"."""
    zelda = StaffFactory(units=[unit], first_name="Zelda", last_name="Berg", signature="zel1")
    osten = StaffFactory(units=[unit], first_name="Östen", last_name="Ek", signature="ost1")
    for first, ordinary in [
        ("Örjan", osten),
        ("Åke", zelda),
        ("Zoran", osten),
        ("Ärla", zelda),
        ("Anna", zelda),
    ]:
        person = make_client(first, "Lind", dt.date(1940, 1, 1), unit)
        change(person, unit, "accepted", dt.date(2025, 1, 10), ordinary=ordinary)

    result = fok_statistics(unit, "accepted", D)

    assert [c.name for c in result.clients] == [
        "Anna Lind",
        "Zoran Lind",
        "Åke Lind",
        "Ärla Lind",
        "Örjan Lind",
    ]
    assert [(s.name, [c.name for c in s.clients]) for s in result.staff] == [
        ("Zelda Berg", ["Anna Lind", "Åke Lind", "Ärla Lind"]),
        ("Östen Ek", ["Zoran Lind", "Örjan Lind"]),
    ]


def test_names_equal_but_for_case_are_ordered_by_number_and_signature(unit):
    """statistics.md: case-insensitive name order, then customer number / signature."""
    upper = StaffFactory(units=[unit], first_name="Britt", last_name="Ek", signature="bri2")
    lower = StaffFactory(units=[unit], first_name="Britt", last_name="ek", signature="bri1")
    for number, last, ordinary in [("K2", "Lind", upper), ("K1", "lind", lower)]:
        person = make_client("Anna", last, dt.date(1940, 1, 1), unit, number=number)
        change(person, unit, "accepted", dt.date(2025, 1, 10), ordinary=ordinary)

    result = fok_statistics(unit, "accepted", D)

    assert [(c.customer_number, c.name) for c in result.clients] == [
        ("K1", "Anna lind"),
        ("K2", "Anna Lind"),
    ]
    assert [(s.signature, s.name) for s in result.staff] == [
        ("bri1", "Britt ek"),
        ("bri2", "Britt Ek"),
    ]


def test_the_json_is_exactly_the_documented_shape(unit, population):
    assert fok_statistics(unit, "declined", D).as_json() == {
        "unit": "U1",
        "status": "declined",
        "date": "2025-06-15",
        "age_65_plus": 1,
        "under_65": 0,
        "clients": [
            {"customer_number": "6000003", "name": "Karl Kula", "personal_id": "19310421-9872"}
        ],
        "staff": [],
    }


def test_not_asked_includes_clients_without_any_change(unit, population):
    result = fok_statistics(unit, "not_asked", D)

    assert [c.customer_number for c in result.clients] == ["10002147"]  # Bertil
    assert result.staff == []
    assert fok_statistics(unit, "no_need", D).clients == []


def test_a_later_date_sees_the_later_change(unit, population):
    later = dt.date(2025, 7, 1)
    declined = fok_statistics(unit, "declined", later)
    assert [c.name for c in declined.clients] == ["Irma Flådig", "Karl Kula"]
    # Before Karl's decline took effect he was accepted.
    accepted = fok_statistics(unit, "accepted", dt.date(2025, 3, 31))
    assert "Karl Kula" in [c.name for c in accepted.clients]


def test_a_client_with_a_change_but_no_ongoing_service_is_left_out(unit, population):
    assert "Alma Armbrott" not in [c.name for c in fok_statistics(unit, "accepted", D).clients]
    # On a day the service ran she counts.
    before = fok_statistics(unit, "accepted", dt.date(2025, 5, 31))
    assert "Alma Armbrott" in [c.name for c in before.clients]


def test_all_units_lists_a_client_on_two_units_once(unit, other_unit, population, staff):
    eva = population["eva"]
    ServiceFactory(client=eva, unit=other_unit, start=dt.date(2024, 1, 1))
    greta = staff["gre"]
    greta.units.add(other_unit)
    change(eva, other_unit, "accepted", dt.date(2025, 2, 1), ordinary=greta)
    on_u2 = make_client("Olle", "Annan", dt.date(1990, 1, 1), other_unit, number="7000001")
    change(on_u2, other_unit, "accepted", dt.date(2025, 2, 1), ordinary=greta)

    result = fok_statistics(None, "accepted", D)

    names = [c.name for c in result.clients]
    assert names == ["Eva Sandgreen", "Gullan Trygg", "Irma Flådig", "Olle Annan"]
    assert (result.age_65_plus, result.under_65) == (2, 2)
    assert result.as_json()["unit"] is None
    greta_row = result.staff_by_signature("greal")
    assert (greta_row.ordinary, greta_row.deputy, greta_row.total) == (2, 0, 2)
    assert result.clients[0].units == ["U1", "U2"]


def test_units_argument_limits_all_units_to_those_given(unit, other_unit, population):
    make_client("Olle", "Annan", dt.date(1990, 1, 1), other_unit)

    only_mine = fok_statistics(None, "not_asked", D, units=Unit.objects.filter(pk=unit.pk))
    assert [c.name for c in only_mine.clients] == ["Bertil Grönare"]
    everywhere = fok_statistics(None, "not_asked", D)
    assert [c.name for c in everywhere.clients] == ["Bertil Grönare", "Olle Annan"]


# --- changed_last_year ------------------------------------------------------------


@pytest.fixture
def changes(unit, staff):
    brs, ann, gre = staff["brs"], staff["ann"], staff["gre"]
    clients = {}

    def client(key, number):
        clients[key] = make_client(key.title(), "Test", dt.date(1940, 1, 1), unit, number=number)
        return clients[key]

    # Britta → Annika 11 months before D: counted.
    c = client("elva", "1")
    change(c, unit, "accepted", dt.date(2024, 1, 1), ordinary=brs)
    change(c, unit, "accepted", dt.date(2024, 7, 15), ordinary=ann, deputy=gre)
    # Britta → Annika 13 months before D: not counted.
    c = client("tretton", "2")
    change(c, unit, "accepted", dt.date(2024, 1, 1), ordinary=brs)
    change(c, unit, "accepted", dt.date(2024, 5, 15), ordinary=ann)
    # Exactly one year before D: outside (D − 1 year, D].
    c = client("exakt", "3")
    change(c, unit, "accepted", dt.date(2024, 1, 1), ordinary=brs)
    change(c, unit, "accepted", dt.date(2024, 6, 15), ordinary=ann)
    # The day after: inside.
    c = client("dagen", "4")
    change(c, unit, "accepted", dt.date(2024, 1, 1), ordinary=brs)
    change(c, unit, "accepted", dt.date(2024, 6, 16), ordinary=gre)
    # None → Britta (first appointment): not a change of contact.
    c = client("ny", "5")
    change(c, unit, "accepted", dt.date(2025, 1, 1), ordinary=brs)
    # Only the deputy changed: not counted.
    c = client("vice", "6")
    change(c, unit, "accepted", dt.date(2024, 1, 1), ordinary=brs, deputy=ann)
    change(c, unit, "accepted", dt.date(2025, 2, 1), ordinary=brs, deputy=gre)
    # Britta → Annika, then declined: counted, but no contact in force on D.
    c = client("nej", "7")
    change(c, unit, "accepted", dt.date(2024, 1, 1), ordinary=brs)
    change(c, unit, "accepted", dt.date(2024, 9, 1), ordinary=ann)
    change(c, unit, "declined", dt.date(2025, 3, 1))
    # A replacement after D does not count on D.
    c = client("sen", "8")
    change(c, unit, "accepted", dt.date(2024, 1, 1), ordinary=brs)
    change(c, unit, "accepted", dt.date(2025, 6, 16), ordinary=ann)
    return clients


def test_year_before_handles_leap_day():
    assert year_before(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert year_before(D) == dt.date(2024, 6, 15)


def test_changed_last_year_counts_replacements_inside_the_year(unit, changes):
    result = fok_statistics(unit, CHANGED_LAST_YEAR, D)

    assert [c.customer_number for c in result.clients] == ["4", "1", "7"]  # Dagen, Elva, Nej
    assert (result.age_65_plus, result.under_65) == (3, 0)
    # Contacts in force on D for those clients: Elva has Annika + Greta,
    # Dagen has Greta, Nej has none any more.
    assert [row.as_json() for row in result.staff] == [
        {
            "signature": "ann64",
            "name": "Annika Oberg",
            "ordinary": 1,
            "deputy": 0,
            "total": 1,
            "clients": ["1"],
        },
        {
            "signature": "greal",
            "name": "Greta Olsson",
            "ordinary": 1,
            "deputy": 1,
            "total": 2,
            "clients": ["4", "1"],
        },
    ]


def test_changed_last_year_a_day_later_includes_the_later_replacement(unit, changes):
    result = fok_statistics(unit, CHANGED_LAST_YEAR, dt.date(2025, 6, 16))
    # Dagen (2024-06-16) is now exactly a year back and drops out; Sen joins.
    assert [c.customer_number for c in result.clients] == ["1", "7", "8"]


# --- query count --------------------------------------------------------------------


def _bulk(unit, staff, n):
    for i in range(n):
        c = make_client(f"K{i:02d}", "Bulk", dt.date(1950, 1, 1) + dt.timedelta(days=i), unit)
        change(c, unit, "accepted", dt.date(2024, 1, 1), ordinary=staff["brs"])
        change(c, unit, "accepted", dt.date(2025, 1, 1), ordinary=staff["ann"], deputy=staff["gre"])


@pytest.mark.parametrize("status", ["accepted", CHANGED_LAST_YEAR, "not_asked"])
def test_query_count_does_not_grow_with_the_number_of_clients(unit, staff, status):
    _bulk(unit, staff, 3)
    with CaptureQueriesContext(connection) as small:
        assert len(fok_statistics(unit, status, D).clients) in (0, 3)
    _bulk(unit, staff, 27)
    with CaptureQueriesContext(connection) as large:
        result = fok_statistics(unit, status, D)
    assert len(large.captured_queries) == len(small.captured_queries) <= 5
    if status != "not_asked":
        assert len(result.clients) == 30
        assert result.staff_by_signature("ann64").total == 30


# --- the command --------------------------------------------------------------------


def run(*args):
    out = StringIO()
    call_command("fok_statistics", *args, stdout=out)
    return out.getvalue()


def test_command_prints_the_json(unit, population):
    data = json.loads(
        run("--unit", "U1", "--status", "accepted", "--date", "2025-06-15", "--format", "json")
    )
    assert data["unit"] == "U1"
    assert (data["age_65_plus"], data["under_65"]) == (2, 1)
    assert [s["signature"] for s in data["staff"]] == ["ann64", "brs89"]
    assert data == fok_statistics(unit, "accepted", D).as_json()


def test_command_accepts_the_swedish_label_and_writes_a_file(unit, population, tmp_path):
    target = tmp_path / "ut.json"
    out = run(
        "--unit",
        "U1",
        "--status",
        "Brukaren tackar nej",
        "--date",
        "2025-06-15",
        "--format",
        "json",
        "--output",
        str(target),
    )
    assert out == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["status"] == "declined"
    assert [c["name"] for c in data["clients"]] == ["Karl Kula"]


def test_command_csv_has_one_row_per_client(unit, population):
    lines = run(
        "--unit", "U1", "--status", "accepted", "--date", "2025-06-15", "--format", "csv"
    ).splitlines()
    assert lines[0] == (
        "Enhetskod;Enhet;Status;Datum;Kundnummer;Brukare;Personnummer;Ålder;65 år och äldre;"
        "Ordinarie;Vice"
    )
    gullan = population["gullan"]
    assert lines[2] == (
        "U1;Hemtjänst Norr;Brukaren tackar ja;2025-06-15;10002573;Gullan Trygg;"
        f"{gullan.personal_id};64;nej;brs89;ann64"
    )
    assert len(lines) == 4


def test_command_table_is_readable(unit, population):
    text = run("--unit", "U1", "--status", "accepted", "--date", "2025-06-15")
    assert "65 år och äldre: 2    Under 65 år: 1" in text
    assert "Britta Söder (@brs89)" in text
    staff_line = next(line for line in text.splitlines() if line.startswith("Britta"))
    assert staff_line.split()[3:7] == ["2", "0", "2", "6016254"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--unit", "NOPE", "--status", "accepted", "--date", "2025-06-15"], "Okänd enhet"),
        (["--status", "maybe", "--date", "2025-06-15"], "Okänd eller saknad status"),
        (["--status", "accepted", "--date", "2025-13-01"], "inget giltigt datum"),
        (["--status", "accepted", "--date", "15/6 2025"], "inget giltigt datum"),
        (["--status", "accepted"], "Ange --date"),
        (["--status", "accepted", "--date", "2025-06-15", "--format", "xml"], "Okänt format"),
    ],
)
def test_command_rejects_bad_input_with_exit_status_1(unit, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
    assert error.value.returncode == 1


# --- the page -----------------------------------------------------------------------


@pytest.fixture
def reader(unit):
    return make_user("statistik", role=Role.STATISTICS, units=[unit])


def page_params(**extra):
    return {"status": "accepted", "datum": "2025-06-15", "enhet": "U1", **extra}


def test_the_page_shows_counts_and_the_staff_table(client, reader, population):
    client.force_login(reader)
    response = client.get(reverse("fok_statistics"), page_params())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="age-65-plus">2<' in html
    assert 'data-testid="under-65">1<' in html
    assert "Annika Oberg" in html and "Britta Söder" in html
    # Rows are closed until opened: no client table under a staff member.
    assert 'id="clients-brs89"' not in html


def test_a_staff_row_opens_without_javascript_and_with_htmx(client, reader, population):
    client.force_login(reader)
    plain = client.get(reverse("fok_statistics"), page_params(visa="brs89"))
    assert 'id="clients-brs89"' in plain.content.decode()
    assert 'id="clients-ann64"' not in plain.content.decode()

    partial = client.get(
        reverse("fok_statistics"),
        page_params(visa="brs89"),
        headers={"HX-Request": "true", "HX-Target": "staff-brs89"},
    )
    html = partial.content.decode()
    assert html.lstrip().startswith('<tbody id="staff-brs89"')
    assert "Eva Sandgreen" in html and "Gullan Trygg" in html
    assert "Irma Flådig" not in html


def test_the_other_statuses_list_the_clients(client, reader, population):
    client.force_login(reader)
    response = client.get(reverse("fok_statistics"), page_params(status="not_asked"))
    html = response.content.decode()
    assert "Bertil Grönare" in html
    assert 'data-testid="staff-table"' not in html


def test_missing_status_and_date_give_swedish_errors(client, reader):
    client.force_login(reader)
    html = client.get(reverse("fok_statistics"), {"status": "", "datum": ""}).content.decode()
    assert "Välj en status." in html
    assert "Ange ett datum." in html
    html = client.get(
        reverse("fok_statistics"), {"status": "accepted", "datum": "15/6"}
    ).content.decode()
    assert "Ange datumet som ÅÅÅÅ-MM-DD." in html


def test_all_my_units_leaves_out_units_that_are_not_mine(client, reader, population, other_unit):
    make_client("Olle", "Annan", dt.date(1990, 1, 1), other_unit)
    client.force_login(reader)
    response = client.get(reverse("fok_statistics"), page_params(status="not_asked", enhet=""))
    names = [c.name for c in response.context["result"].clients]
    assert names == ["Bertil Grönare"]


def test_all_of_many_units_shows_the_counts_and_leaves_the_lists_to_the_files(
    client, unit, other_unit, population, monkeypatch
):
    """Over more units than a page shows together, the page gives the counts
    and points to the CSV file and the PDF, which still list everyone; the
    page itself lists no one, so it logs no read of personal data."""
    from audit.models import AccessLogEntry

    monkeypatch.setattr("reports.views.output.PAGE_UNITS", 1)
    reader = make_user("statistik", role=Role.STATISTICS, units=[unit, other_unit])
    client.force_login(reader)
    logged = AccessLogEntry.objects.count()
    response = client.get(reverse("fok_statistics"), page_params(enhet="", visa="alla"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="age-65-plus">2<' in html and 'data-testid="under-65">1<' in html
    assert 'data-testid="fok-lists-in-files"' in html and "de 3 brukarna" in html
    assert "Alla mina enheter (2 enheter)" in html
    assert 'data-testid="staff-table"' not in html
    assert "Annika Oberg" not in html and "Irma Flådig" not in html
    assert AccessLogEntry.objects.count() == logged
    # Nor does a staff member's row asked for with htmx: no list, nothing read.
    row = client.get(
        reverse("fok_statistics"),
        page_params(enhet="", visa="brs89"),
        headers={"HX-Request": "true", "HX-Target": "staff-brs89"},
    ).content.decode()
    assert "Irma Flådig" not in row and "Eva Sandgreen" not in row
    assert AccessLogEntry.objects.count() == logged
    csv = client.get(reverse("fok_statistics"), page_params(enhet="", format="csv"))
    assert "Irma Flådig" in csv.content.decode("utf-8")
    # One unit: the lists as ever.
    one = client.get(reverse("fok_statistics"), page_params()).content.decode()
    assert 'data-testid="staff-table"' in one and 'data-testid="fok-lists-in-files"' not in one


def test_another_units_code_gives_404_and_no_permission_gives_403(
    client, reader, carer, other_unit
):
    client.force_login(reader)
    assert client.get(reverse("fok_statistics"), page_params(enhet="U2")).status_code == 404
    client.force_login(carer)
    assert client.get(reverse("fok_statistics")).status_code == 403
    assert client.get(reverse("fok_statistics_csv"), page_params()).status_code == 403


def test_the_csv_download_is_the_same_data(client, reader, unit, population):
    client.force_login(reader)
    response = client.get(reverse("fok_statistics_csv"), page_params())
    assert response["Content-Disposition"] == (
        'attachment; filename="fok-statistik-U1-accepted-2025-06-15.csv"'
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # so Swedish Excel reads UTF-8
    assert body.lstrip("\ufeff") == fok_statistics(unit, "accepted", D).as_csv()


def test_the_pdf_lists_staff_and_clients(client, reader, population):
    client.force_login(reader)
    response = pdf_from_job(client, reverse("fok_statistics"), page_params())
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert "Britta Söder (@brs89)" in text
    assert "Gullan Trygg" in text
    assert "Brukaren tackar ja" in text


def test_imported_csv_files_give_the_expected_json(db, tmp_path):
    """The way scripts use it: import the CSV files, then ask for the JSON."""
    eva = make_test_personnummer(dt.date(1951, 10, 21), 0, female=True)
    gullan = make_test_personnummer(dt.date(1960, 6, 16), 1, female=True)
    irma = make_test_personnummer(dt.date(1939, 1, 21), 2, female=True)
    files = {
        "units": "code;name\nN1;Hemtjänst Norr\n",
        "staff": (
            "signature;first_name;last_name;title;units;fok_selectable;title_certificate_date\n"
            "brs89;Britta;Söder;undersköterska;N1;ja;2020-01-01\n"
            "ann64;Annika;Oberg;undersköterska;N1;ja;2020-01-01\n"
        ),
        "clients": (
            "customer_number;personal_id;first_name;last_name\n"
            f"6016254;{eva};Eva;Sandgreen\n"
            f"10002573;{gullan};Gullan;Trygg\n"
            f"10001979;{irma};Irma;Flådig\n"
        ),
        "services": (
            "customer_number;unit;kind;start;end\n"
            "6016254;N1;personal_care;2024-01-01;\n"
            "10002573;N1;personal_care;2024-01-01;\n"
            "10001979;N1;personal_care;2024-01-01;2025-05-31\n"
        ),
        "contacts": (
            "customer_number;unit;status;ordinary;deputy;effective\n"
            "6016254;N1;accepted;@brs89;;2024-03-01\n"
            "6016254;N1;accepted;@ann64;@brs89;2024-09-01\n"
            "10002573;N1;accepted;brs89;ann64;2024-03-01\n"
            "10001979;N1;accepted;brs89;;2024-03-01\n"
        ),
    }
    for kind, text in files.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        call_command("import_csv", kind, str(path), stdout=StringIO())

    accepted = json.loads(
        run("--unit", "N1", "--status", "accepted", "--date", "2025-06-15", "--format", "json")
    )
    assert accepted == {
        "unit": "N1",
        "status": "accepted",
        "date": "2025-06-15",
        "age_65_plus": 1,
        "under_65": 1,
        "clients": [
            {
                "customer_number": "6016254",
                "name": "Eva Sandgreen",
                "personal_id": eva,
            },
            {
                "customer_number": "10002573",
                "name": "Gullan Trygg",
                "personal_id": gullan,
            },
        ],
        "staff": [
            {
                "signature": "ann64",
                "name": "Annika Oberg",
                "ordinary": 1,
                "deputy": 1,
                "total": 2,
                "clients": ["6016254", "10002573"],
            },
            {
                "signature": "brs89",
                "name": "Britta Söder",
                "ordinary": 1,
                "deputy": 1,
                "total": 2,
                "clients": ["6016254", "10002573"],
            },
        ],
    }
    changed = json.loads(
        run(
            "--unit",
            "N1",
            "--status",
            "changed_last_year",
            "--date",
            "2025-06-15",
            "--format",
            "json",
        )
    )
    assert [c["customer_number"] for c in changed["clients"]] == ["6016254"]
    assert [(s["signature"], s["ordinary"], s["deputy"]) for s in changed["staff"]] == [
        ("ann64", 1, 0),
        ("brs89", 0, 1),
    ]


@pytest.mark.django_db
def test_a_contact_history_without_any_service_on_the_unit_is_trusted():
    """A file of contacts imported without services still counts; a client
    whose services on the unit have ended does not."""
    unit = Unit.objects.create(code="NS", name="Utan insatser")
    nurse = StaffFactory(units=[unit])
    only_history = ClientFactory(
        personal_id=make_test_personnummer(dt.date(1940, 1, 1), 1, female=True)
    )
    ended = ClientFactory(personal_id=make_test_personnummer(dt.date(1970, 1, 1), 2, female=False))
    ServiceFactory(client=ended, unit=unit, start=dt.date(2024, 1, 1), end=dt.date(2025, 1, 31))
    for person in (only_history, ended):
        services.care_contact_change(
            client=person,
            unit=unit,
            status="accepted",
            ordinary=nurse,
            effective=dt.date(2025, 1, 10),
        )

    result = fok_statistics(unit, "accepted", D).as_json()

    assert [c["customer_number"] for c in result["clients"]] == [only_history.customer_number]
    assert (result["age_65_plus"], result["under_65"]) == (1, 0)
    assert result["staff"][0]["clients"] == [only_history.customer_number]


def test_the_csv_for_all_units_names_each_clients_unit(unit, population):
    lines = fok_statistics(None, "accepted", D).as_csv().splitlines()
    assert len(lines) > 1
    assert all(line.startswith("U1;Hemtjänst Norr;") for line in lines[1:])


def test_several_units_read_the_same_rows_as_one(unit, population):
    # Over several units the query is planned for thousands of rows (hash
    # joins); one unit's few are read by index. The rows are the same.
    one = fok_statistics(unit, "accepted", D)
    several = fok_statistics(None, "accepted", D, Unit.objects.filter(pk=unit.pk))
    assert [c.as_json() for c in several.clients] == [c.as_json() for c in one.clients]
    assert [s.as_json() for s in several.staff] == [s.as_json() for s in one.staff]
    assert len(one.clients) == 3 and one.staff


@pytest.mark.parametrize("status", ["accepted", CHANGED_LAST_YEAR, "not_asked"])
def test_the_population_on_the_boundaries_of_a_service(db, status):
    """Handbook 1.3: a service counts from its first day to its last, both
    included; a service that begins the day after D, or ended the day before,
    leaves the client out, unless another service on the unit is ongoing."""
    unit = Unit.objects.create(code="GR", name="Gränser")
    first, second = StaffFactory(units=[unit]), StaffFactory(units=[unit])
    people = {}
    for serial, (name, spans) in enumerate(
        {
            "starts_on_d": [(D, None)],
            "ends_on_d": [(dt.date(2024, 1, 1), D)],
            "starts_after_d": [(D + dt.timedelta(days=1), None)],
            "ended_before_d": [(dt.date(2024, 1, 1), D - dt.timedelta(days=1))],
            "ended_and_ongoing": [(dt.date(2024, 1, 1), dt.date(2024, 6, 30)), (D, D)],
        }.items()
    ):
        person = ClientFactory(
            customer_number=f"GR{serial}",
            personal_id=make_test_personnummer(dt.date(1940, 1, 1), serial + 1, female=True),
        )
        for start, end in spans:
            ServiceFactory(client=person, unit=unit, start=start, end=end)
        if status != "not_asked":
            # The ordinary replaced inside the year: accepted and changed both.
            change(person, unit, "accepted", dt.date(2024, 1, 1), ordinary=first)
            change(person, unit, "accepted", dt.date(2025, 1, 1), ordinary=second)
        people[name] = person.customer_number

    found = [c.customer_number for c in fok_statistics(unit, status, D).clients]
    everywhere = [c.customer_number for c in fok_statistics(None, status, D).clients]

    expected = sorted(people[n] for n in ("starts_on_d", "ends_on_d", "ended_and_ongoing"))
    assert sorted(found) == sorted(everywhere) == expected
