"""The national figures (Kolada / KKiK): the window of two ISO weeks, the
holidays in it, and the figures per unit and for the organisation, checked
against hand-computed values."""

import datetime as dt

import pytest

from contacts.models import Unit
from contacts.roles import Role
from reports import kolada
from tests.contacts.factories import ServiceFactory, UnitFactory, make_user
from tests.reports.continuity_data import at, staff
from tests.reports.continuity_data import client as make_client
from tests.reports.continuity_data import visit as make_visit

pytestmark = pytest.mark.django_db


# --- the window --------------------------------------------------------------------------


def test_week_53_and_the_first_week_of_the_next_year():
    window = kolada.window_for(2026, 53)  # 2026 is a long ISO year
    assert (window.first_day, window.last_day) == (dt.date(2026, 12, 28), dt.date(2027, 1, 10))
    assert window.weeks == [(2026, 53), (2027, 1)]
    assert window.label == "v. 53 2026 – v. 1 2027"


def test_a_window_over_new_year_in_a_year_without_week_53():
    window = kolada.window_for(2025, 52)
    # 29 December 2025 is a Monday in ISO week 1 of 2026.
    assert (window.first_day, window.last_day) == (dt.date(2025, 12, 22), dt.date(2026, 1, 4))
    assert window.weeks == [(2025, 52), (2026, 1)]
    assert window.label == "v. 52 2025 – v. 1 2026"


def test_an_ordinary_window_and_week_1_that_starts_in_december():
    assert kolada.window_for(2025, 10).label == "v. 10–11 2025"
    assert kolada.window_for(2025, 10).first_day == dt.date(2025, 3, 3)
    # ISO week 1 of 2025 begins on Monday 30 December 2024.
    assert kolada.window_for(2025, 1).first_day == dt.date(2024, 12, 30)


@pytest.mark.parametrize(
    ("year", "week", "field", "message"),
    [
        (2025, 53, "week", "År 2025 har ingen vecka 53."),
        (2025, 0, "week", "Välj en vecka från 1 till 53."),
        (2025, 54, "week", "Välj en vecka från 1 till 53."),
        (1899, 10, "year", "Välj ett år mellan 1900 och 2999."),
        (3000, 10, "year", "Välj ett år mellan 1900 och 2999."),
    ],
)
def test_weeks_that_do_not_exist_are_refused(year, week, field, message):
    with pytest.raises(kolada.WeekError) as error:
        kolada.window_for(year, week)
    assert (error.value.field, str(error.value)) == (field, message)


@pytest.mark.parametrize(
    ("today", "first_day"),
    [
        (dt.date(2025, 3, 17), dt.date(2025, 3, 3)),  # Monday: weeks 10-11
        (dt.date(2025, 3, 16), dt.date(2025, 2, 24)),  # Sunday: week 11 is not over yet
        (dt.date(2025, 3, 19), dt.date(2025, 3, 3)),  # Wednesday
        (dt.date(2027, 1, 6), dt.date(2026, 12, 21)),  # weeks 52-53 of 2026
        (dt.date(2027, 1, 11), dt.date(2026, 12, 28)),  # weeks 53 2026 and 1 2027
    ],
)
def test_the_default_is_the_last_two_full_weeks(today, first_day):
    window = kolada.default_window(today)
    assert window.first_day == first_day
    assert window.first_day.weekday() == 0
    assert window.last_day < today
    assert window.ended_by(today)


def test_holidays_inside_the_window_are_named():
    assert kolada.holidays_in(kolada.window_for(2026, 53)) == [
        (dt.date(2026, 12, 31), "Nyårsafton"),
        (dt.date(2027, 1, 1), "Nyårsdagen"),
        (dt.date(2027, 1, 6), "Trettondedag jul"),
    ]
    assert kolada.holidays_in(kolada.window_for(2025, 52)) == [
        (dt.date(2025, 12, 24), "Julafton"),
        (dt.date(2025, 12, 25), "Juldagen"),
        (dt.date(2025, 12, 26), "Annandag jul"),
        (dt.date(2025, 12, 31), "Nyårsafton"),
        (dt.date(2026, 1, 1), "Nyårsdagen"),
    ]
    # Midsommarafton (de facto) and midsommardagen; Sundays are no holidays here.
    assert [name for _day, name in kolada.holidays_in(kolada.window_for(2025, 25))] == [
        "Midsommarafton",
        "Midsommardagen",
    ]
    assert kolada.holidays_in(kolada.window_for(2025, 10)) == []


# --- the figures -------------------------------------------------------------------------

WINDOW = kolada.window_for(2026, 53)
DAYS = [WINDOW.first_day + dt.timedelta(days=n) for n in range(14)]


def daily(person, unit, people, hours=(8, 18)):
    """A visit at each of ``hours`` every day of the window, staff in turn."""
    n = 0
    for day in DAYS:
        for hour in hours:
            make_visit(person, unit, at(day, hour), [people[n % len(people)]])
            n += 1


