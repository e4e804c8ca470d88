"""Property-based tests (hypothesis): whatever a user types into a form or puts
in an import file, the app never answers with a server error. Each input is
accepted, or refused in clear Swedish: a form shows its errors, an import
lists ``line N: column: message``. Inputs include NUL bytes, other control
characters, over-long text, impossible dates, personnummer edge cases and
malformed CSV."""

from __future__ import annotations

import datetime as dt
import re
import string

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts import personal_id as pid
from contacts.roles import Role
from imports.importers import SPECS, import_csv
from tests.contacts.factories import ServiceFactory, StaffFactory, make_user
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples in every run: a failure reproduces
)

# Django's own English messages must never reach a user, nor a database's.
ENGLISH = ("This field", "Enter a valid", "Select a valid", "Ensure this value", "Null char")
DATABASE_ERRORS = ("0x00", "psycopg", "IntegrityError", "DataError", "violates", "constraint fail")

# --- what users type --------------------------------------------------------------------

NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "abc\x00def",
        "\r\n",
        "\t=1+1",
        "0",
        "-1",
        "99999999999999999999999",
        "1e309",
        "NaN",
        "2025-02-30",
        "2025-13-01",
        "0000-01-01",
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "31/12/2025",
        "2025-W53",
        "19121212-1212",
        "191212121212",
        "121212+1212",
        "19000229-0000",
        "20000229-TF01",
        "☃" * 3,
        "å" * 5000,
        "<script>alert(1)</script>",
        "' OR 1=1 --",
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=60), st.text(alphabet=string.digits + "-+T", max_size=14))
DATES = st.one_of(
    NASTY,
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
)


def _value_for(name: str) -> st.SearchStrategy[str]:
    if any(part in name for part in ("date", "datum", "start", "end", "effective", "on", "from")):
        return DATES
    return TEXT


def _field_names(html: str) -> list[str]:
    names = set(re.findall(r'name="([^"]+)"', html))
    return sorted(names - {"csrfmiddlewaretoken"})


def _assert_answered(response, url: str) -> None:
    assert response.status_code < 500, f"{url}: {response.status_code}"
    body = response.content.decode("utf-8", "replace")
    for english in (*ENGLISH, *DATABASE_ERRORS):
        assert english not in body, f"{url}: {english!r} shown to the user"
    if response.status_code == 200 and "errorlist" in body:
        assert re.search(r"[a-zåäö]", body.split("errorlist", 1)[1][:400], re.IGNORECASE)


# --- every form of the app -------------------------------------------------------------


@pytest.fixture
def world(unit, other_unit):
    client = ServiceFactory(unit=unit, start=dt.date(2025, 1, 1)).client
    staff = StaffFactory(units=[unit])
    StaffFactory(units=[other_unit])
    plan = PlanFactory(client=client, unit=unit, period_start=dt.date(2025, 1, 1))
    users = {
        "chef": make_user("chef", role=Role.UNIT_MANAGER, units=[unit]),
        "admin": make_user("admin", role=Role.ADMINISTRATOR),
    }
    return client, unit, staff, plan, users


def _forms(client, unit, staff, plan) -> list[tuple[str, ...]]:
    """(user, URL) of every form a user posts; the field names are read from
    the page, so a new field is covered without touching this test."""
    return [
        ("chef", reverse("fok_edit", args=[client.pk, unit.pk])),
        ("chef", reverse("client_move", args=[client.pk])),
        ("chef", reverse("contact_change_request", args=[client.pk, unit.pk])),
        ("chef", reverse("journal_note_create", args=[client.pk])),
        ("chef", reverse("plan_create", args=[client.pk])),
        ("chef", reverse("plan_edit", args=[plan.pk])),
        ("chef", reverse("plan_end", args=[plan.pk])),
        # Posted from the staff page.
        (
            "chef",
            reverse("staff_availability", args=[staff.pk]),
            reverse("staff_detail", args=[staff.pk]),
        ),
        ("chef", reverse("staff_handover", args=[staff.pk])),
        ("chef", reverse("client_history", args=[client.pk])),
        ("chef", reverse("continuity_report")),
        ("chef", reverse("continuity_kpi")),
        ("chef", reverse("fok_statistics")),
        ("chef", reverse("visit_overview")),
        ("chef", reverse("planning")),
        ("chef", reverse("my_clients")),
        ("chef", reverse("journal_search")),
        ("admin", reverse("access_log")),
    ]


@pytest.mark.parametrize("index", range(18))
def test_no_form_answers_any_input_with_a_server_error(index, world, client):
    person, unit, staff, plan, users = world
    user, url, *shown_on = _forms(person, unit, staff, plan)[index]
    client.force_login(users[user])
    page = client.get(shown_on[0] if shown_on else url)
    assert page.status_code == 200, url
    names = _field_names(page.content.decode())
    assert names, f"{url}: no form fields found"
    method = "post" if 'method="post"' in page.content.decode() else "get"

    @EXAMPLES
    @given(st.fixed_dictionaries({}, optional={name: _value_for(name) for name in names}))
    def check(data):
        response = getattr(client, method)(url, data)
        _assert_answered(response, url)

    check()


# --- every importer ----------------------------------------------------------------------

CELL = st.one_of(NASTY, st.text(max_size=20))


@st.composite
def csv_files(draw, kind: str) -> bytes:
    spec = SPECS[kind]
    columns = draw(
        st.lists(
            st.sampled_from([*spec.required, *spec.optional, "okänd"]),
            unique=True,
            max_size=len(spec.required) + 2,
        )
    )
    delimiter = draw(st.sampled_from([";", ","]))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(columns) + 1), max_size=4))
    lines = [delimiter.join(columns)] + [delimiter.join(row) for row in rows]
    text = "\n".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return text.encode(encoding, errors="replace")


LINE_ERROR = re.compile(r"^line \d+: [^:]+: .+", re.DOTALL)


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_every_importer_answers_any_file_with_line_errors_or_a_result(kind):
    @EXAMPLES
    @given(st.one_of(csv_files(kind), st.binary(max_size=200)))
    def check(data):
        result = import_csv(kind, data)
        if not result.ok:
            assert result.errors
            for line in result.errors:
                assert LINE_ERROR.match(line), line
                assert not any(text in line for text in (*ENGLISH, *DATABASE_ERRORS)), line

    check()


# --- personal identity numbers -----------------------------------------------------------


@EXAMPLES
@given(st.one_of(NASTY, st.text(alphabet=string.digits + "-+TFA ", max_size=16)))
def test_a_personal_id_is_parsed_or_refused_in_swedish(text):
    try:
        parsed = pid.parse(text)
    except pid.PersonalIdError as error:
        assert str(error) and not any(english in str(error) for english in ENGLISH)
    else:
        # A valid id reads back as itself.
        assert pid.parse(parsed.canonical) == parsed
        assert dt.date(1800, 1, 1) <= parsed.birth_date <= dt.date(2100, 1, 1)
