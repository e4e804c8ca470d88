"""The contact history: the one place that says which status and which care
contacts a client had on a unit on a given day.

The rule
    Every change of a client's status or contacts on a unit is a
    ``CareContactChange`` row that takes effect on its ``effective`` date.
    Changes are ordered by (effective, id): when several changes share a date,
    the one registered last is in force at the end of that day. The state on
    day D is the last change with effective <= D; before the first change the
    client is "not asked" (handbook 1.4).

How it is stored
    Each change carries ``valid_until``, the effective date of the next change
    in that order (None for the latest), so a change is in force on D exactly
    when ``effective <= D < valid_until``. A change corrected later the same day
    has ``valid_until == effective``: an empty period, never in force at the end
    of a day. ``link_periods`` keeps the column right on every write, which
    makes "in force on D" a range condition the database can filter and join on.

The same rule is offered three ways:
    * one state: ``state_on(client=…, unit=…, on=…)``, or ``in_force_on(change,
      on)`` for a change in memory;
    * many states: ``in_force(on, …)`` (a queryset of the changes in force) and
      ``timelines(…)`` (each client's states over a period, in memory);
    * a database expression for reports: ``in_force_q`` and ``contact_in_force``.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet, Subquery
from django.db.models.expressions import Combinable

from .models import CareContactChange, Client, ContactStatus, Unit

DateLike = dt.date | Combinable  # a date, or an expression (F, OuterRef) giving one


@dataclass(frozen=True)
class ContactState:
    """Status and contacts in force at the end of a day on one unit."""

    status: str
    ordinary_id: int | None
    deputy_id: int | None
    reason: str = ""
    change_id: int | None = None

    @property
    def accepted(self) -> bool:
        return self.status == ContactStatus.ACCEPTED and self.ordinary_id is not None

    @classmethod
    def of(cls, change: CareContactChange | None) -> ContactState:
        if change is None:
            return NOT_ASKED
        return cls(
            status=change.status,
            ordinary_id=change.ordinary_id,
            deputy_id=change.deputy_id,
            reason=change.reason,
            change_id=change.pk,
        )


NOT_ASKED = ContactState(status=ContactStatus.NOT_ASKED, ordinary_id=None, deputy_id=None)


# --- as a database condition -----------------------------------------------------------


def in_force_q(on: DateLike, prefix: str = "") -> Q:
    """The change (``prefix`` "change__" for a relation) is in force at the end
    of day ``on``, which may be a date or an expression such as
    ``OuterRef("local_date")``."""
    return Q(**{f"{prefix}effective__lte": on}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": on})
    )


def in_force_on(change: CareContactChange, on: dt.date) -> bool:
    """``in_force_q`` for a change already in memory."""
    return change.effective <= on and (change.valid_until is None or on < change.valid_until)


def in_force_during_q(date_from: dt.date, date_to: dt.date, prefix: str = "") -> Q:
    """The change is in force at the end of at least one day of the period
    (a same-day correction, whose period is empty, never is)."""
    open_end = Q(**{f"{prefix}valid_until__isnull": True})
    return (
        Q(**{f"{prefix}effective__lte": date_to})
        & (open_end | Q(**{f"{prefix}valid_until__gt": date_from}))
        & (open_end | Q(**{f"{prefix}valid_until__gt": F(f"{prefix}effective")}))
    )


def in_force_sql(alias: str, on: str) -> str:
    """``in_force_q`` as SQL text, for report queries written by hand
    (reports.continuity): change ``alias`` is in force at the end of day
    ``on``, an SQL expression (a column or a placeholder)."""
    return (
        f"({alias}.effective <= {on} AND "
        f"({alias}.valid_until IS NULL OR {alias}.valid_until > {on}))"
    )


def in_force_during_sql(alias: str, date_from: str, date_to: str) -> str:
    """``in_force_during_q`` as SQL text (see ``in_force_sql``)."""
    return (
        f"({alias}.effective <= {date_to} AND ({alias}.valid_until IS NULL OR "
        f"({alias}.valid_until > {date_from} AND {alias}.valid_until > {alias}.effective)))"
    )


def contact_in_force(field: str, *, client: Any, unit: Any, on: DateLike) -> Subquery:
    """A column (``"status"``, ``"ordinary_id"``, ``"deputy_id"``, ``"id"``) of the
    change in force on ``on`` for ``client`` and ``unit`` (expressions such as
    ``OuterRef("client")``), as a subquery: at most one change matches. NULL
    when no change is in force (the client is "not asked")."""
    return Subquery(
        CareContactChange.objects.filter(in_force_q(on), client=client, unit=unit)
        .order_by()
        .values(field)[:1]
    )


# --- many states ----------------------------------------------------------------------


def in_force(
    on: dt.date,
    *,
    units: QuerySet[Unit] | Iterable[Unit] | None = None,
    clients: QuerySet[Client] | Iterable[Client] | None = None,
) -> QuerySet[CareContactChange]:
    """The change in force on ``on`` for every (client, unit) that has one,
    optionally only on ``units`` and for ``clients``. Pairs without one are
    "not asked"."""
    qs = CareContactChange.objects.filter(in_force_q(on))
    if units is not None:
        qs = qs.filter(unit__in=units)
    if clients is not None:
        qs = qs.filter(client__in=clients)
    return qs


def states_on(
    on: dt.date, *, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], ContactState]:
    """The state on ``on`` of each (client_id, unit_id) in ``pairs``: one query."""
    wanted = set(pairs)
    if not wanted:
        return {}
    client_ids = {client_id for client_id, _unit_id in wanted}
    unit_ids = {unit_id for _client_id, unit_id in wanted}
    found = {
        (change.client_id, change.unit_id): ContactState.of(change)
        for change in in_force(on).filter(client_id__in=client_ids, unit_id__in=unit_ids)
    }
    return {pair: found.get(pair, NOT_ASKED) for pair in wanted}


def state_on(*, client: Client | int, unit: Unit | int, on: dt.date) -> ContactState:
    """Status, ordinary and deputy of ``client`` on ``unit`` in force at the end
    of day ``on``: one query."""
    change = in_force(on).filter(client=client, unit=unit).first()
    return ContactState.of(change)


class Timeline:
    """The states of one (client, unit) over time, in memory: for code that
    asks about many days of the same clients (reports, the planning view)."""

    def __init__(self) -> None:
        self.dates: list[dt.date] = []
        self.states: list[ContactState] = []
        self.changes: list[CareContactChange | None] = []

    def add(self, change: CareContactChange) -> None:
        # Changes arrive in (effective, id) order: a later one on the same date wins.
        state = ContactState.of(change)
        if self.dates and self.dates[-1] == change.effective:
            self.states[-1] = state
            self.changes[-1] = change
        else:
            self.dates.append(change.effective)
            self.states.append(state)
            self.changes.append(change)

    def on(self, day: dt.date) -> ContactState:
        index = bisect_right(self.dates, day) - 1
        return self.states[index] if index >= 0 else NOT_ASKED

    def change_on(self, day: dt.date) -> CareContactChange | None:
        index = bisect_right(self.dates, day) - 1
        return self.changes[index] if index >= 0 else None

    def during(self, date_from: dt.date, date_to: dt.date) -> list[ContactState]:
        """Every state in force at the end of some day of the period."""
        states = [self.on(date_from)]
        start = bisect_right(self.dates, date_from)
        end = bisect_right(self.dates, date_to)
        states.extend(self.states[start:end])
        return states


EMPTY_TIMELINE = Timeline()


def timelines(changes: QuerySet[CareContactChange]) -> dict[tuple[int, int], Timeline]:
    """Each (client_id, unit_id) of ``changes`` with its timeline: one query.

    Pass every change that matters (e.g. all changes up to the last day asked
    about, for the clients concerned): earlier changes decide the state at the
    start. Use ``select_related`` on ``changes`` for staff objects."""
    result: dict[tuple[int, int], Timeline] = defaultdict(Timeline)
    for change in changes.order_by("client_id", "unit_id", "effective", "id"):
        result[(change.client_id, change.unit_id)].add(change)
    return dict(result)


# --- versions (no lost updates) --------------------------------------------------------


def latest_registered(*, client: Client | int, unit: Unit | int) -> CareContactChange | None:
    """The change of ``client`` on ``unit`` registered last, whatever its date."""
    return (
        CareContactChange.objects.filter(client=client, unit=unit)
        .select_related("changed_by__staff")
        .order_by("-id")
        .first()
    )


def version(*, client: Client | int, unit: Unit | int) -> int:
    """A number that changes whenever a change of ``client`` on ``unit`` is
    registered: the edit form carries it, and a save based on an older number
    is refused (contacts.services.care_contact_change, ``expected_version``)."""
    latest = (
        CareContactChange.objects.filter(client=client, unit=unit)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return latest or 0


# --- keeping the periods --------------------------------------------------------------


def link_periods(*, client: Client | int, unit: Unit | int) -> None:
    """Set ``valid_until`` of every change of ``client`` on ``unit`` from the
    order of the changes. Called by the services inside the transaction that
    writes a change (which holds the lock on the client's CareContact row)."""
    changes = list(
        CareContactChange.objects.filter(client=client, unit=unit)
        .order_by("effective", "id")
        .only("id", "effective", "valid_until")
    )
    stale = []
    for current, following in zip(changes, [*changes[1:], None], strict=True):
        wanted = following.effective if following is not None else None
        if current.valid_until != wanted:
            current.valid_until = wanted
            stale.append(current)
    if stale:
        CareContactChange.objects.bulk_update(stale, ["valid_until"])