@pytest.fixture
def world():
    """Two units. On U1 three clients meet 3, 5 and 21 people; on U2 one
    meets 2. K5 has a morning visit on U1 and an evening visit on U2 every
    day: on neither unit alone two a day, together yes (2 people). K6 is 64."""
    u1 = UnitFactory(code="U1", name="Hemtjänst Norr")
    u2 = UnitFactory(code="U2", name="Hemtjänst Söder")
    pool = [staff(u1, f"n{n:02d}") for n in range(21)]
    south = [staff(u2, f"s{n:02d}") for n in range(2)]
    born = dt.date(1940, 5, 5)
    daily(make_client(u1, "Agda", "Ask", "K1", born=born, serial=1), u1, pool[:3])
    daily(make_client(u1, "Bo", "Berg", "K2", born=born, serial=2), u1, pool[:5])
    daily(make_client(u1, "Cissi", "Cedar", "K3", born=born, serial=3), u1, pool)
    daily(make_client(u2, "Dora", "Dal", "K4", born=born, serial=4), u2, south)
    both = make_client(u1, "Erik", "Ek", "K5", born=born, serial=5)
    ServiceFactory(client=both, unit=u2, start=dt.date(2024, 1, 1))
    daily(both, u1, [pool[0]], hours=(8,))
    daily(both, u2, [south[0]], hours=(18,))
    # 64 on the first day (born 29 December 1962): not counted.
    daily(make_client(u2, "Fia", "Fri", "K6", born=dt.date(1962, 12, 29), serial=6), u2, south)
    return u1, u2


def test_figures_per_unit_and_for_the_organisation(world):
    report = kolada.kolada_report(
        Unit.objects.order_by("name"), WINDOW, organisation_label="Hela organisationen"
    )
    table = [
        (r.code, r.label, r.clients, r.mean_text, r.median_text, r.over_20, r.over_20_percent_text)
        for r in report.rows
    ]
    assert table == [
        # (3 + 5 + 21) / 3 = 9.67; median 5; 1 of 3 over 20 = 33.3 %
        ("U1", "Hemtjänst Norr", 3, "9,7", "5", 1, "33,3"),
        ("U2", "Hemtjänst Söder", 1, "2,0", "2", 0, "0,0"),
        # K1-K5: 3, 5, 21, 2, 2 -> mean 33 / 5 = 6.6, median 3, 1 of 5 = 20 %
        ("", "Hela organisationen", 5, "6,6", "3", 1, "20,0"),
    ]
    assert [name for _day, name in report.holidays] == [
        "Nyårsafton",
        "Nyårsdagen",
        "Trettondedag jul",
    ]


def test_the_csv_is_for_swedish_excel(world):
    report = kolada.kolada_report(
        Unit.objects.order_by("name"), WINDOW, organisation_label="Hela organisationen"
    )
    assert kolada.kolada_csv(report).splitlines() == [
        "Enhetskod;Enhet;Mätveckor;Första dag;Sista dag;Antal brukare;Medelvärde;Median;"
        "Antal med fler än 20 personal;Andel med fler än 20 personal (%)",
        "U1;Hemtjänst Norr;v. 53 2026 – v. 1 2027;2026-12-28;2027-01-10;3;9,7;5;1;33,3",
        "U2;Hemtjänst Söder;v. 53 2026 – v. 1 2027;2026-12-28;2027-01-10;1;2,0;2;0;0,0",
        ";Hela organisationen;v. 53 2026 – v. 1 2027;2026-12-28;2027-01-10;5;6,6;3;1;20,0",
    ]


def test_a_half_median_and_undefined_figures(db):
    u1 = UnitFactory(code="U1", name="Norr")
    UnitFactory(code="U2", name="=Söder")  # no eligible clients, and a formula-like name
    pool = [staff(u1, f"p{n}") for n in range(4)]
    daily(make_client(u1, "A", "A", "K1", serial=1), u1, pool[:2])
    daily(make_client(u1, "B", "B", "K2", serial=2), u1, pool[:3])
    report = kolada.kolada_report(
        Unit.objects.order_by("code"), WINDOW, organisation_label="Alla mina enheter"
    )
    lines = kolada.kolada_csv(report).splitlines()
    assert lines[1].endswith(";2;2,5;2,5;0;0,0")  # (2 + 3) / 2
    # Nothing to measure: empty cells, not zeros; the name cannot run as a formula.
    assert lines[2] == "U2;'=Söder;v. 53 2026 – v. 1 2027;2026-12-28;2027-01-10;0;;;;"


# --- the page ----------------------------------------------------------------------------


