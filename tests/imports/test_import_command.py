"""`python manage.py import_csv KIND FILE`: output and exit status."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from contacts.models import Unit
from tests.conftest import database_url

# The command runs in a child process against the test database, so the data
# must be committed: a transactional test.
pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


class Run:
    def __init__(self, completed):
        self.code = completed.returncode
        self.out = completed.stdout
        self.err = completed.stderr


def run(*args):
    """Run `manage.py import_csv …` as from the shell, on the test database."""
    env = {**os.environ, "DATABASE_URL": database_url()}
    completed = subprocess.run(
        [sys.executable, str(MANAGE), "import_csv", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return Run(completed)


def test_success_prints_the_counts_and_exits_0(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code;name\nU1;Norr\nU2;Söder\n", encoding="utf-8-sig")
    first = run("units", path)
    assert (first.code, first.out) == (0, "units: 2 created, 0 updated, 0 unchanged\n")

    path.write_text("code;name\nU1;Norr\nU2;Söder Centrum\n", encoding="utf-8")
    second = run("units", path)
    assert (second.code, second.out) == (0, "units: 0 created, 1 updated, 1 unchanged\n")
    assert Unit.objects.get(code="U2").name == "Söder Centrum"


def test_problems_are_printed_one_per_line_with_exit_1_and_nothing_written(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name\nU1,Norr\n,Söder\nU3,\n", encoding="utf-8")
    result = run("units", path)
    assert result.code == 1
    assert result.out.splitlines() == [
        "line 3: code: Värde saknas.",
        "line 4: name: Värde saknas.",
    ]
    assert "Inget importerades: 2 fel" in result.err
    assert Unit.objects.count() == 0


def test_a_missing_file_exits_1_with_a_message(tmp_path):
    result = run("units", tmp_path / "nope.csv")
    assert result.code == 1
    assert "nope.csv kan inte läsas" in result.err


def test_an_unknown_kind_exits_1_with_a_message(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("code;name\n", encoding="utf-8")
    result = run("providers", path)
    assert result.code == 1
    assert "Okänd typ ”providers”" in result.err
