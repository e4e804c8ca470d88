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

# Rows per statement when keys are looked up (one JSON parameter each).
CHUNK = 5000


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def db_datetime(value: dt.datetime) -> str:
    """An aware date-time as the database stores it: on SQLite as Django's
    ORM does (naive UTC text), on PostgreSQL with its offset."""
    return _db_datetime(connection.vendor, value)


@functools.lru_cache(maxsize=65536)
def _db_datetime(vendor: str, value: dt.datetime) -> str:
    if vendor == "postgresql":
        return value.isoformat(" ")
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A date-time read with a raw cursor: SQLite gives it naive (in UTC)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def keys_subquery(cast: str = "") -> str:
    """``SELECT`` of the values of one JSON-array parameter: a list of keys is
    one parameter, however long (SQLite allows 999 per statement)."""
    if connection.vendor == "postgresql":
        return f"SELECT json_array_elements_text(%s::json){cast}"
    return "SELECT value FROM json_each(%s)"


def select_by_keys(
    cursor: Any, sql: str, keys: Sequence[Any], cast: str = ""
) -> Iterable[tuple[Any, ...]]:
    """Rows of ``sql`` (with one ``{keys}`` where the subquery goes) for the
    keys, a chunk at a time."""
    statement = sql.format(keys=keys_subquery(cast))
    for start in range(0, len(keys), CHUNK):
        cursor.execute(statement, [json.dumps(list(keys[start : start + CHUNK]))])
        yield from cursor.fetchall()


def load_temp(cursor: Any, table: str, shape: str, columns: Sequence[str], rows: list[Any]) -> None:
    """Fill the temporary table ``table`` with ``rows``. It is created on
    first use with the columns (names and types) of the query ``shape``
    (``SELECT … WHERE 1 = 0``), and emptied before."""
    names = ", ".join(_quote(c) for c in columns)
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} AS {shape}")
    cursor.execute(f"DELETE FROM {table}")
    if not rows:
        return
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("%s" for _ in columns)
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def upsert_from_temp(
    cursor: Any, table: str, temp: str, columns: Sequence[str], conflict: str
) -> None:
    """Insert the temporary table's rows; a row whose ``conflict`` key exists
    updates the stored row's columns instead."""
    names = ", ".join(_quote(c) for c in columns)
    updates = ", ".join(f"{_quote(c)} = excluded.{_quote(c)}" for c in columns if c != conflict)
    # "WHERE true" tells SQLite's parser that ON CONFLICT is not a join's ON.
    cursor.execute(
        f"INSERT INTO {_quote(table)} ({names}) SELECT {names} FROM {temp} WHERE true "
        f"ON CONFLICT ({_quote(conflict)}) DO UPDATE SET {updates}"
    )
