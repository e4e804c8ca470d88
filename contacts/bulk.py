"""Plain SQL for the bulk writes of the import, run by both databases.

The ORM's ``bulk_create`` builds a model instance and prepares every field of
every row; for hundreds of thousands of rows that is most of the time of an
import. Here rows are plain tuples: they are loaded into a temporary table
(COPY on PostgreSQL, one prepared INSERT run for every row on SQLite) and
written from there with one ``INSERT … SELECT … ON CONFLICT … DO UPDATE``
(SQLite has upsert since 3.24) or a join. Values must already be in a form
both databases read from text: strings, ints, bools and None (see
``db_datetime``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

# Rows per statement when keys are looked up (one JSON parameter each).
CHUNK = 5000


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def db_datetime(value: dt.datetime | None, vendor: str | None = None) -> str | None:
    """An aware date-time as the database stores it: on SQLite as Django's
    ORM does (naive UTC text), on PostgreSQL with its offset. ``vendor``:
    ``connection.vendor``, read once by a caller converting many values
    (reading it costs more than the conversion)."""
    return _db_datetime(vendor or connection.vendor, value)


@functools.lru_cache(maxsize=65536)
def _db_datetime(vendor: str, value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if vendor == "postgresql":
        return value.isoformat(" ")
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def datetime_text_sql(column: str) -> str:
    """A date-time column as text to compare with ``datetime_text``: loading
    a date-time in Python costs more than the rest of a row's comparison."""
    if connection.vendor == "postgresql":
        return f"to_char({_quote(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    # Stored as text already (naive UTC, as str() of a datetime writes it).
    return f"CAST({_quote(column)} AS TEXT)"


