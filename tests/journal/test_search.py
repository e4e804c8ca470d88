import datetime as dt

import pytest
from django.urls import reverse

from journal.models import JournalNote
from tests.contacts.factories import ServiceFactory, make_user

pytestmark = pytest.mark.django_db

D = dt.date
URL = reverse("journal_search")


def note(client, unit, day, text, kind=JournalNote.Kind.GENERAL):
    return JournalNote.objects.create(
        client=client, unit=unit, kind=kind, event_date=day, text=text
    )


def texts(response):
    return [n.text for n in response.context["page_obj"]]


@pytest.fixture
def logged_in(client, carer):
    client.force_login(carer)
    return client


def test_per_client_shows_that_clients_notes_newest_first(logged_in, unit, client_on_unit):
    other = ServiceFactory(unit=unit).client
    note(client_on_unit, unit, D(2025, 1, 5), "januari")
    note(client_on_unit, unit, D(2025, 3, 5), "mars", kind="fok")
    note(client_on_unit, unit, D(2025, 2, 5), "februari")
    note(other, unit, D(2025, 4, 1), "annan brukare")

    response = logged_in.get(URL, {"client": client_on_unit.pk})

    assert response.status_code == 200
    assert texts(response) == ["mars", "februari", "januari"]
    assert client_on_unit.full_name in response.content.decode()


def test_per_unit_defaults_to_all_my_units_and_never_shows_another_units(
    logged_in, unit, other_unit, client_on_unit
):
    second = make_user("two", units=[unit, other_unit])
    foreign = ServiceFactory(unit=other_unit).client
    note(client_on_unit, unit, D(2025, 1, 5), "min enhet")
    note(foreign, other_unit, D(2025, 1, 6), "annan enhet")

    assert texts(logged_in.get(URL)) == ["min enhet"]
    assert texts(logged_in.get(URL, {"unit": unit.pk})) == ["min enhet"]

    logged_in.force_login(second)
    assert texts(logged_in.get(URL)) == ["annan enhet", "min enhet"]
    assert texts(logged_in.get(URL, {"unit": other_unit.pk})) == ["annan enhet"]


def test_another_units_client_or_unit_is_not_found(logged_in, other_unit):
    foreign = ServiceFactory(unit=other_unit).client
    assert logged_in.get(URL, {"client": foreign.pk}).status_code == 404
    assert logged_in.get(URL, {"unit": other_unit.pk}).status_code == 404


def test_the_fok_filter_keeps_only_care_contact_notes(logged_in, unit, client_on_unit):
    note(client_on_unit, unit, D(2025, 1, 5), "allmän")
    note(client_on_unit, unit, D(2025, 1, 6), "fok", kind="fok")
    response = logged_in.get(URL, {"unit": unit.pk, "kind": "fok"})
    assert texts(response) == ["fok"]


def test_the_date_range_includes_both_ends(logged_in, unit, client_on_unit):
    for day in (D(2025, 1, 31), D(2025, 2, 1), D(2025, 2, 28), D(2025, 3, 1)):
        note(client_on_unit, unit, day, day.isoformat())
    response = logged_in.get(URL, {"date_from": "2025-02-01", "date_to": "2025-02-28"})
    assert texts(response) == ["2025-02-28", "2025-02-01"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"date_from": "2025-13-45"}, "Fyll i ett giltigt datum."),
        ({"date_to": "igår"}, "Fyll i ett giltigt datum."),
        (
            {"date_from": "2025-03-01", "date_to": "2025-02-01"},
            "Till-datum kan inte vara före från-datum.",
        ),
        ({"unit": "abc"}, "Välj en av dina enheter i listan."),
        ({"client": "abc"}, "Ogiltig brukare."),
    ],
)
def test_bad_input_gives_a_swedish_message_not_an_error(logged_in, params, message):
    response = logged_in.get(URL, params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["page_obj"] is None


def test_results_come_25_to_a_page(logged_in, unit, client_on_unit):
    start = D(2025, 1, 1)
    for i in range(30):
        note(client_on_unit, unit, start + dt.timedelta(days=i), f"dag {i}")

    first = logged_in.get(URL, {"kind": "general"})
    second = logged_in.get(URL, {"kind": "general", "page": 2})

    assert texts(first) == [f"dag {i}" for i in range(29, 4, -1)]
    assert texts(second) == [f"dag {i}" for i in range(4, -1, -1)]
    # The next-page link keeps the filter.
    assert "?kind=general&amp;page=2" in first.content.decode()
    assert logged_in.get(URL, {"page": "x"}).status_code == 200


def test_a_page_costs_the_same_queries_for_few_or_many_notes(
    logged_in, unit, client_on_unit, django_assert_max_num_queries
):
    for i in range(3):
        note(client_on_unit, unit, D(2025, 1, 1) + dt.timedelta(days=i), "a")
    with django_assert_max_num_queries(20) as few:
        logged_in.get(URL, {"unit": unit.pk})
    for _i in range(40):
        client = ServiceFactory(unit=unit).client
        note(client, unit, D(2025, 2, 1), "b", kind="fok")
    with django_assert_max_num_queries(len(few.captured_queries)):
        logged_in.get(URL, {"unit": unit.pk})


def test_htmx_gets_only_the_results(logged_in, unit, client_on_unit):
    note(client_on_unit, unit, D(2025, 1, 5), "htmx")
    response = logged_in.get(URL, {"unit": unit.pk}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "htmx" in body and "<html" not in body and 'id="search"' in body


def test_with_nothing_chosen_the_journals_read_last_are_shown(logged_in, unit, client_on_unit):
    # Handbook 1.9: "senast lästa" is the default.
    other = ServiceFactory(unit=unit).client
    note(client_on_unit, unit, D(2025, 1, 5), "läst")
    note(other, unit, D(2025, 2, 5), "inte läst")
    assert texts(logged_in.get(URL)) == ["inte läst", "läst"]  # nothing read yet: all

    logged_in.get(URL, {"client": client_on_unit.pk})
    response = logged_in.get(URL)
    assert texts(response) == ["läst"]
    assert 'data-testid="recently-read"' in response.content.decode()
    # Any criterion searches everything again.
    assert texts(logged_in.get(URL, {"kind": ""})) == ["inte läst", "läst"]
