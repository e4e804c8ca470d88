"""Read queries for "Vem kommer?": a client's week of planned visits on one unit,
as the client is to read it, and the comparison with the last printed sheet.

What the client sees of the staff is the first name and the title, never the
surname or anything else about them; the care contact also with the phone
number, since the client and relatives must know how to reach the contact (the
Östra Göinge routine, the provider routine)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import access, history
from contacts.models import CareContactChange, Client, Service, Staff, Unit, Visit

from .models import RotaPrintout

AnyUser = access.AnyUser

# Visits the client is told about: planned ones, and those already made in the
# week (a sheet of the current week still lists Monday's visit on Wednesday).
# Cancelled and declined visits are not coming; alarm calls are not planned.
SHOWN_STATUSES = (Visit.Status.PLANNED, Visit.Status.PERFORMED)
HIDDEN_KINDS = (Visit.Kind.ALARM,)

ORDINARY = "ordinary"
DEPUTY = "deputy"

# Change marks between a printed sheet and the current one.
NEW = "new"
TIME = "time"
STAFF = "staff"
REMOVED = "removed"


def week_monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_bounds(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00, local time. In the weeks daylight
    saving time starts or ends the week is 167 or 169 hours long."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(week_start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time.min, tzinfo=tz)
    return since, until


# --- what one sheet shows -------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A staff member as the client sees them."""

    staff_id: int
    first_name: str
    title: str  # the title's label, e.g. "Undersköterska"
    role: str = ""  # ORDINARY / DEPUTY when the care contact in force that day
    phone: str = ""  # only for the care contact

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.staff_id,
            "first_name": self.first_name,
            "title": self.title,
        }
        if self.role:
            data["role"] = self.role
        if self.phone:
            data["phone"] = self.phone
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Person:
        return cls(
            staff_id=int(data["id"]),
            first_name=str(data.get("first_name", "")),
            title=str(data.get("title", "")),
            role=str(data.get("role", "")),
            phone=str(data.get("phone", "")),
        )


def _person(staff: Staff, role: str = "", *, phone: bool = False) -> Person:
    return Person(
        staff_id=staff.pk,
        first_name=staff.first_name,
        title=str(Staff.Title(staff.title).label) if staff.title in Staff.Title.values else "",
        role=role,
        phone=staff.phone if phone else "",
    )


@dataclass(frozen=True)
class Line:
    """One visit on the sheet."""

    visit: str  # Visit.visit_id: the natural key, stable across imports
    day: dt.date  # local date of the start
    start: str  # "HH:MM", local time
    end: str  # "HH:MM" or ""
    people: tuple[Person, ...]

    @property
    def window(self) -> str:
        return f"{self.start}–{self.end}" if self.end else self.start

    @property
    def contact_role(self) -> str:
        """ORDINARY if the ordinary contact comes, else DEPUTY if the deputy does."""
        roles = {p.role for p in self.people}
        return ORDINARY if ORDINARY in roles else DEPUTY if DEPUTY in roles else ""

    def as_json(self) -> dict[str, Any]:
        return {
            "visit": self.visit,
            "day": self.day.isoformat(),
            "start": self.start,
            "end": self.end,
            "staff": [p.as_json() for p in self.people],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Line:
        return cls(
            visit=str(data["visit"]),
            day=dt.date.fromisoformat(data["day"]),
            start=str(data["start"]),
            end=str(data.get("end", "")),
            people=tuple(Person.from_json(p) for p in data.get("staff", [])),
        )


@dataclass(frozen=True)
class ContactPeriod:
    """The care contact in force from first_day to last_day of the week."""

    first_day: dt.date
    last_day: dt.date
    ordinary: Person | None
    deputy: Person | None

    def as_json(self) -> dict[str, Any]:
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "ordinary": self.ordinary.as_json() if self.ordinary else None,
            "deputy": self.deputy.as_json() if self.deputy else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContactPeriod:
        return cls(
            first_day=dt.date.fromisoformat(data["first_day"]),
            last_day=dt.date.fromisoformat(data["last_day"]),
            ordinary=Person.from_json(data["ordinary"]) if data.get("ordinary") else None,
            deputy=Person.from_json(data["deputy"]) if data.get("deputy") else None,
        )


@dataclass
class Sheet:
    client: Client
    unit_id: int
    unit_name: str
    unit_phone: str
    week_start: dt.date
    lines: list[Line]
    # Only periods with a contact appointed; several when the contact changes
    # during the week.
    contacts: list[ContactPeriod]

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)