@functools.lru_cache(maxsize=65536)
def datetime_text(vendor: str, value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if vendor == "postgresql":
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return _db_datetime(vendor, value)


def keys_condition(column: str, cast: str = "") -> str:
    """``column`` is one of the values of a JSON-array parameter: a list of
    keys is one parameter, however long (SQLite allows 999 per statement).
    On PostgreSQL the array is built once and compared as a scalar array (an
    index scan, or a hashed filter): a join with the set-returning function
    lets the planner, with statistics from before the import (an empty table),
    scan the table once per key."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(ARRAY(SELECT json_array_elements_text(%s::json){cast}))"
    return f"{column} IN (SELECT value FROM json_each(%s))"


def keys_filter(model: Any, field: str, keys: Iterable[Any], *, lower: bool = False) -> RawSQL:
    """For ``Model.objects.filter(…)``: the model's ``field`` is one of
    ``keys``, sent as one parameter instead of one per key. With tens of
    thousands of keys, ``field__in=keys`` spends more time building, binding
    and parsing the statement than the database spends answering it.

    On PostgreSQL the parameter is an array, which arrives as a constant the
    planner can hash (a table filled by this very import may still be
    "empty" to its statistics, and then it is scanned with this filter); on
    SQLite a JSON array read with json_each. ``lower``: the column's
    lower-case form is one of ``keys`` (give them in lower case); LOWER() as
    Django's Lower() has it on each database."""
    model_field = model._meta.get_field(field)
    column = f"{_quote(model._meta.db_table)}.{_quote(model_field.column)}"
    if lower:
        column = f"LOWER({column})"
    if connection.vendor == "postgresql":
        # Typed as the column: a bigint column compared with the int4[] that
        # psycopg makes of small ids is a cross-type comparison PostgreSQL
        # does not hash, and a scan then searches the array for every row.
        array_type = f"{model_field.db_type(connection)}[]"
        return RawSQL(
            f"{column} = ANY(%s::{array_type})", [list(keys)], output_field=BooleanField()
        )
    return RawSQL(
        f"{column} IN (SELECT value FROM json_each(%s))",
        [json.dumps(list(keys))],
        output_field=BooleanField(),
    )


def select_by_keys(
    cursor: Any, sql: str, column: str, keys: Sequence[Any], cast: str = ""
) -> Iterable[tuple[Any, ...]]:
    """Rows of ``sql`` (with ``{keys}`` where the condition on ``column``
    goes) for the keys, a chunk at a time."""
    statement = sql.format(keys=keys_condition(_quote(column), cast))
    for start in range(0, len(keys), CHUNK):
        cursor.execute(statement, [json.dumps(list(keys[start : start + CHUNK]))])
        yield from cursor.fetchall()


def check_deferred(cursor: Any) -> None:
    """Run the foreign-key checks PostgreSQL has queued for the end of the
    transaction now (Django's foreign keys are deferred), and defer the next
    ones again. PostgreSQL keeps the queue in the server process's memory
    (about 50 bytes a visit and its staff row) and frees what it has checked
    when this runs outside a savepoint: a long import that checks after each
    batch keeps it small, and a broken reference is found at its batch
    rather than at the commit. Our only deferrable constraints are those
    foreign keys. Nothing on SQLite, which keeps only a count of the
    violations until the commit."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def insert_rows(cursor: Any, table: str, columns: Sequence[str], rows: list[Any]) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``."""
    if not rows:
        return
    names = ", ".join(_quote(c) for c in columns)
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {_quote(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("%s" for _ in columns)
        cursor.executemany(f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})", rows)


def insert_new(
    cursor: Any, table: str, key: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> dict[Any, int]:
    """Insert new rows (``key`` is the first of ``columns``, unique) and
    return their ids by key. PostgreSQL hands out the ids first, from the
    table's sequence, so the rows go in by COPY; SQLite reads them back."""
    if not rows:
        return {}
    if connection.vendor == "postgresql":
        ids = insert_in_order(cursor, table, columns, rows)
        return {row[0]: pk for pk, row in zip(ids, rows, strict=True)}
    insert_rows(cursor, table, columns, rows)
    return dict(
        select_by_keys(
            cursor,
            f"SELECT {_quote(key)}, id FROM {_quote(table)} WHERE {{keys}}",
            key,
            [row[0] for row in rows],
        )
    )


def insert_in_order(
    cursor: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> list[int]:
    """Insert ``rows`` and return their ids, increasing in the order of the
    rows (where the order of the ids means something, as for the changes of
    one date in a contact history). PostgreSQL hands out the ids first, from
    the table's sequence. SQLite numbers the rows as they come, each after
    the largest id; from the first of them its transaction (call this inside
    one) holds the database's write lock, so the last ids of the table are
    these rows'."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        insert_rows(
            cursor,
            table,
            ("id", *columns),
            [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
        )
        return ids
    insert_rows(cursor, table, columns, rows)
    cursor.execute(f"SELECT id FROM {_quote(table)} ORDER BY id DESC LIMIT %s", [len(rows)])
    return sorted(row[0] for row in cursor.fetchall())


def load_temp(cursor: Any, table: str, shape: str, columns: Sequence[str], rows: list[Any]) -> None:
    """Fill the temporary table ``table`` with ``rows``. It is created on
    first use with the columns (names and types) of the query ``shape``
    (``SELECT … WHERE 1 = 0``), and emptied before."""
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {_quote(table)} AS {shape}")
    cursor.execute(f"DELETE FROM {_quote(table)}")
    insert_rows(cursor, table, columns, rows)


def upsert_from_temp(
    cursor: Any, table: str, temp: str, columns: Sequence[str], conflict: str
) -> None:
    """Insert the temporary table's rows; a row whose ``conflict`` key exists
    updates the stored row's columns instead."""
    names = ", ".join(_quote(c) for c in columns)
    updates = ", ".join(f"{_quote(c)} = excluded.{_quote(c)}" for c in columns if c != conflict)
    # "WHERE true" tells SQLite's parser that ON CONFLICT is not a join's ON.
    cursor.execute(
        f"INSERT INTO {_quote(table)} ({names}) SELECT {names} FROM {_quote(temp)} WHERE true "
        f"ON CONFLICT ({_quote(conflict)}) DO UPDATE SET {updates}"
    )
