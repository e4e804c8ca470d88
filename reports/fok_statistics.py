"""FOK statistics search (handbook 1.8): clients by contact status on a date.

The definitions (population, "changed in the last year", staff counts, sort
order) are documented in docs/statistics.md; keep the two in step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts import bulk, history
from contacts.models import CareContact, CareContactChange, Client, Service, Staff, Unit
from omsorg.collation import PersonKeys, name_key, swedish_key
from omsorg.gc import gc_paused
from omsorg.output.csv import csv_text
from reports import csv_columns
from reports.sql import unit_scope

Status = CareContact.Status

CHANGED_LAST_YEAR = "changed_last_year"
# Every status the search offers, in the handbook's order (1.8).
STATUS_CHOICES: list[tuple[str, Any]] = [
    (Status.ACCEPTED, Status.ACCEPTED.label),
    (Status.DECLINED, Status.DECLINED.label),
    (Status.NO_NEED, Status.NO_NEED.label),
    (Status.NOT_ASKED, Status.NOT_ASKED.label),
    (CHANGED_LAST_YEAR, gettext_lazy("Brukaren har bytt fast omsorgskontakt senaste året")),
]
STATUSES = [value for value, _label in STATUS_CHOICES]
# The statuses whose result has a table per staff member.
STAFF_STATUSES = frozenset({Status.ACCEPTED, CHANGED_LAST_YEAR})
SENIOR_AGE = 65


def status_label(status: str) -> str:
    return str(dict(STATUS_CHOICES).get(status, status))


def parse_status(value: str) -> str | None:
    """A status code from its code or its Swedish label (as the CSV import
    accepts both); None when unknown."""
    wanted = (value or "").strip().casefold()
    for code, label in STATUS_CHOICES:
        if wanted in (code, str(label).casefold()):
            return code
    return None


def year_before(on: dt.date) -> dt.date:
    """The same date one year earlier (28 February for 29 February)."""
    try:
        return on.replace(year=on.year - 1)
    except ValueError:
        return on.replace(year=on.year - 1, day=28)


@dataclass(slots=True)
class ClientRow:
    pk: int
    customer_number: str
    name: str
    personal_id: str
    age: int
    # Signatures of the contacts in force on the date (accepted / changed only).
    ordinary: list[str] = field(default_factory=list)
    deputy: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[str, str]:
        # Names equal but for case are tied and ordered by customer number.
        return name_key(self.name, self.customer_number)

    def as_json(self) -> dict[str, str]:
        return {
            "customer_number": self.customer_number,
            "name": self.name,
            "personal_id": self.personal_id,
        }


@dataclass(slots=True)
class StaffRow:
    pk: int
    signature: str
    name: str
    ordinary: int = 0
    deputy: int = 0
    clients: list[ClientRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.ordinary + self.deputy

    @property
    def handle(self) -> str:
        return f"@{self.signature}"

    @property
    def sort_key(self) -> tuple[str, str]:
        return name_key(self.name, self.signature)

    def as_json(self) -> dict[str, Any]:
        return {
            "signature": self.signature,
            "name": self.name,
            "ordinary": self.ordinary,
            "deputy": self.deputy,
            "total": self.total,
            "clients": [client.customer_number for client in self.clients],
        }


@dataclass
class FokStatistics:
    unit: Unit | None
    status: str
    on: dt.date
    clients: list[ClientRow]
    staff: list[StaffRow]

    @property
    def age_65_plus(self) -> int:
        return sum(1 for client in self.clients if client.age >= SENIOR_AGE)

    @property
    def under_65(self) -> int:
        return len(self.clients) - self.age_65_plus

    @property
    def has_staff_table(self) -> bool:
        return self.status in STAFF_STATUSES

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    def staff_by_signature(self, signature: str) -> StaffRow | None:
        return next((row for row in self.staff if row.signature == signature), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code if self.unit else None,
            "status": self.status,
            "date": self.on.isoformat(),
            "age_65_plus": self.age_65_plus,
            "under_65": self.under_65,
            "clients": [client.as_json() for client in self.clients],
            "staff": [row.as_json() for row in self.staff],
        }

    def as_csv(self, *, bom: bool = False) -> str:
        """One row per client; the staff table follows from the ordinary and
        deputy columns. Semicolons (and a BOM for downloads) so Swedish Excel
        opens it as is; Swedish headers and labels (reports.csv_columns), the
        unit filled in for every row, for "all units" the client's own units."""
        header = [
            *csv_columns.unit_columns(),
            _("Status"),
            _("Datum"),
            *csv_columns.client_columns(),
            _("Personnummer"),
            _("Ålder"),
            _("65 år och äldre"),
            _("Ordinarie"),
            _("Vice"),
        ]
        names: dict[str, str] = {}
        if self.unit is None:
            codes = {code for client in self.clients for code in client.units}
            names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))

        def unit_cells(client: ClientRow) -> list[str]:
            if self.unit is not None:
                return csv_columns.unit_cells(self.unit)
            return [" ".join(client.units), ", ".join(names.get(c, c) for c in client.units)]

        rows = (
            [
                *unit_cells(client),
                self.status_label,
                self.on.isoformat(),
                client.customer_number,
                client.name,
                client.personal_id,
                client.age,
                csv_columns.yes_no(client.age >= SENIOR_AGE),
                " ".join(client.ordinary),
                " ".join(client.deputy),
            ]
            for client in self.clients
        )
        return csv_text(header, rows, bom=bom)

    def as_table(self) -> str:
        """A readable text table for the terminal."""
        lines = [
            _("Sök fast omsorgskontakt"),
            f"{_('Enhet')}: {self.unit.code if self.unit else _('alla enheter')}",
            f"{_('Status')}: {self.status_label}",
            f"{_('Datum')}: {self.on.isoformat()}",
            "",
            f"{_('65 år och äldre')}: {self.age_65_plus}    {_('Under 65 år')}: {self.under_65}",
            "",
        ]
        lines += _text_table(
            [_("Namn"), _("Personnummer"), _("Kundnummer")],
            [[c.name, c.personal_id, c.customer_number] for c in self.clients],
        )
        if self.has_staff_table:
            lines.append("")
            lines += _text_table(
                [_("Personal"), _("Ordinarie"), _("Vice"), _("Totalt"), _("Brukare")],
                [
                    [
                        f"{row.name} ({row.handle})",
                        str(row.ordinary),
                        str(row.deputy),
                        str(row.total),
                        " ".join(c.customer_number for c in row.clients),
                    ]
                    for row in self.staff
                ],
                numeric={1, 2, 3},
            )
        return "\n".join(lines) + "\n"


