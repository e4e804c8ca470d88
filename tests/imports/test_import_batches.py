"""The bulk paths of the import: rows written a batch at a time in plain SQL."""

import datetime as dt
import gc

import pytest
from django.db import IntegrityError, connection, transaction

from contacts import bulk, services
from contacts.models import CareContactChange, Client, Service, Staff, Visit
from contacts.personal_id import make_test_personnummer
from imports import importers
from imports.importers import import_csv
from tests.contacts.factories import ClientFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_batches(monkeypatch):
    for importer in importers.IMPORTERS.values():
        if importer.batch_size is not None:
            monkeypatch.setattr(importer, "batch_size", 2)


HEADER = "visit_id;customer_number;unit;start;end;status;staff\n"


def test_a_bad_visit_in_a_later_batch_leaves_nothing_written(world, small_batches):
    data = (
        HEADER
        + "V1;K1;U1;2025-01-15 08:00;2025-01-15 08:30;performed;brs89\n"
        + "V2;K1;U1;2025-01-15 09:00;;performed;kal01\n"
        + "V3;K1;U1;2025-01-15 10:00;;performed;brs89\n"
        + "V4;K1;U1;2025-01-15 11:00;2025-01-15 10:00;performed;brs89\n"
    )
    result = import_csv("visits", data)
    assert result.errors == ["line 5: end: Sluttiden kan inte vara före starttiden."]
    assert Visit.objects.count() == 0
    assert Visit.staff.through.objects.count() == 0


def test_the_same_visit_twice_in_a_batch_is_an_error(world):
    data = (
        HEADER
        + "V1;K1;U1;2025-01-15 08:00;;performed;brs89\n"
        + "V1;K1;U1;2025-01-15 09:00;;performed;kal01\n"
    )
    result = import_csv("visits", data)
    assert result.errors == ["line 3: visit_id: Samma visit_id finns redan på rad 2 i filen."]
    assert Visit.objects.count() == 0


def test_a_visit_id_longer_than_the_column_is_a_row_problem(world):
    result = import_csv("visits", HEADER + f"{'V' * 65};K1;U1;2025-01-15 08:00;;planned;\n")
    assert result.errors == ["line 2: visit_id: Högst 64 tecken."]


def test_a_new_start_moves_the_local_date_and_time_and_new_staff_replace_the_old(
    world, small_batches
):
    unit, client, britta, kalle = world
    first = HEADER + "V1;K1;U1;2025-01-15 08:00;;performed;brs89\nV2;K1;U1;2025-01-16 08:00;;;\n"
    assert import_csv("visits", first.replace(";;;", ";;planned;")).created == 2
    # 00:30 in Stockholm is 23:30 UTC the day before (winter time).
    moved = (
        HEADER + "V1;K1;U1;2025-01-16 00:30;;performed;kal01\nV2;K1;U1;2025-01-16 08:00;;planned;\n"
    )
    result = import_csv("visits", moved)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    visit = Visit.objects.get(visit_id="V1")
    assert visit.start == dt.datetime(2025, 1, 15, 23, 30, tzinfo=dt.UTC)
    assert (visit.local_date, visit.local_time) == (dt.date(2025, 1, 16), dt.time(0, 30))
    assert list(visit.staff.all()) == [kalle]
    again = import_csv("visits", moved)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_new_staff_in_several_batches_get_their_units(small_batches):
    UnitFactory(code="U1")
    UnitFactory(code="U2")
    data = "signature;first_name;last_name;title;units\n" + "".join(
        f"s{n};F{n};E{n};övrig;U{1 + n % 2}\n" for n in range(5)
    )
    result = import_csv("staff", data)
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    assert sorted(Staff.objects.values_list("signature", "units__code")) == [
        ("s0", "U1"),
        ("s1", "U2"),
        ("s2", "U1"),
        ("s3", "U2"),
        ("s4", "U1"),
    ]
    assert import_csv("staff", data).unchanged == 5


def test_a_too_long_name_in_a_later_batch_is_reported_and_nothing_is_written(small_batches):
    rows = [
        f"K{n};{make_test_personnummer(dt.date(1940, 1, 1 + n), 10 + n, female=True)};A;B\n"
        for n in range(3)
    ]
    rows[2] = rows[2].replace(";A;", f";{'A' * 101};")
    result = import_csv(
        "clients", "customer_number;personal_id;first_name;last_name\n" + "".join(rows)
    )
    assert len(result.errors) == 1
    assert result.errors[0].startswith("line 4: first_name: ")
    assert "100" in result.errors[0]
    assert Client.objects.count() == 0