def _contact_periods(
    states: Sequence[tuple[dt.date, int | None, int | None]], staff: dict[int, Staff]
) -> list[ContactPeriod]:
    periods: list[ContactPeriod] = []
    run_start = 0
    for i in range(1, len(states) + 1):
        if i < len(states) and states[i][1:] == states[run_start][1:]:
            continue
        first, ordinary_id, deputy_id = states[run_start]
        if ordinary_id is not None:
            periods.append(
                ContactPeriod(
                    first_day=first,
                    last_day=states[i - 1][0],
                    ordinary=_person(staff[ordinary_id], ORDINARY, phone=True),
                    deputy=(
                        _person(staff[deputy_id], DEPUTY, phone=True)
                        if deputy_id is not None
                        else None
                    ),
                )
            )
        run_start = i
    return periods


def week_sheet(*, client: Client, unit: Unit, week_start: dt.date) -> Sheet:
    """The client's visits on the unit in the ISO week starting ``week_start``,
    each person marked when they are the ordinary or deputy care contact in
    force on the visit's day. Four queries: the visits, their planned staff,
    the contact history up to the week's end, and the contacts' staff rows."""
    since, until = week_bounds(week_start)
    visits = list(
        Visit.objects.filter(
            client=client,
            unit=unit,
            start__gte=since,
            start__lt=until,
            status__in=SHOWN_STATUSES,
        )
        .exclude(kind__in=HIDDEN_KINDS)
        .prefetch_related("planned_staff")
        .order_by("start", "visit_id")
    )
    days = [week_start + dt.timedelta(days=n) for n in range(7)]
    timeline = history.timelines(
        CareContactChange.objects.filter(client=client, unit=unit, effective__lte=days[-1])
    ).get((client.pk, unit.pk), history.EMPTY_TIMELINE)
    states: list[tuple[dt.date, int | None, int | None]] = []
    for day in days:
        state = timeline.on(day)
        if state.accepted:
            states.append((day, state.ordinary_id, state.deputy_id))
        else:
            states.append((day, None, None))
    contact_ids = {i for _d, o, d in states for i in (o, d) if i is not None}
    contact_staff = Staff.objects.in_bulk(contact_ids) if contact_ids else {}
    by_day = {day: (o, d) for day, o, d in states}
    tz = timezone.get_current_timezone()
    lines: list[Line] = []
    for visit in visits:
        start = timezone.localtime(visit.start, tz)
        end = timezone.localtime(visit.end, tz) if visit.end else None
        ordinary_id, deputy_id = by_day[start.date()]
        people = sorted(
            visit.planned_staff.all(), key=lambda s: (s.first_name.lower(), s.title, s.pk)
        )

        def role(staff: Staff, o: int | None = ordinary_id, d: int | None = deputy_id) -> str:
            return ORDINARY if staff.pk == o else DEPUTY if staff.pk == d else ""

        marked = [_person(s, role(s)) for s in people]
        # The contact first: "Anna (din fasta omsorgskontakt) och Bo".
        marked.sort(key=lambda p: (p.role != ORDINARY, p.role != DEPUTY))
        lines.append(
            Line(
                visit=visit.visit_id,
                day=start.date(),
                start=f"{start:%H:%M}",
                end=f"{end:%H:%M}" if end else "",
                people=tuple(marked),
            )
        )
    return Sheet(
        client=client,
        unit_id=unit.pk,
        unit_name=unit.name,
        unit_phone=unit.phone,
        week_start=week_start,
        lines=lines,
        contacts=_contact_periods(states, contact_staff),
    )


def sheet_from_printout(printout: RotaPrintout) -> Sheet:
    return Sheet(
        client=printout.client,
        unit_id=printout.unit_id,
        unit_name=printout.unit_name,
        unit_phone=printout.unit_phone,
        week_start=printout.week_start,
        lines=[Line.from_json(row) for row in printout.rows],
        contacts=[ContactPeriod.from_json(c) for c in printout.contacts],
    )


