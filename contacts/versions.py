"""Data versions: when may a computed report be reused?

Every write of what a unit's continuity report and KKiK read gives a
version (a new random number) in the same transaction: ``unit:<id>`` for the unit's visits, their
staff and its contact changes, ``all`` for clients (names, personal identity
numbers and birth dates are in every report) and anything whose units are not
known. ``cached`` keeps a report under the versions read *before* it was
computed, so a result is never filed under a newer version than the data it
saw; a write committed in between only makes the next request compute it
again. ``cached_units`` does the same for a report over a few units (a
coordinator's "all my units"), under the versions of every one of them.

Where the writes are:

* one row at a time through the ORM (the browser, the admin, the tests):
  the receivers below, on ``post_save``/``post_delete`` of Visit,
  CareContactChange and Client, on changes of a visit's staff and on the
  deletion of a staff member;
* in bulk: ``services.visits_bulk_upsert`` and the visit import,
  ``services.CareContactChangeBatch.write``, the client import, the demo data
  and ``generate_scale_data`` call ``bump`` themselves, once, at the end of
  their transaction, so a long import holds the versions' rows for moments,
  not minutes (a browser change on the same unit waits for them).

Cached results also expire after CACHE_SECONDS, whatever the versions say.
The cache is Django's (CACHES; by default each process's own memory)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection

from .models import DataVersion

ALL = "all"
CACHE_SECONDS = 15 * 60
T = TypeVar("T")
# Rows per statement (SQLite allows 32,766 parameters, PostgreSQL 65,535).
_CHUNK = 500


def unit_name(unit_id: int) -> str:
    return f"unit:{unit_id}"


def bump(unit_ids: Iterable[int] | None = None) -> None:
    """Give ``unit_ids`` (None: ``all``) a new version, in name order so two
    transactions take the rows in the same order. A random number rather
    than a count: a version never comes back, not after a transaction is
    rolled back nor after the database is restored from a backup, so a
    cached result can never be taken for data it was not computed from."""
    names = [ALL] if unit_ids is None else sorted({unit_name(pk) for pk in unit_ids})
    version = secrets.randbits(62) + 1
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(names), _CHUNK):
            chunk = names[start : start + _CHUNK]
            cursor.execute(
                f"INSERT INTO {table} (name, version) VALUES "
                + ", ".join(["(%s, %s)"] * len(chunk))
                + " ON CONFLICT (name) DO UPDATE SET version = excluded.version",
                [value for name in chunk for value in (name, version)],
            )


def _read(names: list[str]) -> dict[str, int]:
    """The versions of ``names`` in one query (a name never given one is missing)."""
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, version FROM {table} WHERE name IN ({', '.join(['%s'] * len(names))})",
            names,
        )
        return dict(cursor.fetchall())


def current(unit_id: int) -> tuple[int, int]:
    """The versions of the unit and of ``all`` (0 when never given one)."""
    found = _read([unit_name(unit_id), ALL])
    return found.get(unit_name(unit_id), 0), found.get(ALL, 0)


def cached(unit_id: int, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` for one unit, reused while the unit's data are unchanged."""
    unit_version, all_version = current(unit_id)
    full_key = f"omsorg:report:{key}:u{unit_id}:v{unit_version}:a{all_version}"
    return _cached(full_key, compute)


def cached_units(unit_ids: Iterable[int], key: str, compute: Callable[[], T]) -> T:
    """``compute()`` over a few units (a coordinator's "all my units"), reused
    while none of the units' data has changed: their versions and ``all``
    are read in one query and named in the key (as a digest, so the key's
    length does not grow with the units)."""
    ids = sorted(set(unit_ids))
    names = [*(unit_name(pk) for pk in ids), ALL]
    found = _read(names)
    stamp = ",".join(f"{name}={found.get(name, 0)}" for name in names)
    digest = hashlib.sha256(stamp.encode()).hexdigest()
    return _cached(f"omsorg:report:{key}:units:{digest}", compute)


def _cached(full_key: str, compute: Callable[[], T]) -> T:
    found = cache.get(full_key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    result = compute()
    cache.set(full_key, result, CACHE_SECONDS)
    return result


# --- the receivers (connected in contacts.apps) --------------------------------------


def on_change_written(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A contact change saved or deleted (it never moves to another unit)."""
    bump([instance.unit_id])


def on_visit_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """A new visit counts on its unit; an edited one may have moved from
    another unit, which is not known here: every unit then."""
    bump([instance.unit_id] if created else None)


def on_visit_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    bump([instance.unit_id])


def on_visit_staff_changed(
    sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any
) -> None:
    """visit.staff changed (or, from the other side, a staff member's visits:
    their units are not at hand, so every unit)."""
    if action in ("post_add", "post_remove", "post_clear"):
        bump(None if reverse else [instance.unit_id])


def on_client_written(sender: Any, **kwargs: Any) -> None:
    """Names, personal identity numbers and birth dates are in every report
    (also connected to a staff member's deletion, whose visits are not at
    hand)."""
    bump()
