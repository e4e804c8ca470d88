"""manage.py backup and restore: a round trip of the demo data, on both databases."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from contacts.models import CareContactChange, Unit, Visit
from ops.backup import fingerprints

# The commands read and replace the committed database.
pytestmark = pytest.mark.django_db(transaction=True)


def test_restore_brings_back_every_table_exactly(tmp_path):
    call_command("seed_demo", clients=12, stdout=io.StringIO())
    before = fingerprints()
    assert before["contacts_visit"][0] > 0 and before["contacts_carecontactchange"][0] > 0

    out = io.StringIO()
    call_command("backup", str(tmp_path / "omsorg.backup"), stdout=out)
    assert "Säkerhetskopia skriven" in out.getvalue()

    # A mistake after the backup: rows gone, rows added, rows changed.
    Visit.objects.all().delete()
    CareContactChange.objects.filter(status="accepted").update(reason="ändrad")
    Unit.objects.create(code="NY", name="Ny enhet")
    assert fingerprints() != before

    call_command("restore", str(tmp_path / "omsorg.backup"), "--yes", stdout=io.StringIO())
    connection.close()
    after = fingerprints()
    assert after == before


def test_backup_refuses_to_overwrite_a_file(tmp_path):
    target = tmp_path / "finns.backup"
    target.write_text("gammal")
    with pytest.raises(CommandError, match="finns redan"):
        call_command("backup", str(target))
    assert target.read_text() == "gammal"


def test_restore_of_a_file_that_is_not_a_backup_changes_nothing(tmp_path):
    Unit.objects.create(code="U1", name="Norr")
    before = fingerprints()
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database backup\x00\x01")
    with pytest.raises(CommandError, match="inget ändrades"):
        call_command("restore", str(junk), "--yes")
    connection.close()
    assert fingerprints() == before


def test_restore_of_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="finns inte"):
        call_command("restore", str(tmp_path / "nope.backup"), "--yes")


def test_restore_asks_before_replacing_the_database(tmp_path, monkeypatch):
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    Unit.objects.create(code="U9", name="Kvar")
    monkeypatch.setattr("builtins.input", lambda prompt: "nej")
    with pytest.raises(CommandError, match="Avbrutet"):
        call_command("restore", str(tmp_path / "b"))
    assert Unit.objects.filter(code="U9").exists()
