"""Indexes: every foreign key is served by one, and none is kept for nothing.

A foreign key needs an index that begins with its column: the database
looks the rows up through it when the referenced row is deleted (CASCADE,
PROTECT) and the pages filter by it. Django gives each foreign key an index
of its own, but where a composite index (or unique constraint) already
begins with the column, that one serves the same lookups, and the second
index is only written: once more on every visit, contact change or journal
note saved. Those foreign keys are declared ``db_index=False``.

The many-to-many tables Django makes itself (a visit's staff, a staff
member's units) keep Django's indexes: the models do not declare them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, models

ROOT = Path(__file__).resolve().parents[1]


def _project_models() -> list[type[models.Model]]:
    """The concrete models of this project's apps (not Django's, not a library's)."""
    return [
        model
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(ROOT)
        and ".venv" not in Path(config.path).parts
        for model in config.get_models()
        if not model._meta.proxy and model._meta.managed
    ]


def _declared_indexes(model: type[models.Model]) -> list[tuple[str, tuple[str, ...], bool]]:
    """(name, columns, unique) of every index the model declares without a
    condition or expression: its fields' own, Meta.indexes, unique constraints."""
    meta = model._meta
    found = [
        (f"{field.name} (db_index)", (field.column,), False)
        for field in meta.local_fields
        if field.db_index and not field.unique and not field.primary_key
    ]
    for index in meta.indexes:
        if index.condition is None and not index.expressions:
            columns = tuple(meta.get_field(name.lstrip("-")).column for name in index.fields)
            found.append((index.name, columns, False))
    for constraint in meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.condition is None
            and not constraint.expressions
        ):
            columns = tuple(meta.get_field(name).column for name in constraint.fields)
            found.append((constraint.name, columns, True))
    for fields in meta.unique_together:
        found.append(
            (f"unique_together {fields}", tuple(meta.get_field(f).column for f in fields), True)
        )
    return found


def test_the_project_models_are_found() -> None:
    labels = {model._meta.label for model in _project_models()}
    assert {"contacts.Visit", "contacts.CareContactChange", "journal.JournalNote"} <= labels


def test_no_index_begins_another() -> None:
    """A non-unique index whose columns begin another index's is redundant."""
    redundant = []
    for model in _project_models():
        declared = _declared_indexes(model)
        for name, columns, unique in declared:
            if unique:
                continue  # a unique constraint is a rule, not only a lookup
            for other, other_columns, _unique in declared:
                if other != name and other_columns[: len(columns)] == columns:
                    redundant.append(f"{model._meta.label}: {name} begins {other}")
    assert redundant == []


@pytest.mark.django_db
def test_every_foreign_key_is_served_by_an_index_in_the_database() -> None:
    """What the database holds (built from the models here; test_migrations
    shows the migrations build the same): for each foreign key, an index,
    unique constraint or primary key that begins with its column."""
    missing = []
    with connection.cursor() as cursor:
        for model in _project_models():
            table = model._meta.db_table
            constraints = connection.introspection.get_constraints(cursor, table)
            first_columns = {
                info["columns"][0]
                for info in constraints.values()
                if (info["index"] or info["unique"] or info["primary_key"]) and info["columns"]
            }
            for field in model._meta.local_fields:
                if isinstance(field, models.ForeignKey) and field.column not in first_columns:
                    missing.append(f"{table}.{field.column}")
    assert missing == []


@pytest.mark.django_db
def test_the_redundant_indexes_are_not_in_the_database() -> None:
    """The foreign keys below have no index of their own any more."""
    expected_gone = {
        ("contacts_visit", "client_id"),
        ("contacts_visit", "unit_id"),
        ("contacts_carecontactchange", "unit_id"),
        ("journal_journalnote", "client_id"),
        ("journal_journalnote", "unit_id"),
    }
    with connection.cursor() as cursor:
        for table, column in expected_gone:
            single = [
                name
                for name, info in connection.introspection.get_constraints(cursor, table).items()
                if info["index"] and not info["unique"] and info["columns"] == [column]
            ]
            assert single == [], (table, column)
