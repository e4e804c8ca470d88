"""Each visit's team, kept on the visit: how many staff took part and the
lowest and highest of their ids (``Visit.team_size``, ``team_low``,
``team_high``).

The organisation-wide continuity report (reports.continuity) reads one row
per visit instead of one per visit and staff member: a team of one or two is
its two ids, so "the ordinary contact took part" and "shares a staff member
with the previous visit" (SECON) are comparisons within the row, and only a
team of three or more looks at its staff rows. With this the report of all
units went from 2.5–2.8× its floor to about 1.7× (docs/performance.md, "A
sixth machine").

The three columns are a summary of the visit's rows in ``Visit.staff``, so
every writer of those rows keeps them: the ORM through the receivers below
(``visit.staff.add/remove/set/clear`` from either side, and a staff member's
deletion, which takes their rows along), the visit import in bulk
(contacts.services.visits_bulk_upsert) and the demo data generators, which
write both at once (``summary``). ``refresh`` recomputes them from the rows;
``mismatched`` finds visits whose columns disagree with their rows (a test
checks every writer with it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from .models import Visit

# Visits per UPDATE: keeps each statement's list of ids (and SQLite's
# variables) small.
_CHUNK = 500


def summary(staff_ids: Iterable[int]) -> tuple[int, int | None, int | None]:
    """(team_size, team_low, team_high) of a visit with these staff."""
    ids = set(staff_ids)
    if not ids:
        return 0, None, None
    return len(ids), min(ids), max(ids)


def _sql(where: str) -> str:
    visit = Visit._meta.db_table
    staff = Visit.staff.through._meta.db_table
    rows = f"FROM {staff} vs WHERE vs.visit_id = {visit}.id"
    return (
        f"UPDATE {visit} SET "
        f"team_size = (SELECT COUNT(*) {rows}), "
        f"team_low = (SELECT MIN(vs.staff_id) {rows}), "
        f"team_high = (SELECT MAX(vs.staff_id) {rows})"
        f"{where}"
    )


def refresh(visit_ids: Iterable[int] | None = None) -> None:
    """Recompute the team columns of ``visit_ids`` (every visit when None)
    from their staff rows."""
    with connection.cursor() as cursor:
        if visit_ids is None:
            cursor.execute(_sql(""))
            return
        ids = sorted(set(visit_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            cursor.execute(_sql(f" WHERE id IN ({', '.join(['%s'] * len(chunk))})"), chunk)


def mismatched() -> list[str]:
    """The visit ids whose team columns disagree with their staff rows."""
    visit = Visit._meta.db_table
    staff = Visit.staff.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v.visit_id FROM {visit} v LEFT JOIN ("
            f"  SELECT visit_id, COUNT(*) AS n, MIN(staff_id) AS lo, MAX(staff_id) AS hi"
            f"  FROM {staff} GROUP BY visit_id"
            f") t ON t.visit_id = v.id "
            f"WHERE v.team_size <> COALESCE(t.n, 0) "
            f"OR COALESCE(v.team_low, 0) <> COALESCE(t.lo, 0) "
            f"OR COALESCE(v.team_high, 0) <> COALESCE(t.hi, 0) "
            f"ORDER BY v.visit_id"
        )
        return [row[0] for row in cursor.fetchall()]


# --- the receivers (connected in contacts.apps) --------------------------------------


def on_staff_changed(
    sender: Any,
    instance: Any,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    """``visit.staff`` changed, or from the other side ``staff.visits``."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            refresh([instance.pk])
            # The instance at hand reads as stored.
            instance.team_size, instance.team_low, instance.team_high = (
                Visit.objects.filter(pk=instance.pk)
                .values_list("team_size", "team_low", "team_high")
                .get()
            )
        return
    if action == "pre_clear":
        # The staff member's visits, before their rows go.
        instance._team_visits = list(
            Visit.staff.through.objects.filter(staff_id=instance.pk).values_list(
                "visit_id", flat=True
            )
        )
    elif action in ("post_add", "post_remove"):
        refresh(pk_set or ())
    elif action == "post_clear":
        refresh(getattr(instance, "_team_visits", ()))


def on_staff_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A staff member about to be deleted: their visits, whose rows go with them."""
    instance._team_visits = list(
        Visit.staff.through.objects.filter(staff_id=instance.pk).values_list("visit_id", flat=True)
    )


def on_staff_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    refresh(getattr(instance, "_team_visits", ()))
