import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from contacts.models import Unit, Visit
from tests.reports.continuity_data import appoint, at, client, kpi_example, staff
from tests.reports.continuity_data import visit as make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixture(unit):
    """Two clients on U1 in February 2025.

    K1: ordinary ord1 (deputy dep1) from 5 February; visits ord1 (3rd, before the
    appointment), ord1, dep1, ord1 + oth1 (double), oth1; one cancelled, one alarm.
    K2: no contact; oth1 twice, a visit without staff."""
    ord1, dep1, oth1 = staff(unit, "ord1"), staff(unit, "dep1"), staff(unit, "oth1")
    k1 = client(unit, "Anna", "Ek", "K1", born=dt.date(1940, 1, 1), serial=2)
    k2 = client(unit, "Bo", "Ek", "K2", born=dt.date(1950, 1, 1), serial=3)
    appoint(k1, unit, ord1, dep1, effective=dt.date(2025, 2, 5))
    make_visit(k1, unit, at(3), [ord1])
    make_visit(k1, unit, at(5), [ord1])
    make_visit(k1, unit, at(6), [dep1])
    make_visit(k1, unit, at(7), [ord1, oth1])
    make_visit(k1, unit, at(8), [oth1])
    make_visit(k1, unit, at(9), [ord1], status=Visit.Status.CANCELLED)
    make_visit(k1, unit, at(10), [oth1], kind=Visit.Kind.ALARM)
    make_visit(k2, unit, at(3), [oth1])
    make_visit(k2, unit, at(4), [oth1])
    make_visit(k2, unit, at(5), [])


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_json_output_equals_the_hand_computed_report(fixture):
    data = json.loads(
        run("continuity_report", "--unit", "U1", "--from", "2025-02-01", "--to", "2025-02-16",
            "--format", "json")
    )  # fmt: skip

    assert data == {
        "unit": "U1",
        "from": "2025-02-01",
        "to": "2025-02-16",
        "visits": 7,
        "excluded_visits": 3,
        "excluded_by_reason": {"cancelled": 1, "declined": 0, "no_staff": 1, "excluded_kind": 1},
        "staff_mean": 2.0,  # (3 + 1) / 2
        "staff_median": 2,
        # K1's four visits from 5 February: ord1, dep1, ord1 (double), oth1.
        "fok_share": 0.75,
        "ordinary_share": 0.5,
        "deputy_share": 0.25,
        "clients": [
            {
                "customer_number": "K1",
                "name": "Anna Ek",
                "staff": 3,
                "visits": 5,
                "double_staffed": 1,
                "ordinary": 2,
                "deputy": 1,
                "fok_total": 3,
                # n: ord1 3, dep1 1, oth1 2; N = 6.
                "upc": 0.5,
                "coc": 0.2667,  # (9 + 1 + 4 - 6) / 30
                "secon": 0.5,  # of 4 pairs, ord1-ord1 and (ord1, oth1)-oth1 share someone
            },
            {
                "customer_number": "K2",
                "name": "Bo Ek",
                "staff": 1,
                "visits": 2,
                "double_staffed": 0,
                "ordinary": None,
                "deputy": None,
                "fok_total": None,
                "upc": 1.0,
                "coc": 1.0,
                "secon": 1.0,
            },
        ],
    }


def test_json_key_order_is_the_documented_one(fixture, tmp_path):
    target = tmp_path / "report.json"
    run("continuity_report", "--from", "2025-02-01", "--to", "2025-02-16", "--format", "json",
        "--output", str(target))  # fmt: skip
    data = json.loads(target.read_text(encoding="utf-8"))
    assert list(data)[:3] == ["unit", "from", "to"]
    assert data["unit"] is None  # all units
    assert list(data["clients"][0]) == [
        "customer_number", "name", "staff", "visits", "double_staffed", "ordinary", "deputy",
        "fok_total", "upc", "coc", "secon",
    ]  # fmt: skip