def test_an_ended_service_ends_the_contact_only_when_no_other_service_goes_on(world):
    unit, client, britta, _ = world
    services.care_contact_change(
        client=client, unit=unit, status="accepted", ordinary=britta, effective=dt.date(2025, 2, 1)
    )
    # The ended service comes first; the ongoing one later in the file keeps
    # the execution (and so the contact) going: the file counts as a whole.
    data = (
        "customer_number;unit;kind;start;end\n"
        "K1;U1;alarm;2025-01-01;2025-03-31\n"
        "K1;U1;personal_care;2025-01-01;\n"
    )
    result = import_csv("services", data)
    assert result.ok, result.errors
    assert CareContactChange.objects.count() == 1

    ended = import_csv(
        "services", data.replace("personal_care;2025-01-01;", "personal_care;2025-01-01;2025-04-30")
    )
    assert (ended.created, ended.updated, ended.unchanged) == (0, 1, 1)
    end = CareContactChange.objects.get(effective=dt.date(2025, 5, 1))
    assert (end.status, end.ordinary_id, end.old_ordinary_id) == ("not_asked", None, britta.pk)


def test_a_bad_service_in_a_later_batch_leaves_nothing_written(world, small_batches):
    data = (
        "customer_number;unit;kind;start;end\n"
        "K1;U1;alarm;2025-01-01;\n"
        "K1;U1;meals;2025-01-01;\n"
        "K1;U1;cleaning;2025-01-01;2025-13-01\n"
    )
    result = import_csv("services", data)
    assert result.errors == ["line 4: end: ”2025-13-01” är inget giltigt datum (ÅÅÅÅ-MM-DD)."]
    assert Service.objects.count() == 0


def test_a_reimported_contacts_file_reads_the_history_in_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    unit, client, britta, kalle = world
    other = ClientFactory(customer_number="K2")
    data = (
        "customer_number;unit;status;ordinary;deputy;effective\n"
        "K1;U1;accepted;brs89;kal01;2025-02-01\n"
        "K2;U1;accepted;kal01;;2025-02-01\n"
        "K1;U1;accepted;kal01;brs89;2025-03-01\n"
    )
    for _client in (client, other):
        services.service_upsert(
            client=_client, unit=unit, kind="personal_care", start=dt.date(2025, 1, 1), end=None
        )
    assert import_csv("contacts", data).created == 3
    with CaptureQueriesContext(connection) as two:
        again = import_csv("contacts", data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    more = data + "K2;U1;accepted;brs89;;2025-03-01\n"
    assert import_csv("contacts", more).created == 1
    with CaptureQueriesContext(connection) as three:
        assert import_csv("contacts", more).unchanged == 4
    assert len(three.captured_queries) == len(two.captured_queries)


def test_a_visit_given_again_in_a_later_batch_is_an_error_with_its_first_line(world, small_batches):
    # Batches of two: V1 comes back in the second and the last batch, V2
    # twice in the third; every repeat is reported with the line of the first.
    data = (
        HEADER
        + "V1;K1;U1;2025-01-15 08:00;;performed;brs89\n"
        + "V2;K1;U1;2025-01-15 09:00;;performed;kal01\n"
        + "V3;K1;U1;2025-01-15 10:00;;performed;brs89\n"
        + "V1;K1;U1;2025-01-15 11:00;;performed;brs89\n"
        + "V2;K1;U1;2025-01-15 12:00;;performed;brs89\n"
        + "V2;K1;U1;2025-01-15 13:00;;performed;brs89\n"
        + "V1;K1;U1;2025-01-15 14:00;;performed;brs89\n"
    )
    result = import_csv("visits", data)
    assert result.errors == [
        "line 5: visit_id: Samma visit_id finns redan på rad 2 i filen.",
        "line 6: visit_id: Samma visit_id finns redan på rad 3 i filen.",
        "line 7: visit_id: Samma visit_id finns redan på rad 3 i filen.",
        "line 8: visit_id: Samma visit_id finns redan på rad 2 i filen.",
    ]
    assert Visit.objects.count() == 0


def test_a_repeated_visit_is_found_after_another_problem_too(world, small_batches):
    # Once a row has failed nothing more is written, but the later batches
    # are still checked, so every problem of the file is listed at once.
    data = (
        HEADER
        + "V1;K1;U1;2025-01-15 08:00;;performed;nobody\n"
        + "V2;K1;U1;2025-01-15 09:00;;performed;kal01\n"
        + "V3;K1;U1;2025-01-15 10:00;;performed;brs89\n"
        + "V2;K1;U1;2025-01-15 11:00;;performed;brs89\n"
    )
    result = import_csv("visits", data)
    assert result.errors == [
        "line 2: staff: Okänd signatur ”nobody”.",
        "line 5: visit_id: Samma visit_id finns redan på rad 3 i filen.",
    ]
    assert Visit.objects.count() == 0


def test_imports_of_visits_leave_no_table_of_keys_behind(world, small_batches):
    def key_tables() -> list[str]:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT relname FROM pg_class WHERE relname LIKE 'import_keys_%%' "
                    "AND relkind = 'r'"
                )
            else:
                cursor.execute(
                    "SELECT name FROM sqlite_temp_master WHERE name LIKE 'import_keys_%'"
                )
            return [name for (name,) in cursor.fetchall()]

    good = (
        HEADER + "V1;K1;U1;2025-01-15 08:00;;performed;brs89\nV2;K1;U1;2025-01-16 08:00;;planned;\n"
    )
    bad = good + "V1;K1;U1;2025-01-17 08:00;;performed;brs89\n"
    assert import_csv("visits", good).created == 2
    assert key_tables() == []
    assert not import_csv("visits", bad).ok
    assert key_tables() == []
    # Two imports in one transaction (a test's, or a caller's) each have their own.
    again = import_csv("visits", good)
    assert (again.created, again.unchanged) == (0, 2)
    assert key_tables() == []


