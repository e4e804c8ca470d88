"""FOK statistics search (handbook 1.8): clients by contact status on a date.

The definitions (population, "changed in the last year", staff counts, sort
order) are documented in docs/statistics.md; keep the two in step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts import history
from contacts.models import CareContact, CareContactChange, Client, Service, Staff, Unit
from omsorg.collation import name_key
from omsorg.output.csv import csv_text
from reports import csv_columns

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


@dataclass
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


@dataclass
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


def _population(on: dt.date, units: QuerySet[Unit] | None) -> set[tuple[int, int]]:
    """(client_id, unit_id) for every client with an ongoing service on a unit
    on ``on`` (handbook 1.3: those are the clients the contact applies to).

    Where no service at all is recorded for a client on a unit (a contact
    history imported without its services), the contact history is trusted
    instead: the client counts from their first change on or before ``on``."""
    services = Service.objects.all()
    changes = CareContactChange.objects.filter(effective__lte=on)
    if units is not None:
        services = services.filter(unit__in=units)
        changes = changes.filter(unit__in=units)
    has_service = Service.objects.filter(client=OuterRef("client"), unit=OuterRef("unit"))
    # No ORDER BY inside the union (the models' default orderings): SQLite
    # refuses it in a compound statement.
    ongoing = services.filter(Service.ongoing_q(on)).order_by().values_list("client_id", "unit_id")
    without_services = (
        changes.filter(~Exists(has_service)).order_by().values_list("client_id", "unit_id")
    )
    return set(ongoing.union(without_services))  # one query; UNION removes duplicates


def _changed_ordinary(on: dt.date, units: QuerySet[Unit] | None) -> set[tuple[int, int]]:
    """(client_id, unit_id) whose ordinary contact went from one person to
    another by a change effective in (on − 1 year, on].

    The previous ordinary is read from the history itself (the change before,
    in (effective, id) order) rather than the stored old_ordinary, so a change
    registered afterwards with an earlier date is still compared with the
    right predecessor. One query (a correlated subquery on the as-of index;
    a LAG window cannot be used since the date filter would cut the
    predecessor of the first change in the year away)."""
    before = CareContactChange.objects.filter(
        client=OuterRef("client"), unit=OuterRef("unit")
    ).filter(
        Q(effective__lt=OuterRef("effective"))
        | Q(effective=OuterRef("effective"), id__lt=OuterRef("id"))
    )
    changes = CareContactChange.objects.filter(
        effective__gt=year_before(on), effective__lte=on, ordinary__isnull=False
    )
    if units is not None:
        changes = changes.filter(unit__in=units)
    changes = changes.annotate(
        previous_ordinary=Subquery(before.order_by("-effective", "-id").values("ordinary_id")[:1])
    ).filter(previous_ordinary__isnull=False)
    return {
        (row["client_id"], row["unit_id"])
        for row in changes.values("client_id", "unit_id", "ordinary_id", "previous_ordinary")
        if row["ordinary_id"] != row["previous_ordinary"]
    }


def fok_statistics(
    unit: Unit | None,
    status: str,
    on: dt.date,
    units: QuerySet[Unit] | None = None,
) -> FokStatistics:
    """Clients with ``status`` (or CHANGED_LAST_YEAR) as of the end of ``on``.

    ``unit`` None means every unit in ``units`` (all units when that is None
    too). A fixed number of queries (five at most) whatever the data size."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    scope: QuerySet[Unit] | None = Unit.objects.filter(pk=unit.pk) if unit else units

    population = _population(on, scope)
    states = {
        (row["client_id"], row["unit_id"]): row
        for row in history.in_force(on, units=scope).values(
            "client_id", "unit_id", "status", "ordinary_id", "deputy_id"
        )
    }
    if status == CHANGED_LAST_YEAR:
        matching = population & _changed_ordinary(on, scope)
    else:
        matching = {
            pair
            for pair in population
            if (states[pair]["status"] if pair in states else Status.NOT_ASKED) == status
        }

    # Contacts in force on the date, per matching (client, unit).
    links: list[tuple[int, int, str]] = []  # (client_id, staff_id, "ordinary"/"deputy")
    if status in STAFF_STATUSES:
        for pair in matching:
            state = states.get(pair)
            if state is None:
                continue
            if state["ordinary_id"]:
                links.append((pair[0], state["ordinary_id"], "ordinary"))
            if state["deputy_id"]:
                links.append((pair[0], state["deputy_id"], "deputy"))

    client_ids = {client_id for client_id, _unit_id in matching}
    clients = {
        c.pk: c
        for c in Client.objects.filter(pk__in=client_ids).only(
            "pk", "customer_number", "first_name", "last_name", "personal_id", "birth_date"
        )
    }
    staff = {
        s.pk: s
        for s in Staff.objects.filter(pk__in={staff_id for _c, staff_id, _r in links}).only(
            "pk", "signature", "first_name", "last_name"
        )
    }
    unit_codes = (
        dict(Unit.objects.filter(pk__in={u for _c, u in matching}).values_list("pk", "code"))
        if unit is None
        else {unit.pk: unit.code}
    )

    rows: dict[int, ClientRow] = {}
    for client_id, client in clients.items():
        rows[client_id] = ClientRow(
            pk=client.pk,
            customer_number=client.customer_number,
            name=client.full_name,
            personal_id=client.personal_id,
            age=client.age_on(on),
        )
    for client_id, unit_id in matching:
        rows[client_id].units.append(unit_codes.get(unit_id, ""))

    staff_rows: dict[int, StaffRow] = {}
    # A client counts once per staff member: as ordinary when they are the
    # ordinary on any of the client's counted units, otherwise as deputy, so
    # ordinary + deputy = total = the number of clients listed.
    roles: dict[tuple[int, int], str] = {}
    for client_id, staff_id, role in links:
        if roles.get((staff_id, client_id)) != "ordinary":
            roles[(staff_id, client_id)] = role
        signature = staff[staff_id].signature
        target = rows[client_id].ordinary if role == "ordinary" else rows[client_id].deputy
        if signature not in target:
            target.append(signature)
    for (staff_id, client_id), role in roles.items():
        member = staff[staff_id]
        row = staff_rows.setdefault(
            staff_id,
            StaffRow(pk=member.pk, signature=member.signature, name=member.full_name),
        )
        if role == "ordinary":
            row.ordinary += 1
        else:
            row.deputy += 1
        row.clients.append(rows[client_id])

    for client_row in rows.values():
        client_row.units.sort()
        client_row.ordinary.sort()
        client_row.deputy.sort()
    for staff_row in staff_rows.values():
        staff_row.clients.sort(key=lambda c: c.sort_key)
    return FokStatistics(
        unit=unit,
        status=status,
        on=on,
        clients=sorted(rows.values(), key=lambda c: c.sort_key),
        staff=sorted(staff_rows.values(), key=lambda s: s.sort_key),
    )