def test_the_page_shows_the_chosen_weeks_holidays_and_figures(client, world):
    u1, _u2 = world
    make_user("samordnare", role=Role.COORDINATOR, units=[u1])
    client.login(username="samordnare", password="pw")
    response = client.get("/rapporter/kolada/?ar=2026&vecka=53")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Mätveckor v. 53 2026 – v. 1 2027" in page
    assert "Nyårsdagen (fredag 1 januari)" in page
    report = response.context["report"]
    # Only the coordinator's unit, and "all my units" is that unit.
    assert [(r.label, r.clients, r.mean_text) for r in report.rows] == [
        ("Hemtjänst Norr", 3, "9,7"),
        ("Alla mina enheter", 3, "9,7"),
    ]


def test_the_csv_download_has_a_bom_and_a_file_name_with_the_weeks(client, world):
    u1, u2 = world
    make_user("chef", role=Role.UNIT_MANAGER, units=[u1, u2])
    client.login(username="chef", password="pw")
    response = client.get("/rapporter/kolada/csv/?ar=2026&vecka=53")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="kolada_personalkontinuitet_2026-v53_2027-v01.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffEnhetskod;Enhet;")
    assert text.splitlines()[-1].startswith(";Hela organisationen;v. 53 2026 – v. 1 2027;")


def test_a_week_that_does_not_exist_is_a_form_error(client, world):
    make_user("chef", role=Role.UNIT_MANAGER, units=list(world))
    client.login(username="chef", password="pw")
    page = client.get("/rapporter/kolada/?ar=2025&vecka=53").content.decode()
    assert "År 2025 har ingen vecka 53." in page
    assert 'data-testid="kolada-result"' not in page
    assert "Ange veckan med siffror." in client.get("/rapporter/kolada/?vecka=x").content.decode()
    assert client.get("/rapporter/kolada/csv/?ar=2025&vecka=53").status_code == 400


def test_the_default_window_is_the_last_two_full_weeks(client, world):
    from django.utils import timezone

    make_user("chef", role=Role.UNIT_MANAGER, units=list(world))
    client.login(username="chef", password="pw")
    report = client.get("/rapporter/kolada/").context["report"]
    assert report.window == kolada.default_window(timezone.localdate())


def test_only_coordinators_and_unit_managers_may_see_it(client, world):
    for role in (Role.CARE_STAFF, Role.STATISTICS):
        make_user(f"u-{role}", role=role, units=list(world))
        client.login(username=f"u-{role}", password="pw")
        assert client.get("/rapporter/kolada/").status_code == 403
        assert client.get("/rapporter/kolada/csv/").status_code == 403
    client.logout()
    assert client.get("/rapporter/kolada/").status_code == 302


def test_many_units_get_the_csv_from_the_task_worker(client, world, monkeypatch):
    """Over more units than a request computes (an administrator's whole
    municipality) the page computes nothing; its button starts a job whose
    file is the one the download gives for fewer units."""
    from jobs.models import Job

    make_user("chef", role=Role.UNIT_MANAGER, units=list(world))
    client.login(username="chef", password="pw")
    at_once = client.get("/rapporter/kolada/csv/?ar=2026&vecka=53").content

    monkeypatch.setattr("reports.views.output.PAGE_UNITS", 1)
    response = client.get("/rapporter/kolada/?ar=2026&vecka=53")
    page = response.content.decode()
    assert response.status_code == 200 and "report" not in response.context
    assert 'data-testid="kolada-too-many"' in page and "alla dina 2 enheter" in page
    assert 'data-testid="kolada-result"' not in page
    refused = client.get("/rapporter/kolada/csv/?ar=2026&vecka=53")
    assert refused.status_code == 400 and 'data-testid="kolada-csv-job"' in refused.content.decode()

    started = client.post("/rapporter/kolada/csv/", {"ar": "2026", "vecka": "53"})
    job = Job.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/jobb/{job.pk}/"
    assert (job.kind, job.status, job.params) == ("kolada_csv", "done", {"ar": 2026, "vecka": 53})
    download = client.get(f"/jobb/{job.pk}/fil/")
    assert download["Content-Disposition"] == (
        'attachment; filename="kolada_personalkontinuitet_2026-v53_2027-v01.csv"'
    )
    assert download.content == at_once

    # A week that does not exist starts nothing.
    assert client.post("/rapporter/kolada/csv/", {"ar": "2025", "vecka": "53"}).status_code == 400
    assert Job.objects.count() == 1


def test_the_csv_job_fails_cleanly_when_the_user_lost_the_right(client, world, monkeypatch):
    from jobs.models import Job
    from jobs.services import job_run

    chef = make_user("chef", role=Role.UNIT_MANAGER, units=list(world))
    job = Job.objects.create(
        user=chef, kind="kolada_csv", title="t", params={"ar": 2026, "vecka": 53}
    )
    chef.groups.clear()
    chef.user_permissions.clear()
    assert job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.result is None and job.error == "Du har inte längre behörighet till rapporten."
