"""Worklists for unit managers (issue: client and staff lifecycle).

Each list is computed for a set of units on a date in a fixed number of
queries, and each row says where it is fixed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from contacts import history
from contacts.models import (
    TRANSITIONAL_RULE_END,
    CareContact,
    Client,
    Service,
    Staff,
    Unit,
)
from omsorg.gc import gc_paused
from omsorg.http import pk_url, pks_url
from plans.selectors import FlagKind, OverduePlan, overdue_counts, overdue_plans

Status = CareContact.Status

# The provider routine / domain: a client should have been asked within 14 days of the start.
NOT_ASKED_DAYS = 14
# A staff member is "overloaded" with more than this share above the unit's
# average number of clients per appointable staff member, and at least
# OVERLOAD_MIN_EXTRA clients more than the average.
OVERLOAD_FACTOR = 1.5
OVERLOAD_MIN_EXTRA = 2


@dataclass
class Row:
    unit: Unit
    text: str
    url: str
    client: Client | None = None
    staff: Staff | None = None
    detail: str = ""
    # The client of a row without the Client itself (a plan deadline).
    client_id: int | None = None

    @property
    def client_pk(self) -> int | None:
        return self.client.pk if self.client is not None else self.client_id


class LazyRows(Sequence[Row]):
    """A worklist's rows, made when they are read: the page shows 25 rows of
    each list (or 100 of one), and over every unit of a municipality the
    lists hold thousands (19,000 plan deadlines), each row a client read and
    a text made. ``items`` are what the list found, in its order; ``make``
    turns some of them into rows. Reads like a list (length, indexes,
    slices, iteration, equality with a list); a slice is a list."""

    def __init__(self, items: list[Any], make: Callable[[list[Any]], list[Row]]) -> None:
        self._items = items
        self._make = make

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return self._make(self._items[index])
        return self._make([self._items[index]])[0]

    def __iter__(self) -> Iterator[Row]:
        return iter(self._make(self._items))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyRows | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, so unhashable as they are


@dataclass
class Worklists:
    on: dt.date
    not_asked: Sequence[Row] = field(default_factory=list)
    contact_problems: Sequence[Row] = field(default_factory=list)
    title_evidence: Sequence[Row] = field(default_factory=list)
    plans_overdue: Sequence[Row] = field(default_factory=list)
    overloaded_staff: Sequence[Row] = field(default_factory=list)

    def sections(self) -> list[tuple[str, str, Sequence[Row]]]:
        rows = {
            "not_asked": self.not_asked,
            "contacts": self.contact_problems,
            "evidence": self.title_evidence,
            "plans": self.plans_overdue,
            "load": self.overloaded_staff,
        }
        return [(key, title, rows[key]) for key, title in _section_titles()]

    @property
    def total(self) -> int:
        return sum(len(rows) for _key, _title, rows in self.sections())


def _section_titles() -> list[tuple[str, str]]:
    return [
        ("not_asked", _("Ej tillfrågade mer än 14 dagar efter start")),
        ("contacts", _("Tackar ja men ordinarie otillgänglig eller vice saknas")),
        ("evidence", _("Bevis om skyddad yrkestitel")),
        ("plans", _("Genomförandeplaner att åtgärda")),
        ("load", _("Personal med många fler brukare än snittet")),
    ]


@dataclass
class WorklistCounts:
    """How many rows each worklist has, for the start page's summary: the
    same lists as Worklists, counted without making their rows (the
    clients' names, links and texts)."""

    on: dt.date
    counts: dict[str, int]

    def sections(self) -> list[tuple[str, str, int]]:
        return [(key, title, self.counts[key]) for key, title in _section_titles()]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# The transitional rule is listed once it ends within this many days: before
# that, nobody has anything to do about it.
TRANSITIONAL_NOTICE_DAYS = 365


def _ids(units: QuerySet[Unit]) -> list[int]:
    """The units' ids, for ``unit_id__in``. The units are read once (the
    start page has them already) and every list's query names its units
    instead of repeating the user's unit subquery: planning that subquery
    joined into each list's query cost PostgreSQL more than running it."""
    return [unit.pk for unit in units]


def _not_asked_pairs(units: QuerySet[Unit], on: dt.date) -> list[tuple[int, int, dt.date]]:
    """(client, unit, first start) of not_asked_overdue's rows."""
    ongoing = Service.objects.filter(Service.ongoing_q(on))
    handled = (
        history.in_force(on)
        .filter(client=OuterRef("client"), unit=OuterRef("unit"))
        .exclude(status=Status.NOT_ASKED)
    )
    starts = (
        ongoing.filter(unit_id__in=_ids(units))
        # Care types that do not offer a contact (configurable) are never "not asked".
        .exclude(unit__care_type__offers_care_contact=False)
        .filter(~Exists(handled))
        .values("client", "unit")
        .annotate(first=Min("start"))
        .filter(first__lt=on - dt.timedelta(days=NOT_ASKED_DAYS))
    )
    return [(r["client"], r["unit"], r["first"]) for r in starts]


def not_asked_overdue(units: QuerySet[Unit], on: dt.date) -> LazyRows:
    """Clients on the unit still "not asked" more than 14 days after the start
    of their current execution there, the longest waiting first."""
    pairs = sorted(_not_asked_pairs(units, on), key=lambda p: p[2])
    edit_url = pks_url("fok_edit")  # one reverse for all the rows: where the contact is set
    unit_map = {u.pk: u for u in units}  # evaluated once, shared by the lists

    def make(some: list[tuple[int, int, dt.date]]) -> list[Row]:
        clients = Client.objects.in_bulk([p[0] for p in some]) if some else {}
        return [
            Row(
                unit=unit_map[unit_id],
                client=clients[client_id],
                url=edit_url(client_id, unit_id),
                text=clients[client_id].full_name,
                detail=_("start %(date)s, %(days)s dagar sedan")
                % {"date": first.isoformat(), "days": (on - first).days},
            )
            for client_id, unit_id, first in some
        ]

    return LazyRows(pairs, make)


@dataclass
class _Contact:
    """An accepted contact in force: what the lists below read of it."""

    client_id: int
    unit: Unit
    ordinary: Staff | None
    deputy: Staff | None

    @property
    def unit_id(self) -> int:
        return self.unit.pk

    @property
    def ordinary_id(self) -> int | None:
        return self.ordinary.pk if self.ordinary is not None else None


@gc_paused()  # 15,000 contacts and their staff for every unit (omsorg.gc)
def _current_contacts(
    units: QuerySet[Unit], on: dt.date, *, ordered: bool = True
) -> list[_Contact]:
    """The accepted contacts in force on ``on`` on the units (where the client
    is still on the unit), by unit and client name: plain rows, each staff
    member read once, and no client (the lists read those of their rows). An
    administrator's start page covers every unit: 15,000 contacts, which as
    model instances with their client, unit and two staff members took two
    seconds to build. ``ordered=False``: in no particular order, for
    counting (the order by unit and client name was 64 of the query's 84 ms
    for every unit)."""
    unit_map = {unit.pk: unit for unit in units}
    on_unit = Service.objects.filter(
        Service.ongoing_q(on), client=OuterRef("client"), unit=OuterRef("unit")
    )
    contacts = (
        history.in_force(on)
        .filter(unit_id__in=list(unit_map), status=Status.ACCEPTED)
        .filter(Exists(on_unit))
    )
    order = ("unit__name", "client__last_name", "client__first_name") if ordered else ()
    rows = list(
        contacts.order_by(*order).values_list("client_id", "unit_id", "ordinary_id", "deputy_id")
    )
    staff_ids = {pk for row in rows for pk in row[2:] if pk is not None}
    staff = Staff.objects.in_bulk(sorted(staff_ids)) if staff_ids else {}
    return [
        _Contact(
            client_id,
            unit_map[unit_id],
            staff.get(ordinary_id) if ordinary_id else None,
            staff.get(deputy_id) if deputy_id else None,
        )
        for client_id, unit_id, ordinary_id, deputy_id in rows
    ]


def _with_problems(contacts: list[_Contact], on: dt.date) -> list[tuple[_Contact, list[str]]]:
    """The contacts of contact_problems, each with its problems."""
    found: list[tuple[_Contact, list[str]]] = []
    for cc in contacts:
        problems = []
        if cc.ordinary is not None:
            why = cc.ordinary.appointment_obstacles(on, evidence=False)
            if why:
                problems.append(
                    _("ordinarie %(name)s %(why)s")
                    % {"name": cc.ordinary.full_name, "why": ", ".join(why)}
                )
        if cc.deputy is None:
            problems.append(_("vice saknas"))
        else:
            why = cc.deputy.appointment_obstacles(on, evidence=False)
            if why:
                problems.append(
                    _("vice %(name)s %(why)s")
                    % {"name": cc.deputy.full_name, "why": ", ".join(why)}
                )
        if problems:
            found.append((cc, problems))
    return found


def contact_problems(contacts: list[_Contact], on: dt.date) -> LazyRows:
    """Accepted contacts whose ordinary or deputy may not serve on the date, or
    without a deputy. Missing title evidence is listed once per staff member
    under title_evidence instead (the fix is on the staff member's page)."""
    edit_url = pks_url("fok_edit")  # one reverse for all the rows: where the contact is set

    def make(some: list[tuple[_Contact, list[str]]]) -> list[Row]:
        ids = [cc.client_id for cc, _problems in some]
        clients = Client.objects.in_bulk(ids) if ids else {}
        return [
            Row(
                unit=cc.unit,
                client=clients[cc.client_id],
                url=edit_url(cc.client_id, cc.unit.pk),
                text=clients[cc.client_id].full_name,
                detail="; ".join(problems),
            )
            for cc, problems in some
        ]

    return LazyRows(_with_problems(contacts, on), make)


def _evidence_missing(
    contacts: list[_Contact], on: dt.date
) -> dict[int, tuple[Staff, Unit, Counter[str]]]:
    """The staff members of title_evidence, each with a unit of theirs and
    how many clients they are ordinary and deputy for."""
    last_transitional_day = TRANSITIONAL_RULE_END - dt.timedelta(days=1)
    transitional_ends_soon = (last_transitional_day - on).days < TRANSITIONAL_NOTICE_DAYS
    found: dict[int, tuple[Staff, Unit, Counter[str]]] = {}
    for cc in contacts:
        for role, staff in (("ordinary", cc.ordinary), ("deputy", cc.deputy)):
            if staff is None or staff.title != Staff.Title.ASSISTANT_NURSE:
                continue
            if staff.title_certificate_date is not None and staff.title_certificate_date <= on:
                continue
            valid = staff.title_evidence_valid_on(on)
            if valid and not (staff.permanent_on_2023_07_01 and transitional_ends_soon):
                continue  # before the rule, or the transitional rule far from its end
            if staff.pk not in found:
                found[staff.pk] = (staff, cc.unit, Counter())
            found[staff.pk][2][role] += 1
    return found


def title_evidence(contacts: list[_Contact], on: dt.date) -> list[Row]:
    """Staff members appointed on the date whose title evidence is missing or not
    valid then, or rests on the transitional rule when it ends within
    TRANSITIONAL_NOTICE_DAYS: one row per staff member, linking to their page
    (where the evidence is registered)."""
    last_transitional_day = TRANSITIONAL_RULE_END - dt.timedelta(days=1)
    found = _evidence_missing(contacts, on)
    rows: list[Row] = []
    staff_url = pk_url("staff_detail")
    for staff, unit, roles in found.values():
        if staff.title_evidence_valid_on(on):
            problem = _("övergångsregeln gäller bara till och med %(date)s") % {
                "date": last_transitional_day.isoformat()
            }
        elif staff.title_certificate_date is None and not staff.permanent_on_2023_07_01:
            problem = _("bevis saknas")
        else:
            problem = _("beviset gäller inte %(date)s") % {"date": on.isoformat()}
        rows.append(
            Row(
                unit=unit,
                staff=staff,
                url=staff_url(staff.pk),
                text=str(staff),
                detail=_("%(problem)s; ordinarie för %(o)s, vice för %(d)s brukare")
                % {"problem": problem, "o": roles["ordinary"], "d": roles["deputy"]},
            )
        )
    return sorted(rows, key=lambda row: (row.unit.name, row.text))


def overloaded_staff(units: QuerySet[Unit], contacts: list[_Contact], on: dt.date) -> list[Row]:
    rows: list[Row] = []
    load: dict[int, Counter[int]] = {}
    for cc in contacts:
        if cc.ordinary_id is not None:
            load.setdefault(cc.unit_id, Counter())[cc.ordinary_id] += 1
    appointable = Staff.objects.filter(Staff.appointable_q(on), units__in=_ids(units)).values_list(
        "units", "pk"
    )
    per_unit: dict[int, set[int]] = {}
    for unit_id, staff_id in appointable:
        per_unit.setdefault(unit_id, set()).add(staff_id)
    # The ordinaries came with the contacts (read once each): no query.
    staff_map = {cc.ordinary_id: cc.ordinary for cc in contacts if cc.ordinary is not None}
    unit_map = {u.pk: u for u in units}
    staff_url = pk_url("staff_detail")
    for unit_id, counter in load.items():
        pool = per_unit.get(unit_id, set()) | set(counter)
        average = sum(counter.values()) / len(pool) if pool else 0
        for staff_id, count in counter.most_common():
            if count > average * OVERLOAD_FACTOR and count - average >= OVERLOAD_MIN_EXTRA:
                staff = staff_map[staff_id]
                rows.append(
                    Row(
                        unit=unit_map[unit_id],
                        staff=staff,
                        url=staff_url(staff.pk),
                        text=str(staff),
                        detail=_("%(n)s brukare som ordinarie, snittet är %(avg)s")
                        % {"n": count, "avg": f"{average:.1f}".replace(".", ",")},
                    )
                )
    return rows


def plans_overdue(
    units: QuerySet[Unit], on: dt.date, overdue: list[OverduePlan] | None = None
) -> LazyRows:
    unit_map = {u.pk: u for u in units}
    if overdue is None:
        overdue = overdue_plans(units, on)
    labels = {kind: str(FlagKind(kind).label) for kind in FlagKind.values}  # translated once

    def make(some: list[OverduePlan]) -> list[Row]:
        return [
            Row(
                unit=unit_map[item.unit_id],
                text=item.client_name,
                url=item.url,
                client_id=item.client_id,
                detail=", ".join(
                    f"{labels[flag.kind]} ({flag.due.isoformat()})" for flag in item.flags
                ),
            )
            for item in some
        ]

    return LazyRows([item for item in overdue if item.unit_id in unit_map], make)


def worklists(
    units: QuerySet[Unit], on: dt.date, *, overdue: list[OverduePlan] | None = None
) -> Worklists:
    """``overdue``: plans.selectors.overdue_plans(units, on) when the caller
    already has it (the start page shows it too)."""
    contacts = _current_contacts(units, on)
    return Worklists(
        on=on,
        not_asked=not_asked_overdue(units, on),
        contact_problems=contact_problems(contacts, on),
        title_evidence=title_evidence(contacts, on),
        plans_overdue=plans_overdue(units, on, overdue),
        overloaded_staff=overloaded_staff(units, contacts, on),
    )


def worklist_counts(
    units: QuerySet[Unit], on: dt.date, *, plans: int | None = None
) -> WorklistCounts:
    """The number of rows of each of worklists(units, on), found by the same
    rules without making the rows: an administrator's start page counts
    the lists of every unit. ``plans``: the number of plan deadlines on the
    units (plans.selectors.overdue_counts) when the caller has it."""
    if plans is None:
        plans = sum(overdue_counts(units, on).values())
    contacts = _current_contacts(units, on, ordered=False)
    return WorklistCounts(
        on=on,
        counts={
            "not_asked": len(_not_asked_pairs(units, on)),
            "contacts": len(_with_problems(contacts, on)),
            "evidence": len(_evidence_missing(contacts, on)),
            "plans": plans,
            # A few rows per unit at most: made as the list makes them.
            "load": len(overloaded_staff(units, contacts, on)),
        },
    )


def unit_filter(units: QuerySet[Unit]) -> Q:
    return Q(unit__in=units)