def _text_table(header: list[str], rows: list[list[str]], numeric: Iterable[int] = ()) -> list[str]:
    numeric = set(numeric)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        cells = [
            str(cell).rjust(widths[i]) if i in numeric else str(cell).ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    lines = [fmt(header), "  ".join("-" * w for w in widths)]
    lines += [fmt(row) for row in rows] or [_("(inga brukare)")]
    return lines


# --- in the database --------------------------------------------------------------------

SERVICE = Service._meta.db_table
CHANGE = CareContactChange._meta.db_table
CLIENT = Client._meta.db_table
STAFF = Staff._meta.db_table
UNIT = Unit._meta.db_table

# The columns of a (client, unit) row; the contacts' signatures and names are
# read once per person afterwards (_staff_names), not on each of the rows.
COLUMNS = """cl.id, u.code, c.ordinary_id, c.deputy_id,
       cl.customer_number, cl.first_name, cl.last_name, cl.personal_id, cl.birth_date"""

# The population (handbook 1.3) is the clients with an ongoing service on the
# unit on D; where no service at all is recorded for a client on a unit (a
# contact history imported without its services), the history is trusted from
# the first change on or before D.
#
# Every status but "not asked" is a state someone registered, so the changes
# in force on D drive the query (a whole organisation: ~15,000 accepted of
# ~25,000). Outside the population are the pairs whose services have all
# ended or not yet begun on D: one pass over the services, grouped by client
# and unit, and an anti-join: 16 ms for a whole organisation, estimated
# right. (The population built first and joined with the state took 45 ms,
# and only with nested loops turned off: PostgreSQL estimated that join at
# 71 rows instead of 15,000 and read the clients one by one,
# docs/performance.md.)
STATE_SQL = """
WITH outside AS (
    SELECT s.client_id, s.unit_id FROM {service} s WHERE 1 = 1{scope_s}
    GROUP BY s.client_id, s.unit_id
    HAVING MAX(CASE WHEN s."start" <= %s AND (s."end" IS NULL OR s."end" >= %s)
               THEN 1 ELSE 0 END) = 0
){changed}
SELECT {columns}
FROM {change} c
{join_changed}JOIN {client} cl ON cl.id = c.client_id
JOIN {unit} u ON u.id = c.unit_id
WHERE {in_force}{scope_c}{status}
  AND NOT EXISTS (
      SELECT 1 FROM outside o WHERE o.client_id = c.client_id AND o.unit_id = c.unit_id
  )
"""

# "Not asked" is also every client of the population with no change in force,
# so the population drives this one: one row per (client, unit) of it, with
# the state in force at the end of D where there is one.
POPULATION_SQL = """
WITH population AS (
    SELECT s.client_id, s.unit_id FROM {service} s
    WHERE s."start" <= %s AND (s."end" IS NULL OR s."end" >= %s){scope_s}
    UNION
    SELECT c.client_id, c.unit_id FROM {change} c
    WHERE c.effective <= %s{scope_c}
      AND NOT EXISTS (
          SELECT 1 FROM {service} s WHERE s.client_id = c.client_id AND s.unit_id = c.unit_id
      )
),
state AS (
    SELECT c.client_id, c.unit_id, c.status, c.ordinary_id, c.deputy_id FROM {change} c
    WHERE {in_force}{scope_c}
)
SELECT {columns}
FROM population p
LEFT JOIN state c ON c.client_id = p.client_id AND c.unit_id = p.unit_id
JOIN {client} cl ON cl.id = p.client_id
JOIN {unit} u ON u.id = p.unit_id
WHERE c.status IS NULL OR c.status = %s
"""

# (client, unit) whose ordinary contact went from one person to another by a
# change effective in (D − 1 year, D]. The previous ordinary is read from the
# history itself (the change before, in (effective, id) order) rather than the
# stored old_ordinary, so a change registered afterwards with an earlier date
# is compared with the right predecessor. The window runs over the whole
# history up to D, before the year is cut, so the first change of the year
# keeps its predecessor.
CHANGED_SQL = """,
changed AS (
    SELECT DISTINCT h.client_id, h.unit_id FROM (
        SELECT c.client_id, c.unit_id, c.effective, c.ordinary_id,
               LAG(c.ordinary_id) OVER (
                   PARTITION BY c.client_id, c.unit_id ORDER BY c.effective, c.id
               ) AS previous
        FROM {change} c
        WHERE c.effective <= %s{scope_c}
    ) h
    WHERE h.effective > %s AND h.ordinary_id IS NOT NULL AND h.previous IS NOT NULL
      AND h.previous <> h.ordinary_id
)"""


def _scope(scope: QuerySet[Unit] | None, alias: str) -> tuple[str, list[Any]]:
    if scope is None:
        return "", []
    return unit_scope(scope, f"{alias}.unit_id")


def fok_statistics(
    unit: Unit | None,
    status: str,
    on: dt.date,
    units: QuerySet[Unit] | None = None,
) -> FokStatistics:
    """Clients with ``status`` (or CHANGED_LAST_YEAR) as of the end of ``on``.

    ``unit`` None means every unit in ``units`` (all units when that is None
    too). One query, one row per (client, unit) listed, and for the statuses
    with a staff table one more for the contacts' names."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    scope: QuerySet[Unit] | None = Unit.objects.filter(pk=unit.pk) if unit else units
    scope_s, params_s = _scope(scope, "s")
    scope_c, params_c = _scope(scope, "c")
    day = connection.ops.adapt_datefield_value(on)
    tables = {
        "service": SERVICE,
        "change": CHANGE,
        "client": CLIENT,
        "unit": UNIT,
        "columns": COLUMNS,
        "scope_s": scope_s,
        "scope_c": scope_c,
        "in_force": history.in_force_sql("c", "%s"),
    }
    if status == Status.NOT_ASKED:
        # No change in force is "not asked" too.
        sql = POPULATION_SQL.format(**tables)
        params = [day, day, *params_s, day, *params_c, day, day, *params_c, status]
    else:
        changed = join_changed = status_sql = ""
        params = [*params_s, day, day]
        if status == CHANGED_LAST_YEAR:
            changed = CHANGED_SQL.format(change=CHANGE, scope_c=scope_c)
            params += [day, *params_c, connection.ops.adapt_datefield_value(year_before(on))]
            join_changed = (
                "JOIN changed ch ON ch.client_id = c.client_id AND ch.unit_id = c.unit_id\n"
            )
        else:
            status_sql = " AND c.status = %s"
        sql = STATE_SQL.format(
            **tables, changed=changed, join_changed=join_changed, status=status_sql
        )
        params += [day, day, *params_c]
        if status_sql:
            params.append(status)
    # The rows hold no cycles and live as long as the result: a collection
    # while they are fetched and made would only scan them (a third of the
    # Python time for a whole organisation, docs/performance.md).
    with connection.cursor() as cursor, gc_paused():
        cursor.execute(sql, params)
        found = cursor.fetchall()
        with_staff = status in STAFF_STATUSES
        names = _staff_names(cursor, found) if with_staff else {}
        clients, staff = _assemble(found, on, names)
    return FokStatistics(unit=unit, status=status, on=on, clients=clients, staff=staff)


def _staff_names(cursor: Any, found: list[tuple[Any, ...]]) -> dict[int, tuple[str, str]]:
    """The signature and name of every contact in ``found`` (the ordinary and
    deputy ids of the rows), by id: some 4,000 people for a whole
    organisation's 15,000 rows, read once each."""
    ids = {row[2] for row in found} | {row[3] for row in found}
    ids.discard(None)
    names: dict[int, tuple[str, str]] = {}
    for pk, signature, first_name, last_name in bulk.select_by_keys(
        cursor,
        f"SELECT id, signature, first_name, last_name FROM {STAFF} WHERE {{keys}}",
        "id",
        sorted(ids),
        "::bigint",
    ):
        names[pk] = (signature, f"{first_name} {last_name}")
    return names


def _assemble(
    found: list[tuple[Any, ...]], on: dt.date, names: dict[int, tuple[str, str]]
) -> tuple[list[ClientRow], list[StaffRow]]:
    """The client rows and the staff table from the query's rows (one per
    client and unit), in Swedish name order (``name_key``). ``names``: the
    contacts' signatures and names by id (empty: no staff table).

    A whole organisation is ~15,000 rows, so this is kept cheap: plain
    tuples, no model instances, slotted rows, the age and the sort key
    worked out inline (each first and last name's Swedish key once), the
    order by one string per client; the caller pauses the garbage
    collector."""
    rows: dict[int, ClientRow] = {}
    # name_key(name, customer number) as one string (PersonKeys): strings
    # sort as those pairs do, faster than pairs.
    keyed: dict[str, ClientRow] = {}
    person_key = PersonKeys()
    signature_of = {pk: signature for pk, (signature, _name) in names.items()}
    # contacts.personal_id.age_on, inline: completed years on ``on``.
    on_year, on_day = on.year, (on.month, on.day)
    for (
        client_id,
        unit_code,
        ordinary_id,
        deputy_id,
        customer_number,
        first_name,
        last_name,
        personal_id,
        birth_date,
    ) in found:
        ordinary = signature_of.get(ordinary_id)
        deputy = signature_of.get(deputy_id)
        row = rows.get(client_id)
        if row is None:
            if isinstance(birth_date, str):  # SQLite, for some queries
                birth_date = dt.date.fromisoformat(birth_date)
            age = on_year - birth_date.year
            if on_day < (birth_date.month, birth_date.day):
                age -= 1
            rows[client_id] = keyed[person_key(first_name, last_name, customer_number)] = ClientRow(
                client_id,
                customer_number,
                f"{first_name} {last_name}",
                personal_id,
                age,
                [ordinary] if ordinary else [],
                [deputy] if deputy else [],
                [unit_code],
            )
            continue
        # The client's next unit (rare): the lists in order, each name once.
        for value, values in ((unit_code, row.units), (ordinary, row.ordinary),
                              (deputy, row.deputy)):  # fmt: skip
            if value and value not in values:
                values.append(value)
                values.sort()
    clients = [keyed[key] for key in sorted(keyed)]
    if not names:
        return clients, []
    # A client counts once per staff member: as ordinary when they are the
    # ordinary on any of the client's counted units, otherwise as deputy, so
    # ordinary + deputy = total = the number of clients listed. Read in the
    # clients' order, each staff member's clients come in that order.
    listed: dict[str, list[ClientRow]] = {}
    as_ordinary: dict[str, int] = {}
    for client_row in clients:
        for signature in client_row.ordinary:
            listed.setdefault(signature, []).append(client_row)
            as_ordinary[signature] = as_ordinary.get(signature, 0) + 1
        for signature in client_row.deputy:
            if signature not in client_row.ordinary:
                listed.setdefault(signature, []).append(client_row)
                as_ordinary.setdefault(signature, 0)
    staff_rows: dict[str, StaffRow] = {}
    for staff_id, (signature, name) in names.items():
        clients_of = listed[signature]
        count = as_ordinary[signature]
        # name_key order: the Swedish key of the name, then the signature.
        staff_rows[f"{swedish_key(name)}{PersonKeys.BELOW_KEYS}{signature}"] = StaffRow(
            staff_id, signature, name, count, len(clients_of) - count, clients_of
        )
    return clients, [staff_rows[key] for key in sorted(staff_rows)]
