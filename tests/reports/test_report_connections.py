"""The organisation-wide continuity report in several connections at once
(reports.sql.fetch_by_client_share): the shares of the clients add up to the
report of one query, read one snapshot, and an error in any share is the
caller's error with nothing left open.

PostgreSQL only: the shares run in connections of their own on a snapshot
exported by the first (pg_export_snapshot), which SQLite does not have; there
the report is always one query. The tests commit their data (transaction=True),
since other connections never see a test's open transaction."""

import dataclasses
import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from contacts.models import Unit, Visit
from reports import continuity, reference
from reports import sql as report_sql

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only("shares in connections of their own on an exported snapshot"),
]

FIRST = dt.date(2025, 3, 24)
LAST = FIRST + dt.timedelta(days=7)


@pytest.fixture
def municipality():
    call_command(
        "generate_scale_data",
        *("--clients", "120", "--days", "8", "--from", FIRST.isoformat(), "--seed", "5"),
        stdout=io.StringIO(),
    )


def as_dicts(report):
    return dataclasses.asdict(report) | {"unit": None}


def test_the_shares_add_up_to_the_python_reference(municipality, monkeypatch):
    threads = []
    start = threading.Thread.start
    monkeypatch.setattr(
        threading.Thread, "start", lambda self: (threads.append(self), start(self))[1]
    )
    assert report_sql.concurrent()
    split = continuity.continuity_report(None, FIRST, LAST)
    assert len(threads) == report_sql.REPORT_CONNECTIONS - 1 >= 1
    assert len(split.clients) > 100
    assert as_dicts(split) == as_dicts(reference.continuity_report(None, FIRST, LAST))
    # The units of a user with many (here more than one).
    monkeypatch.setattr(continuity, "SHARED_FROM_UNITS", 1)
    some = Unit.objects.order_by("code")[:2]
    scoped = continuity.continuity_report(None, FIRST, LAST, units=Unit.objects.filter(pk__in=some))
    assert as_dicts(scoped) == as_dicts(
        reference.continuity_report(None, FIRST, LAST, units=Unit.objects.filter(pk__in=some))
    )
    assert len(threads) == 2 * (report_sql.REPORT_CONNECTIONS - 1)
    assert not connection.in_atomic_block


def test_the_shares_settings_end_with_the_report(municipality):
    """The shares' planner and memory settings (no parallel workers, no JIT,
    64 MB sorts) last as long as their transaction: the connection that made
    the report goes on with its own."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        before = cursor.fetchone()
        continuity.continuity_report(None, FIRST, LAST)
        cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        assert cursor.fetchone() == before
    assert before[0] != "64MB"


def test_every_share_reads_the_same_snapshot(municipality, monkeypatch):
    """A visit deleted while the other share runs is still counted by both:
    the second connection reads the first one's snapshot, not the database
    as it is when it starts."""
    before = continuity.continuity_report(None, FIRST, LAST)
    original = report_sql.fetch_by_client_share
    deleted = []

    def query_after_a_delete(query):
        def deleting(share_sql):
            if "= 1" in share_sql and not deleted:
                deleted.append(True)

                # Another connection, committed before share 1 runs.
                def delete():
                    try:
                        Visit.objects.all().delete()
                    finally:
                        connection.close()

                worker = threading.Thread(target=delete)
                worker.start()
                worker.join()
            return query(share_sql)

        return original(deleting)

    monkeypatch.setattr(continuity, "fetch_by_client_share", query_after_a_delete)
    during = continuity.continuity_report(None, FIRST, LAST)
    assert not Visit.objects.exists()  # the delete did happen
    assert as_dicts(during) == as_dicts(before)
    assert continuity.continuity_report(None, FIRST, LAST).clients == []


def test_an_error_in_one_share_is_raised_and_nothing_stays_open(municipality):
    def broken(share_sql):
        if "= 1" in share_sql:
            return "SELECT * FROM no_such_table", []
        return "SELECT 1", []

    with pytest.raises(Exception, match="no_such_table"):
        report_sql.fetch_by_client_share(broken)
    assert not connection.in_atomic_block
    assert continuity.continuity_report(None, FIRST, LAST).visits > 0


def test_inside_a_transaction_the_report_is_one_query(municipality):
    from django.db import transaction

    with transaction.atomic():
        assert not report_sql.concurrent()
        report = continuity.continuity_report(None, FIRST, LAST)
    assert as_dicts(report) == as_dicts(reference.continuity_report(None, FIRST, LAST))
