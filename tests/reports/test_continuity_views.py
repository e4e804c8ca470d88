import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from contacts.models import Visit
from contacts.roles import Role
from tests.contacts.factories import make_user
from tests.jobs.helpers import pdf_from_job
from tests.reports.continuity_data import appoint, at, client, handbook_example, kpi_example, staff
from tests.reports.continuity_data import visit as make_visit

pytestmark = pytest.mark.django_db

URL = "/rapporter/kontinuitet/"
PERIOD = {"unit": "U1", "from": "2025-02-01", "to": "2025-02-16"}


def keep(pdf, name):
    # Set CONTINUITY_SCREENSHOTS=/some/dir to look at the PDFs.
    if os.environ.get("CONTINUITY_SCREENSHOTS"):
        Path(os.environ["CONTINUITY_SCREENSHOTS"], name).write_bytes(pdf)


@pytest.fixture
def coordinator(unit):
    return make_user("samordnare", role=Role.COORDINATOR, units=[unit])


@pytest.fixture
def example(unit, other_unit):
    return handbook_example(unit, other_unit)


def test_it_needs_the_report_permission(client_factory_login, carer):
    response = client_factory_login(carer).get(URL)
    assert response.status_code == 403


@pytest.fixture
def client_factory_login(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_it_shows_the_handbook_table_with_correct_percentages(
    client_factory_login, coordinator, example
):
    response = client_factory_login(coordinator).get(URL, PERIOD)
    html = response.content.decode()

    assert response.status_code == 200
    assert 'data-testid="staff-mean">1,57<' in html
    assert 'data-testid="staff-median">1,00<' in html
    assert 'data-testid="fok-percent">38 %<' in html
    row = html.split('data-testid="row-6000010"')[1].split("</tr>")[0]
    assert "1 (33 %)" in row and "2 (67 %)" in row and "3 (100 %)" in row
    alberta = html.split('data-testid="row-6000022"')[1].split("</tr>")[0]
    for column in ("ordinary", "deputy", "total"):
        assert f'data-testid="{column}">–<' in alberta
    assert "<svg" in html  # the charts


def test_bad_dates_give_a_swedish_message_not_an_error(client_factory_login, coordinator):
    response = client_factory_login(coordinator).get(
        URL, {"unit": "U1", "from": "2025-13-01", "to": "igår"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ange datumet som ÅÅÅÅ-MM-DD" in html
    response = client_factory_login(coordinator).get(
        URL, {"unit": "U1", "from": "2025-02-10", "to": "2025-02-01"}
    )
    assert "Slutdatumet kan inte vara före startdatumet." in response.content.decode()


def test_a_unit_outside_the_users_units_is_refused(client_factory_login, coordinator, other_unit):
    response = client_factory_login(coordinator).get(URL, {**PERIOD, "unit": "U2"})
    assert "Välj en av dina enheter." in response.content.decode()
    assert 'data-testid="continuity-result"' not in response.content.decode()


def test_sorting_by_staff_descending_puts_nulls_last(client_factory_login, coordinator, example):
    html = client_factory_login(coordinator).get(URL, {**PERIOD, "sort": "-deputy"}).content
    html = html.decode()
    order = [html.index(f'data-testid="row-{n}"') for n in ("6000010", "6000003", "6000002")]
    assert order == sorted(order)
    assert html.index('data-testid="row-6000002"') < html.index('data-testid="row-6000022"')


def test_htmx_sort_returns_only_the_table(client_factory_login, coordinator, example):
    response = client_factory_login(coordinator).get(
        URL, {**PERIOD, "sort": "staff"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="report-table"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="report-table"')
    assert "<form" not in html


def test_drill_down_lists_the_clients_visits(client_factory_login, coordinator, example):
    clients, _staff = example
    url = f"/rapporter/kontinuitet/brukare/{clients['Kalle'].pk}/"
    html = client_factory_login(coordinator).get(url, PERIOD).content.decode()
    assert "Besök hos Karl" in html
    assert "annan personal" in html and ">vice<" in html  # before and after appointment


def test_drill_down_of_a_client_on_another_unit_is_404(
    client_factory_login, coordinator, other_unit
):
    stranger = client(other_unit, "Sara", "Söder", "K9")
    url = f"/rapporter/kontinuitet/brukare/{stranger.pk}/"
    assert client_factory_login(coordinator).get(url, PERIOD).status_code == 404


def test_csv_download(client_factory_login, coordinator, example):
    response = client_factory_login(coordinator).get(URL + "csv/", PERIOD)
    text = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert text.startswith("\ufeffEnhetskod;Enhet;Kundnummer;Brukare;Personal;Besök;")
    assert ";6000010;Börje Kvist;2;3;0;1;33;2;67;3;100;0,6667;0,3333;0,5000\r\n" in text
    assert "\r\nU1;" in text
    assert ";6000022;Alberta MultiUnit;1;1;0;;;;;;;1,0000;;\r\n" in text


def test_pdf_download_has_the_figures(client_factory_login, coordinator, example):
    response = pdf_from_job(client_factory_login(coordinator), URL, PERIOD)
    keep(response.content, "continuity.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Personalkontinuitet" in text
    assert "Hemtjänst Norr" in text and "2025-02-01" in text
    assert "1,57" in text and "38 %" in text
    assert "2 (67 %)" in text and "3 (100 %)" in text
    assert "Sida 1 av" in text
    assert "Samordnare" in text  # printed by


def test_all_my_units_covers_only_my_units(client_factory_login, coordinator, unit, other_unit):
    mine = client(unit, "Mina", "Min", "K1")
    theirs = client(other_unit, "Dina", "Din", "K2", born=dt.date(1941, 2, 2))
    make_visit(mine, unit, at(3), [staff(unit, "a")])
    make_visit(theirs, other_unit, at(3), [staff(other_unit, "b")])
    make_visit(mine, unit, at(4), [], status=Visit.Status.CANCELLED)
    html = client_factory_login(coordinator).get(URL, {**PERIOD, "unit": ""}).content.decode()
    assert 'data-testid="row-K1"' in html and 'data-testid="row-K2"' not in html
    assert "Alla mina enheter" in html


def test_kpi_page_defaults_to_the_last_two_full_weeks(client_factory_login, coordinator):
    response = client_factory_login(coordinator).get("/rapporter/kkik/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="kpi-result"' in html
    # No visits: no trend chart of empty periods, but a sentence (issue 12.2).
    assert "<svg" not in html
    assert 'data-testid="kpi-trend-empty"' in html


def test_kpi_trend_shows_only_periods_with_data_and_their_values_as_text(
    client_factory_login, coordinator, unit
):
    """Issue 12.2: visits in the chosen period only give one point, not a
    six-period axis around it; the values are in the chart's name and a table."""
    kpi_example(unit)
    html = client_factory_login(coordinator).get("/rapporter/kkik/", {"from": "2025-02-03"})
    html = html.content.decode()
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert chart.count("<circle") == 1
    assert "3 feb" in chart and "6 jan" not in chart  # no label of an empty period
    assert 'aria-label="Median antal personal per 14-dagarsperiod' in chart
    assert "3 feb: 3" in chart  # the value, in the accessible name
    start = html.index('data-testid="kpi-trend-table"')
    table = html[start : html.index("</table>", start)]
    assert table.count("<tr>") == 2  # the head and the one period
    assert "2025-02-03" in table and "2025-02-16" in table


def _trend_rows(html):
    start = html.index('data-testid="kpi-trend-table"')
    table = html[start : html.index("</table>", start)]
    return re.findall(
        r'<tr><td><span class="nowrap">([\d-]+)</span>.*?<td class="num">([^<]*)</td>', table
    )


def test_kpi_trend_of_the_only_unit_is_reused_until_its_data_change(
    client_factory_login, coordinator, unit
):
    """Over "all my units" with one unit, the trend's earlier periods are that
    unit's: reused while its data are unchanged (contacts.versions), and a
    visit written in an earlier period shows on the next request."""
    person = kpi_example(unit)  # 2025-02-03 - 2025-02-16: three staff
    http = client_factory_login(coordinator)
    query = {"from": "2025-03-03"}  # the example is the trend's previous period
    assert _trend_rows(http.get("/rapporter/kkik/", query).content.decode()) == [
        ("2025-02-03", "3")
    ]
    chosen = http.get("/rapporter/kkik/", {**query, "unit": "U1"}).content.decode()
    assert _trend_rows(chosen) == [("2025-02-03", "3")]

    with CaptureQueriesContext(connection) as queries:
        again = http.get("/rapporter/kkik/", query).content.decode()
    assert _trend_rows(again) == [("2025-02-03", "3")]
    assert not [q for q in queries if "daytime" in q["sql"]]  # no KKiK query ran

    make_visit(person, unit, at(dt.date(2025, 2, 5), 12), [staff(unit, "s9")])
    changed = http.get("/rapporter/kkik/", query).content.decode()
    assert _trend_rows(changed) == [("2025-02-03", "4")]


def test_kpi_page_bad_date(client_factory_login, coordinator):
    response = client_factory_login(coordinator).get("/rapporter/kkik/", {"from": "2025-02-30"})
    assert response.status_code == 200
    assert "Ange datumet som ÅÅÅÅ-MM-DD" in response.content.decode()


def test_kpi_pdf_has_the_figures_per_unit(client_factory_login, coordinator, unit):
    kpi_example(unit)

    response = pdf_from_job(
        client_factory_login(coordinator), "/rapporter/kkik/", {"from": "2025-02-03"}
    )
    keep(response.content, "kkik.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Personalkontinuitet 14 dagar (KKiK)" in text
    assert "2025-02-03 – 2025-02-16" in text
    assert "Hemtjänst Norr" in text and "Ebba Äldre" in text
    assert "Sida 1 av" in text

    csv_text = (
        client_factory_login(coordinator)
        .get("/rapporter/kkik/csv/", {"from": "2025-02-03"})
        .content.decode()
    )
    assert csv_text.splitlines()[1].startswith("U1;")
    assert csv_text.splitlines()[1].endswith(";K1;Ebba Äldre;3")


def _share_example(unit):
    """Ada: her ordinary at 2 of 2 visits (100 %). Bea: hers at 3 of 10 (30 %).
    Cid: no contact, so no share. By count Bea comes first; by share Ada."""
    nurse, other = staff(unit, "nur1"), staff(unit, "oth1")
    ada = client(unit, "Ada", "Andersson", "7000001", serial=2)
    bea = client(unit, "Bea", "Berg", "7000002", serial=4)
    cid = client(unit, "Cid", "Carlsson", "7000003", serial=3)
    appoint(ada, unit, nurse)
    appoint(bea, unit, nurse)
    for day in (3, 4):
        make_visit(ada, unit, at(day), [nurse])
    for day in range(3, 13):
        make_visit(bea, unit, at(day), [nurse if day < 6 else other])
    make_visit(cid, unit, at(3), [other])


def _csv_names(response) -> list[str]:
    lines = response.content.decode("utf-8").lstrip("\ufeff").splitlines()[1:]
    return [line.split(";")[3] for line in lines if line.startswith("U1;")]


def test_the_contact_columns_sort_by_share_not_count(client_factory_login, coordinator, unit):
    _share_example(unit)
    http = client_factory_login(coordinator)
    most_first = http.get(URL, {**PERIOD, "sort": "-ordinary"}).content.decode()
    rows = [most_first.index(f'data-testid="row-{n}"') for n in ("7000001", "7000002", "7000003")]
    assert rows == sorted(rows)  # Ada (100 %), Bea (30 %), Cid (none, always last)
    least_first = http.get(URL, {**PERIOD, "sort": "ordinary"}).content.decode()
    rows = [least_first.index(f'data-testid="row-{n}"') for n in ("7000002", "7000001", "7000003")]
    assert rows == sorted(rows)


def test_the_csv_and_the_pdf_follow_the_pages_sort(client_factory_login, coordinator, unit):
    _share_example(unit)
    http = client_factory_login(coordinator)
    by_name = http.get(URL + "csv/", PERIOD)
    assert _csv_names(by_name) == ["Ada Andersson", "Bea Berg", "Cid Carlsson"]
    by_visits = http.get(URL + "csv/", {**PERIOD, "sort": "-visits"})
    assert _csv_names(by_visits) == ["Bea Berg", "Ada Andersson", "Cid Carlsson"]
    pdf = pdf_from_job(http, URL, {**PERIOD, "sort": "-visits"})
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert text.index("Bea Berg") < text.index("Ada Andersson") < text.index("Cid Carlsson")


def test_the_rows_built_in_python_escape_names_on_the_page_and_in_the_pdf(
    client_factory_login, coordinator, unit
):
    # The table rows are markup built in Python (for speed), not a template:
    # names must still be escaped there.
    nurse = staff(unit, "nur1")
    odd = client(unit, "<b>Eva</b>", "O'Neil & Co", "7000009", serial=2)
    make_visit(odd, unit, at(3), [nurse])
    html = client_factory_login(coordinator).get(URL, PERIOD).content.decode()
    assert "&lt;b&gt;Eva&lt;/b&gt; O&#x27;Neil &amp; Co" in html
    assert "<b>Eva</b>" not in html

    from reports.continuity import continuity_report
    from reports.views.continuity import _client_rows, _pdf_table_body

    report = continuity_report(unit, dt.date(2025, 2, 1), dt.date(2025, 2, 16))
    body = _pdf_table_body(_client_rows(report.clients))
    assert body.startswith("<tr><td>&lt;b&gt;Eva&lt;/b&gt; O&#x27;Neil &amp; Co, ")
    assert "<td>1</td><td>1</td><td>0</td>" in body  # staff, visits, double-staffed


def test_all_units_beyond_the_page_limit_are_made_as_a_pdf_only(
    client_factory_login, unit, other_unit, monkeypatch
):
    """An administrator's "all my units" is a whole municipality: the page
    does not compute it (nor the CSV), it offers the PDF from the task
    worker; one unit still shows at once, and the PDF has every unit."""
    monkeypatch.setattr("reports.views.output.PAGE_UNITS", 1)
    boss = make_user("omrade", role=Role.COORDINATOR, units=[unit, other_unit])
    mine = client(unit, "Mina", "Min", "K1")
    theirs = client(other_unit, "Dina", "Din", "K2", born=dt.date(1941, 2, 2))
    make_visit(mine, unit, at(3), [staff(unit, "a")])
    make_visit(theirs, other_unit, at(3), [staff(other_unit, "b")])
    http = client_factory_login(boss)
    everything = {**PERIOD, "unit": ""}

    response = http.get(URL, everything)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="continuity-too-many"' in html
    assert "alla dina 2 enheter" in html and 'data-testid="pdf-link"' in html
    assert 'data-testid="row-K1"' not in html and 'data-testid="continuity-result"' not in html
    csv = http.get(URL, {**everything, "format": "csv"})
    assert csv.status_code == 400 and csv["Content-Type"].startswith("text/html")

    one = http.get(URL, PERIOD).content.decode()
    assert 'data-testid="row-K1"' in one and 'data-testid="continuity-too-many"' not in one

    pdf = pdf_from_job(http, URL, everything)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "K1" in text and "K2" in text


def test_the_kpi_of_many_units_is_made_as_a_pdf_and_one_unit_at_once(
    client_factory_login, unit, other_unit, monkeypatch
):
    monkeypatch.setattr("reports.views.output.PAGE_UNITS", 1)
    boss = make_user("omrade", role=Role.COORDINATOR, units=[unit, other_unit])
    kpi_example(unit)
    http = client_factory_login(boss)
    everything = {"from": "2025-02-03", "unit": ""}
    html = http.get("/rapporter/kkik/", everything).content.decode()
    assert 'data-testid="kpi-too-many"' in html and 'data-testid="pdf-link"' in html
    assert 'data-testid="kpi-result"' not in html and "<svg" not in html
    csv = http.get("/rapporter/kkik/", {**everything, "format": "csv"})
    assert csv.status_code == 400 and csv["Content-Type"].startswith("text/html")
    one = http.get("/rapporter/kkik/", {"from": "2025-02-03", "unit": unit.code})
    one = one.content.decode()
    assert 'data-testid="kpi-result"' in one and "<svg" in one
    assert 'data-testid="kpi-too-many"' not in one
    # The task worker's PDF of all the units: the figures and the trend.
    pdf = pdf_from_job(http, "/rapporter/kkik/", everything)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Hemtjänst Norr" in text and "Hemtjänst Söder" in text
    assert "Ingen av perioderna har besök att räkna ännu." not in text