def _count_checks(monkeypatch) -> list[int]:
    checked: list[int] = []
    check = bulk.check_deferred
    monkeypatch.setattr(bulk, "check_deferred", lambda cursor: checked.append(1) or check(cursor))
    return checked


FIVE_VISITS = HEADER + "".join(
    f"V{n};K1;U1;2025-01-15 {8 + n:02d}:00;;performed;brs89\n" for n in range(5)
)


@pytest.mark.django_db(transaction=True)
def test_a_long_visit_file_has_its_references_checked_as_it_goes(world, small_batches, monkeypatch):
    # After every batch (of two rows here, 5,000 in a real import, which is
    # its own transaction): PostgreSQL's queue of checks does not grow.
    checked = _count_checks(monkeypatch)
    result = import_csv("visits", FIVE_VISITS)
    assert (result.created, result.errors) == (5, [])
    assert len(checked) == 3
    assert Visit.staff.through.objects.count() == 5


def test_inside_a_callers_transaction_the_references_wait_for_its_commit(
    world, small_batches, monkeypatch
):
    # There PostgreSQL would keep the checks run in the queue, and each
    # check go through them all again.
    checked = _count_checks(monkeypatch)
    with transaction.atomic():
        result = import_csv("visits", FIVE_VISITS)
    assert (result.created, checked) == (5, [])


@pytest.mark.postgres_only("SQLite keeps no queue of deferred checks, only a count of violations")
def test_a_broken_reference_is_found_by_the_check_not_at_the_commit(world):
    unit, client, britta, kalle = world
    visit = Visit.objects.create(
        visit_id="V1",
        client=client,
        unit=unit,
        start=dt.datetime(2025, 1, 15, 8, tzinfo=dt.UTC),
        status=Visit.Status.PERFORMED,
    )
    table = Visit.staff.through._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (visit_id, staff_id) VALUES (%s, %s)", [visit.pk, 999_999]
        )
        bulk.check_deferred(cursor)
    # The check deferred the keys again: a row with a parent written after it is fine.
    with transaction.atomic(), connection.cursor() as cursor:
        bulk.check_deferred(cursor)
        cursor.execute(
            f"INSERT INTO {table} (visit_id, staff_id) VALUES (%s, %s)", [visit.pk, 999_998]
        )
        StaffFactory(pk=999_998, signature="zz999")
    assert list(visit.staff.values_list("pk", flat=True)) == [999_998]


def test_the_collector_is_paused_during_an_import_and_back_after(world, small_batches, monkeypatch):
    # Paused while the rows are checked and written (they hold no cycles);
    # a long file still gets a young-generation collection every
    # COLLECT_EVERY batches, and the collector is on again afterwards,
    # whether the import was written or refused.
    monkeypatch.setattr(importers, "COLLECT_EVERY", 2)
    during: list[bool] = []
    collections: list[int] = []
    apply_all = importers.VisitImporter.apply_all
    collect = gc.collect

    def spy(self, prepared, counts):
        during.append(gc.isenabled())
        return apply_all(self, prepared, counts)

    monkeypatch.setattr(importers.VisitImporter, "apply_all", spy)
    monkeypatch.setattr(
        gc, "collect", lambda generation=2: collections.append(generation) or collect(generation)
    )
    result = import_csv("visits", FIVE_VISITS)
    assert (result.created, during, collections) == (5, [False, False, False], [1])
    assert gc.isenabled()
    refused = import_csv("visits", FIVE_VISITS.replace("brs89\n", "nobody\n", 1))
    assert not refused.ok and gc.isenabled()
