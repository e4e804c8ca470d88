"""Every CSV the app writes is safe to open in a spreadsheet (OWASP CSV
injection): a text cell that starts like a formula is written as text, and
numbers stay numbers."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from contacts import services
from contacts.models import Visit
from contacts.roles import Role
from omsorg.output.csv import csv_text, safe_cell
from tests.contacts.factories import ClientFactory, ServiceFactory, StaffFactory, make_user

TZ = ZoneInfo("Europe/Stockholm")
FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_becomes_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3, 0, 2.5, "-3", "+46", "0,25", "-0.5", "Anna", "", "12:30"])
def test_numbers_and_ordinary_text_are_unchanged(value):
    assert safe_cell(value) == value


def test_none_is_an_empty_cell_and_the_file_is_for_swedish_excel():
    text = csv_text(["a", "b"], [[None, "=1"]], bom=True)
    assert text == "\ufeffa;b\r\n;'=1\r\n"


def _cells(text):
    return [
        cell
        for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
        for cell in row
    ]


def _assert_safe(text):
    cells = _cells(text)
    assert cells, "empty CSV"
    dangerous = [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    dangerous += [c for c in cells if c.startswith("-") and not c[1:].replace(",", "").isdigit()]
    assert dangerous == []


@pytest.fixture
def world(db, unit):
    manager = make_user("chef", role=Role.UNIT_MANAGER, units=[unit])
    manager.user_permissions.add(
        *__import__(
            "django.contrib.auth.models", fromlist=["Permission"]
        ).Permission.objects.filter(codename__in=["view_fok_statistics", "view_continuity_reports"])
    )
    staff = StaffFactory(units=[unit], first_name="@SUM(1+1)", last_name="=HYPERLINK(1)")
    clients = []
    for n, name in enumerate(FORMULAS[:4]):
        client = ClientFactory(first_name=name, last_name="+cmd|' /C calc'!A0")
        ServiceFactory(client=client, unit=unit, start=dt.date(2025, 1, 1))
        services.care_contact_change(
            client=client,
            unit=unit,
            status="accepted",
            ordinary=staff,
            effective=dt.date(2025, 1, 10),
        )
        visit = Visit.objects.create(
            visit_id=f"=V{n}",
            client=client,
            unit=unit,
            start=dt.datetime(2025, 2, 3, 9, tzinfo=TZ),
            status=Visit.Status.PERFORMED,
        )
        visit.staff.set([staff])
        clients.append(client)
    return manager, clients


def test_every_csv_download_neutralises_formulas(client, world, unit):
    manager, _clients = world
    client.force_login(manager)
    urls = [
        f"/rapporter/kontinuitet/csv/?unit={unit.code}&from=2025-02-01&to=2025-02-14",
        f"/rapporter/kkik/csv/?unit={unit.code}&from=2025-02-03",
        f"/rapporter/fok-statistik/csv/?status=accepted&datum=2025-02-14&enhet={unit.code}",
        f"/rapporter/besok/csv/?enhet={unit.code}&fran=2025-02-01&till=2025-02-14",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8")
        _assert_safe(text)
    # The names are still there, readable, behind the apostrophe.
    continuity = client.get(urls[0]).content.decode()
    assert "'=HYPERLINK" in continuity or "'@SUM(1+1)" in continuity


def test_the_command_line_csv_is_safe_too(world, unit, tmp_path):
    for command, args in [
        ("continuity_report", ["--unit", unit.code, "--from", "2025-02-01", "--to", "2025-02-14"]),
        ("fok_statistics", ["--unit", unit.code, "--status", "accepted", "--date", "2025-02-14"]),
    ]:
        out = io.StringIO()
        call_command(command, *args, "--format", "csv", stdout=out)
        _assert_safe(out.getvalue())
