"""Importing user accounts (kind `users`): docs/interchange.md, docs/import.md."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from contacts import services as contact_services
from contacts.models import CareContactChange, Staff
from contacts.roles import Role
from imports.importers import import_csv
from tests.conftest import database_url
from tests.contacts.factories import ServiceFactory, StaffFactory, UnitFactory, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()

USERS = (
    "username;first_name;last_name;role;email;units;active;staff\n"
    "anna.ek@kommun.se;Anna;Ek;unit_manager;anna.ek@kommun.se;U1 U2;ja;\n"
    "bo.berg@kommun.se;Bo;Berg;Omsorgspersonal;;U1;;@bobe\n"
    "cia.dal@kommun.se;Cia;Dal;administrator;cia@kommun.se;;yes;\n"
)


@pytest.fixture
def units():
    return UnitFactory(code="U1", name="Norr"), UnitFactory(code="U2", name="Söder")


@pytest.fixture
def bo_staff(units):
    return StaffFactory(signature="bobe", first_name="Bo", last_name="Berg", units=[units[0]])


def roles_of(username):
    return sorted(User.objects.get(username=username).groups.values_list("name", flat=True))


def units_of(username):
    return sorted(User.objects.get(username=username).units.values_list("code", flat=True))


def test_users_are_created_with_role_units_staff_record_and_no_password(units, bo_staff):
    result = import_csv("users", USERS)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)

    anna = User.objects.get(username="anna.ek@kommun.se")
    assert (anna.first_name, anna.last_name, anna.email) == ("Anna", "Ek", "anna.ek@kommun.se")
    assert anna.is_active and not anna.is_staff and not anna.is_superuser
    assert roles_of(anna.username) == [Role.UNIT_MANAGER]
    assert units_of(anna.username) == ["U1", "U2"]
    # They sign in with the organisation's account: no password of ours works.
    assert not anna.has_usable_password()

    # The Swedish role name works; the staff record is linked; active defaults to yes.
    assert roles_of("bo.berg@kommun.se") == [Role.CARE_STAFF]
    assert Staff.objects.get(signature="bobe").user.username == "bo.berg@kommun.se"
    assert User.objects.get(username="bo.berg@kommun.se").is_active

    # Administrators may use the Django admin; no units is allowed.
    cia = User.objects.get(username="cia.dal@kommun.se")
    assert cia.is_staff and roles_of(cia.username) == [Role.ADMINISTRATOR]
    assert units_of(cia.username) == []


def test_a_second_import_of_the_same_file_changes_nothing(units, bo_staff):
    import_csv("users", USERS)
    before = list(User.objects.order_by("pk").values())
    again = import_csv("users", USERS)
    assert again.ok, again.errors
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert list(User.objects.order_by("pk").values()) == before


def test_a_changed_role_replaces_the_old_one_and_units_are_exactly_the_file(units, bo_staff):
    import_csv("users", USERS)
    changed = USERS.replace(
        "anna.ek@kommun.se;Anna;Ek;unit_manager;anna.ek@kommun.se;U1 U2",
        "anna.ek@kommun.se;Anna;Ek;coordinator;anna.ek@kommun.se;U2",
    )
    result = import_csv("users", changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert roles_of("anna.ek@kommun.se") == [Role.COORDINATOR]
    assert units_of("anna.ek@kommun.se") == ["U2"]


def test_groups_that_are_not_roles_are_left_alone(units):
    other = Group.objects.create(name="Nyckelansvariga")
    user = make_user("anna", role=Role.CARE_STAFF, units=[units[0]])
    user.groups.add(other)
    result = import_csv("users", "username;first_name;last_name;role\nanna;Anna;Ek;coordinator\n")
    assert result.ok, result.errors
    assert roles_of("anna") == sorted([Role.COORDINATOR, "Nyckelansvariga"])


def test_columns_left_out_keep_what_is_stored(units):
    user = make_user("anna", role=Role.CARE_STAFF, units=[units[0]])
    user.email = "gammal@kommun.se"
    user.save()
    staff = StaffFactory(signature="anek", units=[units[0]], user=user)
    result = import_csv("users", "username;first_name;last_name;role\nanna;Anna;Ek;care_staff\n")
    assert result.ok, result.errors
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.email) == ("Anna", "Ek", "gammal@kommun.se")
    assert units_of("anna") == ["U1"]
    assert Staff.objects.get(pk=staff.pk).user == user
    # A password set by an administrator is kept.
    assert user.check_password("pw")


def test_empty_cells_mean_the_default(units):
    user = make_user("anna", role=Role.CARE_STAFF, units=[units[0]])
    StaffFactory(signature="anek", units=[units[0]], user=user)
    result = import_csv(
        "users",
        "username;first_name;last_name;role;email;units;active;staff\n"
        "anna;Anna;Ek;care_staff;;;;\n",
    )
    assert result.ok, result.errors
    user.refresh_from_db()
    assert user.email == "" and user.is_active
    assert units_of("anna") == []
    assert not Staff.objects.filter(user=user).exists()


def test_usernames_match_without_regard_to_case(units):
    make_user("Anna.Ek@Kommun.se", role=Role.CARE_STAFF)
    result = import_csv(
        "users", "username;first_name;last_name;role\nanna.ek@kommun.se;Anna;Ek;coordinator\n"
    )
    assert (result.created, result.updated) == (0, 1)
    assert User.objects.count() == 1
    assert roles_of("Anna.Ek@Kommun.se") == [Role.COORDINATOR]


def test_a_deactivated_user_cannot_sign_in_and_keeps_their_history(client, units):
    unit = units[0]
    chef = make_user("chef", role=Role.UNIT_MANAGER, units=[unit])
    service = ServiceFactory(unit=unit)
    contact_services.care_contact_change(
        client=service.client,
        unit=unit,
        status="declined",
        ordinary=None,
        deputy=None,
        effective=service.start,
        reason="Vill inte",
        by=chef,
    )
    client.force_login(chef)
    assert client.get("/").status_code == 200

    result = import_csv(
        "users", "username;first_name;last_name;role;active\nchef;Chef;Ek;unit_manager;nej\n"
    )
    assert result.ok, result.errors
    chef.refresh_from_db()
    assert not chef.is_active
    # The open session ends at the next request, and the password no longer works.
    assert client.get("/").status_code == 302
    assert not client.login(username="chef", password="pw")
    # The history still names who made the change.
    assert CareContactChange.objects.get(client=service.client).changed_by == chef
    assert roles_of("chef") == [Role.UNIT_MANAGER]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "anna;Anna;Ek;chef;;;",
            "line 2: role: Okänd roll ”chef”; tillåtna värden: unit_manager, coordinator, "
            "statistics, care_staff, administrator, Enhetschef, Statistikläsare, Samordnare, "
            "Omsorgspersonal, Administratör.",
        ),
        (
            "anna;Anna;Ek;care_staff;anna(at)kommun;;",
            "line 2: email: ”anna(at)kommun” är ingen giltig e-postadress.",
        ),
        ("anna;Anna;Ek;care_staff;;U9;", "line 2: units: Okänd enhet ”U9”."),
        (
            "anna;Anna;Ek;care_staff;;;kanske",
            "line 2: active: ”kanske” är inget giltigt värde; använd ja/nej, yes/no, "
            "true/false eller 1/0.",
        ),
        (
            "anna ek;Anna;Ek;care_staff;;;",
            "line 2: username: Användarnamnet får bara innehålla bokstäver, siffror och @ . + - _.",
        ),
        (";Anna;Ek;care_staff;;;", "line 2: username: Värde saknas."),
        ("anna;;Ek;care_staff;;;", "line 2: first_name: Värde saknas."),
        ("anna;Anna;Ek;;;;", "line 2: role: Värde saknas."),
        ("anna;" + "A" * 151 + ";Ek;care_staff;;;", "line 2: first_name: Högst 150 tecken."),
    ],
)
def test_bad_cells_are_reported_and_nothing_is_written(units, line, expected):
    text = "username;first_name;last_name;role;email;units;active\nok;Ok;Ok;care_staff;;;\n"
    result = import_csv("users", text + line + "\n")
    assert result.errors == [expected.replace("line 2", "line 3")]
    assert not User.objects.exists()


def test_missing_and_unknown_columns_are_header_problems(units):
    result = import_csv("users", "username;first_name;role;password\nanna;Anna;care_staff;x\n")
    assert result.errors == [
        "line 1: password: Okänd kolumn för users; tillåtna kolumner: username, first_name, "
        "last_name, role, email, units, active, staff.",
        "line 1: last_name: Obligatorisk kolumn saknas.",
    ]


def test_a_username_twice_in_the_file_is_an_error_whatever_the_case(units):
    result = import_csv(
        "users",
        "username;first_name;last_name;role\nanna;Anna;Ek;care_staff\nANNA;Anna;Ek;coordinator\n",
    )
    assert result.errors == ["line 3: username: Samma username finns redan på rad 2 i filen."]


def test_superusers_are_not_changed_by_an_import(units):
    User.objects.create_superuser("root", password="x")
    result = import_csv(
        "users", "username;first_name;last_name;role;active\nroot;R;R;care_staff;nej\n"
    )
    assert result.errors == [
        "line 2: username: Kontot är en superanvändare; det ändras bara i administrationen."
    ]
    assert User.objects.get(username="root").is_active


def test_a_staff_record_belongs_to_one_user(units, bo_staff):
    owner = make_user("bo", role=Role.CARE_STAFF)
    bo_staff.user = owner
    bo_staff.save()
    text = "username;first_name;last_name;role;staff\n"
    taken = import_csv("users", text + "anna;Anna;Ek;care_staff;bobe\n")
    assert taken.errors == ["line 2: staff: @bobe är redan kopplad till användaren bo."]
    twice = import_csv(
        "users", text + "x;X;X;care_staff;\nanna;A;E;care_staff;@bobe\nbo;B;B;care_staff;bobe\n"
    )
    assert twice.errors == [
        "line 3: staff: @bobe är redan kopplad till användaren bo.",
        "line 4: staff: @bobe är redan kopplad till användaren på rad 3.",
    ]
    unknown = import_csv("users", text + "anna;Anna;Ek;care_staff;nobody\n")
    assert unknown.errors == ["line 2: staff: Okänd signatur ”nobody”."]
    # Moving the record in the same file (its owner gets none) is fine.
    moved = import_csv("users", text + "anna;Anna;Ek;care_staff;bobe\nbo;Bo;Berg;care_staff;\n")
    assert moved.ok, moved.errors
    assert Staff.objects.get(signature="bobe").user.username == "anna"


def test_a_problem_on_one_row_writes_nothing_at_all(units, bo_staff):
    broken = USERS + "dora;Dora;;care_staff;;U1;;\n"
    result = import_csv("users", broken)
    assert result.errors == ["line 5: last_name: Värde saknas."]
    assert not User.objects.exists()
    assert Staff.objects.get(signature="bobe").user is None


def big_file(managers: int, staff: int, unit_codes: list[str]) -> str:
    lines = ["username;first_name;last_name;role;email;units;active"]
    for n in range(managers):
        code = unit_codes[n % len(unit_codes)]
        lines.append(f"chef{n}@kommun.se;Chef;Nummer {n};unit_manager;chef{n}@kommun.se;{code};ja")
    for n in range(staff):
        code = unit_codes[n % len(unit_codes)]
        lines.append(f"personal{n}@kommun.se;Per;Sonal {n};care_staff;;{code};ja")
    return "\n".join(lines) + "\n"


def test_3300_accounts_are_imported_in_a_fixed_number_of_queries():
    codes = [f"E{n:03d}" for n in range(60)]
    for code in codes:
        UnitFactory(code=code)
    text = big_file(300, 3000, codes)
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        result = import_csv("users", text)
    elapsed = time.monotonic() - started
    assert result.ok, result.errors[:5]
    assert (result.created, result.updated, result.unchanged) == (3300, 0, 0)
    assert User.objects.filter(groups__name=Role.CARE_STAFF).count() == 3000
    assert Group.objects.get(name=Role.UNIT_MANAGER).user_set.count() == 300
    # Batches of 500-900 rows: a few dozen queries, not thousands.
    assert len(queries) < 80, len(queries)
    assert elapsed < 60, elapsed

    # Everyone again, with 300 moved to another unit: updates only those.
    moved = text.replace(";E000;ja", ";E001;ja")
    again = import_csv("users", moved)
    assert (again.created, again.updated) == (0, 3300 // 60)


# The command runs in a child process against the test database, so the data
# must be committed: a transactional test.
@pytest.mark.django_db(transaction=True)
def test_the_command_imports_users(tmp_path):
    UnitFactory(code="U1")
    path = tmp_path / "users.csv"
    path.write_text(
        "username,first_name,last_name,role,units\nanna,Anna,Ek,Enhetschef,U1\n",
        encoding="utf-8-sig",
    )
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    env = {**os.environ, "DATABASE_URL": database_url()}
    completed = subprocess.run(
        [sys.executable, str(manage), "import_csv", "users", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert (completed.returncode, completed.stdout) == (
        0,
        "users: 1 created, 0 updated, 0 unchanged\n",
    )
    assert roles_of("anna") == [Role.UNIT_MANAGER]


def test_administrators_import_users_in_the_browser_with_the_same_report(client, units):
    make_user("admin", role=Role.ADMINISTRATOR)
    client.login(username="admin", password="pw")
    page = client.get("/import/").content.decode()
    assert '<option value="users">Användare</option>' in page
    assert "<code>username</code>" in page

    def upload(text):
        from django.core.files.uploadedfile import SimpleUploadedFile

        file = SimpleUploadedFile("users.csv", text.encode("utf-8-sig"), content_type="text/csv")
        # The import runs as a background job (at once in the tests); the
        # job's page shows its report.
        return client.post("/import/", {"kind": "users", "file": file}, follow=True)

    bad = upload("username;first_name;last_name;role\nanna;Anna;Ek;chef\n")
    assert bad.context["job"].result_data["errors"][0].startswith("line 2: role: Okänd roll ”chef”")
    assert not User.objects.filter(username="anna").exists()
    good = upload("username;first_name;last_name;role;units\nanna;Anna;Ek;coordinator;U1\n")
    result = good.context["job"].result_data
    assert result["ok"]
    assert (result["created"], result["updated"]) == (1, 0)
    assert roles_of("anna") == [Role.COORDINATOR]


def test_usernames_with_letters_outside_ascii_are_matched_as_stored(units):
    """SQLite lowers only ASCII letters: a stored "ÅSA.ÖST" is still found by
    the name as stored, and a mixed-case ASCII name by any case."""
    make_user("ÅSA.ÖST", role=Role.CARE_STAFF)
    make_user("Bo.Berg", role=Role.CARE_STAFF)
    found = account_services.users_by_username(["ÅSA.ÖST", "BO.BERG", "okänd"])
    assert {key: user.username for key, user in found.items()} == {
        "åsa.öst": "ÅSA.ÖST",
        "bo.berg": "Bo.Berg",
    }
    result = import_csv(
        "users", "username;first_name;last_name;role\nÅSA.ÖST;Åsa;Öst;coordinator\n"
    )
    assert (result.created, result.updated) == (0, 1)
    assert roles_of("ÅSA.ÖST") == [Role.COORDINATOR]
