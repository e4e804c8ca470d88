"""An independent reference implementation of the command-line reports.

Computes the JSON documents of ``continuity_report``, ``continuity_kpi`` and
``fok_statistics`` (docs/interchange.md, /work/shared metrics.md, and the
project's decisions in docs/metrics.md and docs/statistics.md) straight from
the CSV text that is imported, with no Django, no database and no code from the
product. It is deliberately plain: every figure is computed by the most direct
reading of the definition, with exact fractions, so that a difference from the
product points at one of the two and can be settled by reading the spec.

Used by tests/reports/test_differential.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

EXCLUDED_KINDS = {"alarm", "meal", "health"}
STATUS_CODES = ("not_asked", "no_need", "declined", "accepted")
STATUS_LABELS = {
    "ej tillfrågad": "not_asked",
    "inte tillfrågad": "not_asked",
    "saknar behov": "no_need",
    "tackar nej": "declined",
    "tackar ja": "accepted",
}
DAY_START = dt.time(7, 0)
DAY_END = dt.time(22, 0)


# --- reading the CSV files ---------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    """Rows as dicts (header lower-cased, cells stripped); BOM and delimiter as
    interchange.md says: UTF-8 with or without BOM, `,` or `;` from the header."""
    text = text.removeprefix("\ufeff")
    header_line = next(line for line in text.splitlines() if line.strip())
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    records = [
        [cell.strip() for cell in record]
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    ]
    records = [r for r in records if any(r)]
    header = [name.lower() for name in records[0]]
    return [dict(zip(header, record, strict=False)) for record in records[1:]]


def signature(value: str) -> str:
    return value.strip().lstrip("@")


def parse_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def parse_local(value: str) -> dt.datetime:
    """Naive Europe/Stockholm wall-clock time: its date and time are what count."""
    return dt.datetime.strptime(value, "%Y-%m-%d %H:%M")


def parse_status(value: str) -> str:
    key = " ".join(value.lower().split()).removeprefix("brukaren ")
    return key if key in STATUS_CODES else STATUS_LABELS[key]


def parse_personal_id(value: str, today: dt.date) -> tuple[str, dt.date]:
    """(canonical YYYYMMDD-NNNN, birth date); day + 60 = samordningsnummer,
    10 digits: the most recent century not in the future (``+``: 100 back)."""
    raw = value.strip().upper()
    sep = "+" if "+" in raw else "-"
    digits = raw.replace("-", "").replace("+", "")
    tail = digits[-4:]
    date_part = digits[:-4]
    month, day = int(date_part[-4:-2]), int(date_part[-2:])
    birth_day = day - 60 if day > 60 else day
    if len(date_part) == 8:
        year = int(date_part[:4])
    else:
        year = today.year - today.year % 100 + int(date_part[:2])
        if dt.date(year, month, birth_day) > today:
            year -= 100
        if sep == "+":
            year -= 100
    return f"{year:04d}{date_part[-4:]}-{tail}", dt.date(year, month, birth_day)


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def year_before(on: dt.date) -> dt.date:
    """The same date one year earlier; 29 February -> 28 February."""
    try:
        return on.replace(year=on.year - 1)
    except ValueError:
        return on.replace(year=on.year - 1, day=28)


# --- Swedish name order ------------------------------------------------------------------

_SWEDISH_AFTER_Z = {"å": 1, "ä": 2, "ö": 3}


def swedish_key(text: str) -> tuple[int, ...]:
    """Case-insensitive, å ä ö after z (the data uses no other letters)."""
    return tuple(
        ord("z") + _SWEDISH_AFTER_Z[ch] if ch in _SWEDISH_AFTER_Z else ord(ch)
        for ch in text.lower()
    )


# --- rounding --------------------------------------------------------------------------


def round4(value: Fraction | None) -> float | None:
    """Half up to 4 decimals, from the exact fraction."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def median(values: list[int]) -> int | float | None:
    if not values:
        return None
    ordered = sorted(values)
    n = len(ordered)
    if n % 2:
        return ordered[n // 2]
    middle = Fraction(ordered[n // 2 - 1] + ordered[n // 2], 2)
    return int(middle) if middle.denominator == 1 else float(middle)


def mean(values: list[int]) -> float | None:
    return round4(Fraction(sum(values), len(values))) if values else None


# --- the data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    status: str = "not_asked"
    ordinary: str | None = None
    deputy: str | None = None
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.status == "accepted" and self.ordinary is not None


NOT_ASKED = State()


@dataclass(frozen=True)
class Event:
    effective: dt.date
    state: State


@dataclass(frozen=True)
class Visit:
    visit_id: str
    client: str
    unit: str
    start: dt.datetime
    status: str
    kind: str
    staff: tuple[str, ...]

    @property
    def day(self) -> dt.date:
        return self.start.date()


@dataclass
class Data:
    today: dt.date
    units: list[str] = field(default_factory=list)
    staff_names: dict[str, str] = field(default_factory=dict)
    client_names: dict[str, str] = field(default_factory=dict)
    personal_ids: dict[str, str] = field(default_factory=dict)
    births: dict[str, dt.date] = field(default_factory=dict)
    services: list[tuple[str, str, dt.date, dt.date | None]] = field(default_factory=list)
    # (client, unit) -> the history in (effective, order of writing) order.
    history: dict[tuple[str, str], list[Event]] = field(default_factory=dict)
    visits: list[Visit] = field(default_factory=list)

    @classmethod
    def from_csv(cls, files: dict[str, str], *, today: dt.date) -> Data:
        data = cls(today=today)
        for row in read_csv(files["units"]):
            if row["code"] not in data.units:
                data.units.append(row["code"])
        for row in read_csv(files["staff"]):
            data.staff_names[signature(row["signature"])] = (
                f"{row['first_name']} {row['last_name']}"
            )
        for row in read_csv(files["clients"]):
            number = row["customer_number"]
            data.client_names[number] = f"{row['first_name']} {row['last_name']}"
            data.personal_ids[number], data.births[number] = parse_personal_id(
                row["personal_id"], today
            )
        for row in read_csv(files["services"]):
            end = row.get("end") or ""
            data.services.append(
                (
                    row["customer_number"],
                    row["unit"],
                    parse_date(row["start"]),
                    parse_date(end) if end else None,
                )
            )
        # Later contacts files (changes registered afterwards) follow the first.
        data._read_contacts(
            [
                row
                for name in sorted(files)
                if name.startswith("contacts")
                for row in read_csv(files[name])
            ]
        )
        for row in read_csv(files["visits"]):
            data.visits.append(
                Visit(
                    visit_id=row["visit_id"],
                    client=row["customer_number"],
                    unit=row["unit"],
                    start=parse_local(row["start"]),
                    status=row["status"],
                    kind=row.get("kind") or "care",
                    staff=tuple(signature(s) for s in (row.get("staff") or "").split()),
                )
            )
        return data

    def _read_contacts(self, rows: list[dict[str, str]]) -> None:
        """Each row is a change from ``effective``, applied in (effective, file
        order); a row that changes nothing is no change. Then handbook 1.11: when
        every service of the client on the unit has ended, the contact there ends
        the day after the last service day (a `not_asked` change)."""
        events: dict[tuple[str, str], list[tuple[dt.date, int, State]]] = defaultdict(list)
        for line, row in enumerate(rows):
            status = parse_status(row["status"])
            state = State(
                status=status,
                ordinary=signature(row["ordinary"]) if row.get("ordinary") else None,
                deputy=signature(row["deputy"]) if row.get("deputy") else None,
                reason=(row.get("reason") or "").strip(),
            )
            effective = parse_date(row["effective"]) if row.get("effective") else self.today
            events[(row["customer_number"], row["unit"])].append((effective, line, state))
        for key, items in events.items():
            history: list[Event] = []
            for effective, _line, state in sorted(items, key=lambda item: item[:2]):
                before = _state_in(history, effective)
                same = (before.status, before.ordinary, before.deputy) == (
                    state.status,
                    state.ordinary,
                    state.deputy,
                )
                if same and (state.status != "declined" or before.reason == state.reason):
                    continue
                history.append(Event(effective, state))
                history.sort(key=lambda event: event.effective)  # stable: writing order
            self.history[key] = history
        for (client, unit), last_day in self._execution_ends().items():
            history = self.history.setdefault((client, unit), [])
            after = last_day + dt.timedelta(days=1)
            state = _state_in(history, after)
            if state.ordinary or state.deputy:
                history.append(Event(after, NOT_ASKED))
                history.sort(key=lambda event: event.effective)

    def _execution_ends(self) -> dict[tuple[str, str], dt.date]:
        ends: dict[tuple[str, str], list[dt.date | None]] = defaultdict(list)
        for client, unit, _start, end in self.services:
            ends[(client, unit)].append(end)
        return {
            key: max(e for e in values if e is not None)
            for key, values in ends.items()
            if all(e is not None for e in values)
        }

    # queries

    def state(self, client: str, unit: str, on: dt.date) -> State:
        """As of the end of day ``on``."""
        return _state_in(self.history.get((client, unit), []), on)

    def ongoing(self, client: str, unit: str, on: dt.date) -> bool:
        return any(
            c == client and u == unit and start <= on and (end is None or end >= on)
            for c, u, start, end in self.services
        )

    def client_key(self, number: str) -> tuple:
        return (swedish_key(self.client_names[number]), number)

    def staff_key(self, sig: str) -> tuple:
        return (swedish_key(self.staff_names[sig]), sig)


def _state_in(history: list[Event], on: dt.date) -> State:
    state = NOT_ASKED
    for event in history:
        if event.effective <= on:
            state = event.state
    return state


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# --- continuity_report -------------------------------------------------------------------


def exclusion_reason(visit: Visit) -> str | None:
    """None for an included visit, "" for a planned visit with staff and a
    counting kind (not counted at all, docs/metrics.md), else the first reason."""
    if visit.status == "cancelled":
        return "cancelled"
    if visit.status == "declined":
        return "declined"
    if not visit.staff:
        return "no_staff"
    if visit.kind in EXCLUDED_KINDS:
        return "excluded_kind"
    if visit.status == "planned":
        return ""
    return None


def continuity_report(data: Data, unit: str | None, first: dt.date, last: dt.date) -> dict:
    in_scope = [
        v for v in data.visits if (unit is None or v.unit == unit) and first <= v.day <= last
    ]
    reasons = {"cancelled": 0, "declined": 0, "no_staff": 0, "excluded_kind": 0}
    included: dict[str, list[Visit]] = defaultdict(list)
    for visit in in_scope:
        reason = exclusion_reason(visit)
        if reason is None:
            included[visit.client].append(visit)
        elif reason:
            reasons[reason] += 1

    rows = []
    contact_visits = contact_ordinary = contact_deputy = 0
    for client in sorted(included, key=data.client_key):
        visits = sorted(included[client], key=lambda v: (v.start, v.visit_id))
        n: dict[str, int] = defaultdict(int)
        ordinary = deputy = 0
        for visit in visits:
            for person in set(visit.staff):
                n[person] += 1
            state = data.state(client, visit.unit, visit.day)
            if not state.accepted:
                continue
            contact_visits += 1
            if state.ordinary in visit.staff:
                ordinary += 1
            elif state.deputy is not None and state.deputy in visit.staff:
                deputy += 1
        contact_ordinary += ordinary
        contact_deputy += deputy
        units = {v.unit for v in visits}
        states = [data.state(client, u, d) for u in units for d in _days(first, last)]
        had_contact = any(s.accepted for s in states)
        had_deputy = any(s.accepted and s.deputy is not None for s in states)
        total_n = sum(n.values())
        pairs = list(zip(visits, visits[1:], strict=False))
        rows.append(
            {
                "customer_number": client,
                "name": data.client_names[client],
                "staff": len(n),
                "visits": len(visits),
                "double_staffed": sum(1 for v in visits if len(set(v.staff)) >= 2),
                "ordinary": ordinary if had_contact else None,
                "deputy": deputy if had_deputy else None,
                "fok_total": ordinary + deputy if had_contact else None,
                "upc": round4(Fraction(max(n.values()), total_n)),
                "coc": round4(
                    Fraction(sum(x * x for x in n.values()) - total_n, total_n * (total_n - 1))
                )
                if total_n >= 2
                else None,
                "secon": round4(
                    Fraction(sum(1 for a, b in pairs if set(a.staff) & set(b.staff)), len(pairs))
                )
                if pairs
                else None,
            }
        )
    staff_counts = [row["staff"] for row in rows]

    def share(count: int) -> float | None:
        return round4(Fraction(count, contact_visits)) if contact_visits else None

    return {
        "unit": unit,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "visits": sum(len(v) for v in included.values()),
        "excluded_visits": sum(reasons.values()),
        "excluded_by_reason": reasons,
        "staff_mean": mean(staff_counts),
        "staff_median": median(staff_counts),
        "fok_share": share(contact_ordinary + contact_deputy),
        "ordinary_share": share(contact_ordinary),
        "deputy_share": share(contact_deputy),
        "clients": rows,
    }


# --- continuity_kpi ----------------------------------------------------------------------


def continuity_kpi(data: Data, unit: str | None, first: dt.date, days: int) -> dict:
    period = [first + dt.timedelta(days=i) for i in range(days)]
    daytime: dict[str, list[Visit]] = defaultdict(list)
    for visit in data.visits:
        if unit is not None and visit.unit != unit:
            continue
        if visit.day not in period or exclusion_reason(visit) is not None:
            continue
        if DAY_START <= visit.start.time() <= DAY_END:
            daytime[visit.client].append(visit)
    rows = []
    for client in sorted(daytime, key=data.client_key):
        if age_on(data.births[client], first) < 65:
            continue
        per_day = defaultdict(int)
        for visit in daytime[client]:
            per_day[visit.day] += 1
        if all(per_day[d] >= 2 for d in period):
            staff = {s for v in daytime[client] for s in v.staff}
            rows.append({"customer_number": client, "staff": len(staff)})
    counts = [row["staff"] for row in rows]
    return {
        "unit": unit,
        "from": first.isoformat(),
        "days": days,
        "eligible_clients": len(rows),
        "median": median(counts),
        "mean": mean(counts),
        "share_over_20": round4(Fraction(sum(1 for c in counts if c > 20), len(counts)))
        if counts
        else None,
        "clients": rows,
    }


# --- fok_statistics ----------------------------------------------------------------------


def replaced_ordinary(data: Data, client: str, unit: str, on: dt.date) -> bool:
    """A change effective in (on - 1 year, on] whose predecessor in the history
    had an ordinary and which sets another ordinary."""
    since = year_before(on)
    history = data.history.get((client, unit), [])
    for previous, event in zip(history, history[1:], strict=False):
        if since < event.effective <= on:
            old, new = previous.state.ordinary, event.state.ordinary
            if old is not None and new is not None and old != new:
                return True
    return False


def fok_statistics(data: Data, unit: str | None, status: str, on: dt.date) -> dict:
    units = [unit] if unit is not None else list(data.units)
    matches: dict[str, list[str]] = defaultdict(list)
    for client in data.client_names:
        for u in units:
            if not data.ongoing(client, u, on):
                continue
            if status == "changed_last_year":
                match = replaced_ordinary(data, client, u, on)
            else:
                match = data.state(client, u, on).status == status
            if match:
                matches[client].append(u)
    clients = sorted(matches, key=data.client_key)
    staff_rows = []
    if status in ("accepted", "changed_last_year"):
        as_ordinary: dict[str, set[str]] = defaultdict(set)
        as_deputy: dict[str, set[str]] = defaultdict(set)
        for client in clients:
            for u in matches[client]:
                state = data.state(client, u, on)
                if state.status != "accepted":
                    continue
                if state.ordinary:
                    as_ordinary[state.ordinary].add(client)
                if state.deputy:
                    as_deputy[state.deputy].add(client)
        for sig in sorted(set(as_ordinary) | set(as_deputy), key=data.staff_key):
            ordinary = as_ordinary[sig]
            deputy = as_deputy[sig] - ordinary
            staff_rows.append(
                {
                    "signature": sig,
                    "name": data.staff_names[sig],
                    "ordinary": len(ordinary),
                    "deputy": len(deputy),
                    "total": len(ordinary) + len(deputy),
                    "clients": sorted(ordinary | deputy, key=data.client_key),
                }
            )
    over = sum(1 for c in clients if age_on(data.births[c], on) >= 65)
    return {
        "unit": unit,
        "status": status,
        "date": on.isoformat(),
        "age_65_plus": over,
        "under_65": len(clients) - over,
        "clients": [
            {
                "customer_number": c,
                "name": data.client_names[c],
                "personal_id": data.personal_ids[c],
            }
            for c in clients
        ],
        "staff": staff_rows,
    }