# --- change marks ---------------------------------------------------------------------


@dataclass
class MarkedLine:
    line: Line
    marks: frozenset[str] = frozenset()
    before: Line | None = None  # the printed line, for "förut 07:30" / "förut Anna"

    @property
    def removed(self) -> bool:
        return REMOVED in self.marks

    @property
    def moved_day(self) -> bool:
        return self.before is not None and self.before.day != self.line.day

    @property
    def before_names(self) -> str:
        if self.before is None:
            return ""
        names = [p.first_name for p in self.before.people]
        if len(names) < 2:
            return "".join(names)
        return _("%(names)s och %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


@dataclass
class Day:
    day: dt.date
    lines: list[MarkedLine] = field(default_factory=list)

    @property
    def has_visits(self) -> bool:
        return any(not m.removed for m in self.lines)


def compare(previous: Iterable[Line] | None, current: Iterable[Line]) -> list[MarkedLine]:
    """The current lines, each marked against the printed ones: NEW (not on the
    printed sheet), TIME (another day or time window), STAFF (other people
    planned), and the printed visits no longer coming as REMOVED lines. With no
    printed sheet, nothing is marked."""
    current = list(current)
    if previous is None:
        return [MarkedLine(line) for line in current]
    printed = {line.visit: line for line in previous}
    marked: list[MarkedLine] = []
    seen: set[str] = set()
    for line in current:
        seen.add(line.visit)
        before = printed.get(line.visit)
        if before is None:
            marked.append(MarkedLine(line, frozenset({NEW})))
            continue
        marks = set()
        if (before.day, before.start, before.end) != (line.day, line.start, line.end):
            marks.add(TIME)
        if {p.staff_id for p in before.people} != {p.staff_id for p in line.people}:
            marks.add(STAFF)
        marked.append(MarkedLine(line, frozenset(marks), before if marks else None))
    for visit_id, before in printed.items():
        if visit_id not in seen:
            marked.append(MarkedLine(before, frozenset({REMOVED})))
    marked.sort(key=lambda m: (m.line.day, m.line.start, m.line.end, m.removed, m.line.visit))
    return marked


def days_of(week_start: dt.date, marked: Iterable[MarkedLine]) -> list[Day]:
    """The seven days of the week, each with its lines (also days without any)."""
    days = [Day(week_start + dt.timedelta(days=n)) for n in range(7)]
    for m in marked:
        index = (m.line.day - week_start).days
        if 0 <= index < 7:
            days[index].lines.append(m)
    return days


def change_counts(marked: Iterable[MarkedLine]) -> dict[str, int]:
    counts = {NEW: 0, TIME: 0, STAFF: 0, REMOVED: 0}
    for m in marked:
        for mark in m.marks:
            counts[mark] += 1
    return counts


# --- which units, which printouts -----------------------------------------------------


def sheet_units(*, user: AnyUser, client: Client, week_start: dt.date) -> QuerySet[Unit]:
    """The user's units on which the client has a service during some day of the week."""
    week_end = week_start + dt.timedelta(days=6)
    during = Service.objects.filter(client=client, unit=OuterRef("pk"), start__lte=week_end).filter(
        Q(end__isnull=True) | Q(end__gte=week_start)
    )
    return access.units_for_user(user).filter(Exists(during)).order_by("name", "pk")


def latest_printouts(
    *, client: Client, unit_ids: Iterable[int], week_start: dt.date
) -> dict[int, RotaPrintout]:
    """The newest printout of the week per unit. One query."""
    latest: dict[int, RotaPrintout] = {}
    for printout in (
        RotaPrintout.objects.filter(
            client=client, unit_id__in=list(unit_ids), week_start=week_start
        )
        .select_related("printed_by")
        .order_by("-printed_at", "-id")
    ):
        latest.setdefault(printout.unit_id, printout)
    return latest


def latest_printout(*, client: Client, unit: Unit, week_start: dt.date) -> RotaPrintout | None:
    return (
        RotaPrintout.objects.filter(client=client, unit=unit, week_start=week_start)
        .order_by("-printed_at", "-id")
        .first()
    )
