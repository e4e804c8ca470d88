"""The migrations build the schema the models describe, on both databases.

The suite's own test databases are built from the models (`--nomigrations` in
pyproject.toml): running every migration once per test worker and database
cost each `make test` about a minute of CPU. This test runs them instead, once
per database, the way `make run` and a deployment do (`manage.py migrate` in a
child process, on an empty database), and compares the schema they build with
the test database's: the same tables, the same columns with the same
nullability, the same indexes and constraints. With `makemigrations --check`
(scripts/test.sh), which proves the migrations describe the models, this is
what running the migrations for every worker used to prove.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from contacts.roles import ROLE_PERMISSIONS
from tests.conftest import database_url

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def _schema(conn: BaseDatabaseWrapper) -> dict[str, Any]:
    """Every table of the project: its columns (name, nullable) and the names
    of its indexes and constraints that Django named (primary keys and
    SQLite's automatic indexes are named by the database)."""
    schema: dict[str, Any] = {}
    with conn.cursor() as cursor:
        tables = conn.introspection.table_names(cursor)
        for table in sorted(tables):
            if table.startswith("sqlite_"):
                continue
            columns = sorted(
                (column.name, bool(column.null_ok))
                for column in conn.introspection.get_table_description(cursor, table)
            )
            constraints = conn.introspection.get_constraints(cursor, table)
            named = sorted(
                name
                for name, info in constraints.items()
                if not info.get("primary_key")
                and not name.startswith(("sqlite_autoindex", "__unnamed"))
            )
            schema[table] = {"columns": columns, "constraints": named}
    return schema


def _migrated_database() -> tuple[str, Any]:
    """An empty database beside the test database: (its URL, a callable that
    removes it)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(str(settings["NAME"])).with_name(
            f"migrations-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.sqlite3"
        )
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    name = f"{settings['NAME']}_migrations"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')

    url = database_url().rsplit("/", 1)[0] + f"/{name}"
    return url, drop


# Run in the child process, on the migrated database.
READ_MIGRATED = """
import json, django
django.setup()
from django.db import connection
from tests.test_migrations import _schema
with connection.cursor() as cursor:
    cursor.execute("SELECT name FROM auth_group ORDER BY name")
    groups = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT app, name FROM django_migrations")
    applied = sorted(cursor.fetchall())
print(json.dumps({"schema": _schema(connection), "groups": groups, "applied": applied}))
"""


def test_the_migrations_build_the_schema_of_the_models_with_the_role_groups():
    url, drop = _migrated_database()
    try:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "omsorg.settings",
        }
        for command in (["manage.py", "migrate", "--noinput"], ["-c", READ_MIGRATED]):
            result = subprocess.run(
                [sys.executable, *command],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr[-3000:]
    finally:
        drop()
    migrated = json.loads(result.stdout.strip().splitlines()[-1])

    # JSON has lists where the in-process schema has tuples.
    expected = json.loads(json.dumps(_schema(connection)))
    for schema in (expected, migrated["schema"]):
        schema.pop("django_migrations", None)
    assert migrated["schema"].keys() == expected.keys()
    for table, shape in expected.items():
        assert migrated["schema"][table] == shape, table
    # The role groups come from post_migrate, in both ways of building.
    assert migrated["groups"] == sorted(ROLE_PERMISSIONS)
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(ROLE_PERMISSIONS)
    # Every migration file of the project ran.
    files = {
        (path.parent.parent.name, path.stem)
        for path in ROOT.glob("*/migrations/0*.py")
        if path.parent.parent.name != ".venv"
    }
    assert files and files <= {tuple(row) for row in migrated["applied"]}