def test_table_is_the_default_format(fixture):
    text = run("continuity_report", "--unit", "U1", "--from", "2025-02-01", "--to", "2025-02-16")
    assert "Personalkontinuitet" in text
    assert "Period: 2025-02-01 – 2025-02-16" in text
    assert "Personal per brukare: medel 2,00, median 2,00" in text
    assert "Fast omsorgskontakt: 75 %" in text
    k1 = next(line for line in text.splitlines() if line.startswith("K1"))
    assert k1.split() == [
        "K1", "Anna", "Ek", "3", "5", "1", "2", "(40", "%)", "1", "(20", "%)", "3", "(60", "%)",
        "0,5000", "0,2667", "0,5000",
    ]  # fmt: skip
    k2 = next(line for line in text.splitlines() if line.startswith("K2"))
    assert k2.split()[-6:] == ["–", "–", "–", "1,0000", "1,0000", "1,0000"]


def test_csv_format(fixture):
    text = run("continuity_report", "--unit", "U1", "--from", "2025-02-01", "--to", "2025-02-16",
               "--format", "csv")  # fmt: skip
    lines = text.splitlines()
    assert lines[0].startswith(
        "Enhetskod;Enhet;Kundnummer;Brukare;Personal;Besök;Dubbelbemanning;Ordinarie;"
    )
    unit = "U1;" + Unit.objects.get(code="U1").name
    assert lines[1] == unit + ";K1;Anna Ek;3;5;1;2;40;1;20;3;60;0,5000;0,2667;0,5000"
    assert lines[2] == unit + ";K2;Bo Ek;1;2;0;;;;;;;1,0000;1,0000;1,0000"


def test_pdf_format_writes_the_browser_pdf(fixture, tmp_path):
    target = tmp_path / "report.pdf"
    run("continuity_report", "--unit", "U1", "--from", "2025-02-01", "--to", "2025-02-16",
        "--format", "pdf", "--output", str(target))  # fmt: skip
    reader = PdfReader(target)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Personalkontinuitet" in text and "Hemtjänst Norr" in text
    assert "2 (40 %)" in text and "3 (60 %)" in text
    assert "Sida 1 av" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "NOPE", "--from", "2025-02-01", "--to", "2025-02-16"], "finns inte"),
        (["--unit", "U1", "--from", "2025-02-30", "--to", "2025-02-16"], "giltigt datum"),
        (["--unit", "U1", "--from", "1/2 2025", "--to", "2025-02-16"], "giltigt datum"),
        (["--unit", "U1", "--from", "2025-02-16", "--to", "2025-02-01"], "före startdatumet"),
    ],
)
def test_bad_arguments_are_clear_errors(unit, args, message):
    with pytest.raises(CommandError, match=message):
        run("continuity_report", *args)


def test_kpi_command(unit):
    kpi_example(unit)

    data = json.loads(run("continuity_kpi", "--unit", "U1", "--from", "2025-02-03",
                          "--format", "json"))  # fmt: skip

    assert data == {
        "unit": "U1",
        "from": "2025-02-03",
        "days": 14,
        "eligible_clients": 1,
        "median": 3,
        "mean": 3.0,
        "share_over_20": 0.0,
        "clients": [{"customer_number": "K1", "staff": 3}],
    }
    table = run("continuity_kpi", "--unit", "U1", "--from", "2025-02-03")
    assert "Median: 3" in table and "Brukare som ingår: 1" in table
    csv_text = run("continuity_kpi", "--unit", "U1", "--from", "2025-02-03", "--format", "csv")
    assert csv_text.splitlines() == [
        "Enhetskod;Enhet;Kundnummer;Brukare;Personal",
        f"U1;{Unit.objects.get(code='U1').name};K1;Ebba Äldre;3",
    ]
    short = json.loads(run("continuity_kpi", "--unit", "U1", "--from", "2025-02-03",
                           "--days", "7", "--format", "json"))  # fmt: skip
    assert (short["days"], short["eligible_clients"]) == (7, 1)


def test_kpi_command_rejects_bad_days(unit):
    with pytest.raises(CommandError, match="--days"):
        run("continuity_kpi", "--unit", "U1", "--from", "2025-02-03", "--days", "noll")
