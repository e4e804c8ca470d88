"""CSV import of units, staff, clients, services, care contacts, visits and users.

The format is specified in docs/interchange.md (and for users in docs/import.md).
Every file is checked completely before anything counts: problems are collected
as ``line N: column: message`` and, if there is even one, the whole import is
rolled back. Care-contact changes are written row by row through
``contacts.services``, so an imported change gets the same rules, journal notes
and plan updates as one made in the browser. The other kinds are written a
batch at a time in plain SQL (``contacts.bulk``; visits through
``services.visits_bulk_upsert``): every cell is parsed and checked in Python
first, so the database's constraints are the last guard, not the first.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import gc
import io
import itertools
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.roles import ROLE_CODES, role_for
from contacts import bulk, services, versions
from contacts import personal_id as pid
from contacts.models import (
    CareContact,
    CareContactChange,
    CareType,
    Client,
    Service,
    Staff,
    StaffTitle,
    Unit,
    Visit,
)
from omsorg.gc import gc_paused

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Pseudo-column names for problems that belong to no single column.
HEADER = "header"
ROW = "row"

# import_csv's progress is reported every this many rows.
PROGRESS_ROWS = 10_000
# progress(rows done, rows in the file): while the file is first read, the
# rows read so far and None; then the rows checked and applied, of all.
ImportProgress = Callable[[int, int | None], None]


def row_count(number: int) -> str:
    """A number of rows as Swedish writes it (12 345), for progress texts."""
    return number_format(number, force_grouping=True)


CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class KindSpec:
    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    # Columns of the natural key; None where rows are events (contacts).
    key: tuple[str, ...] | None

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


SPECS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec("units", ("code", "name"), ("provider",), ("code",)),
        KindSpec(
            "staff",
            ("signature", "first_name", "last_name", "title", "units"),
            (
                "personal_id",
                "phone",
                "email",
                "hsa_id",
                "available",
                "fok_selectable",
                "title_certificate_date",
                "permanent_on_2023_07_01",
            ),
            ("signature",),
        ),
        KindSpec(
            "clients",
            ("customer_number", "personal_id", "first_name", "last_name"),
            ("phone", "address"),
            ("customer_number",),
        ),
        KindSpec(
            "services",
            ("customer_number", "unit", "kind", "start"),
            ("end",),
            ("customer_number", "unit", "kind", "start"),
        ),
        KindSpec(
            "contacts",
            ("customer_number", "unit", "status"),
            ("ordinary", "deputy", "effective", "reason"),
            None,
        ),
        KindSpec(
            "visits",
            ("visit_id", "customer_number", "unit", "start", "status"),
            ("end", "kind", "staff", "planned_staff", "receipt", "registered_afterwards"),
            ("visit_id",),
        ),
        KindSpec(
            "users",
            ("username", "first_name", "last_name", "role"),
            ("email", "units", "active", "staff"),
            ("username",),
        ),
    )
}
KINDS: tuple[str, ...] = tuple(SPECS)


class UnknownKind(ValueError):
    pass


# --- values ---------------------------------------------------------------------------

BOOLEANS = {
    "ja": True,
    "yes": True,
    "true": True,
    "1": True,
    "nej": False,
    "no": False,
    "false": False,
    "0": False,
}

# The Swedish words of interchange.md; the stored codes are accepted as well.
TITLES = {
    "undersköterska": StaffTitle.ASSISTANT_NURSE,
    "vårdbiträde": StaffTitle.CARE_AIDE,
    "sjuksköterska": StaffTitle.NURSE,
    "arbetsterapeut": StaffTitle.OCCUPATIONAL_THERAPIST,
    "fysioterapeut": StaffTitle.PHYSIOTHERAPIST,
    "enhetschef": StaffTitle.UNIT_MANAGER,
    "samordnare": StaffTitle.COORDINATOR,
    "övrig": StaffTitle.OTHER,
    **{value: StaffTitle(value) for value in StaffTitle.values},
}

STATUSES = {
    # Labels as shown in the app ("Brukaren tackar ja"); the "brukaren " prefix is
    # removed before lookup, so the short forms people type work too.
    "ej tillfrågad": CareContact.Status.NOT_ASKED,
    "inte tillfrågad": CareContact.Status.NOT_ASKED,
    "saknar behov": CareContact.Status.NO_NEED,
    "tackar nej": CareContact.Status.DECLINED,
    "tackar ja": CareContact.Status.ACCEPTED,
    **{value: CareContact.Status(value) for value in CareContact.Status.values},
}

SERVICE_KINDS = {
    "personlig omvårdnad": Service.Kind.PERSONAL_CARE,
    "trygghetslarm": Service.Kind.ALARM,
    "matdistribution": Service.Kind.MEALS,
    "inköp": Service.Kind.SHOPPING,
    "städ": Service.Kind.CLEANING,
    "tvätt": Service.Kind.LAUNDRY,
    "ledsagning": Service.Kind.ESCORT,
    "avlösning": Service.Kind.RELIEF,
    "övrigt": Service.Kind.OTHER,
    **{value: Service.Kind(value) for value in Service.Kind.values},
}

VISIT_STATUSES = {
    "planerat": Visit.Status.PLANNED,
    "utfört": Visit.Status.PERFORMED,
    "inställt": Visit.Status.CANCELLED,
    "avböjt": Visit.Status.DECLINED,
    **{value: Visit.Status(value) for value in Visit.Status.values},
}

VISIT_KINDS = {
    "omsorg": Visit.Kind.CARE,
    "larm": Visit.Kind.ALARM,
    "måltid": Visit.Kind.MEAL,
    "hälso- och sjukvård": Visit.Kind.HEALTH,
    **{value: Visit.Kind(value) for value in Visit.Kind.values},
}

RECEIPTS = {
    "fullständig": Visit.Receipt.COMPLETE,
    "ofullständig": Visit.Receipt.INCOMPLETE,
    Visit.Receipt.COMPLETE.value: Visit.Receipt.COMPLETE,
    Visit.Receipt.INCOMPLETE.value: Visit.Receipt.INCOMPLETE,
}

# The allowed values named in error messages (computed once, not per row).
_TITLE_WORDS = tuple(TITLES)[:8]
_SERVICE_KIND_VALUES = tuple(Service.Kind.values)
_VISIT_STATUS_VALUES = tuple(Visit.Status.values)
_VISIT_KIND_VALUES = tuple(Visit.Kind.values)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Excel sometimes adds seconds or writes a "T"; both are harmless to accept.
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$")


class CellError(ValueError):
    """A cell that cannot be read; the message is Swedish and shown to the user."""


def _norm(value: str) -> str:
    return " ".join(value.lower().split())


@functools.lru_cache(maxsize=4096)
def parse_date(value: str) -> dt.date:
    if _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise CellError(_("”%(value)s” är inget giltigt datum (ÅÅÅÅ-MM-DD).") % {"value": value})


@functools.lru_cache(maxsize=65536)
def parse_datetime(value: str) -> dt.datetime:
    """Local Stockholm time made aware; times that do not exist (the hour
    skipped when summer time starts) are an error rather than a guess."""
    match = _DATETIME.match(value)
    if match:
        try:
            naive = dt.datetime.fromisoformat(
                f"{match[1]} {match[2]}:{match[3]}:{match[4] or '00'}"
            )
        except ValueError:
            naive = None
        if naive is not None:
            aware = naive.replace(tzinfo=STOCKHOLM)
            if aware.astimezone(dt.UTC).astimezone(STOCKHOLM).replace(tzinfo=None) != naive:
                raise CellError(
                    _("”%(value)s” finns inte i svensk tid (övergång till sommartid).")
                    % {"value": value}
                )
            return aware
    raise CellError(
        _("”%(value)s” är ingen giltig tidpunkt (ÅÅÅÅ-MM-DD TT:MM).") % {"value": value}
    )


def parse_bool(value: str) -> bool:
    try:
        return BOOLEANS[value.strip().lower()]
    except KeyError:
        raise CellError(
            _("”%(value)s” är inget giltigt värde; använd ja/nej, yes/no, true/false eller 1/0.")
            % {"value": value}
        ) from None


def parse_choice(value: str, choices: dict[str, Any], *, allowed: Iterable[str]) -> Any:
    found = choices.get(value)  # the common case: the code itself, as written
    if found is not None:
        return found
    key = _norm(value)
    if key in choices:
        return choices[key]
    raise CellError(
        _("Okänt värde ”%(value)s”; tillåtna värden: %(allowed)s.")
        % {"value": value, "allowed": ", ".join(allowed)}
    )


def parse_status(value: str) -> str:
    key = _norm(value)
    if key.startswith("brukaren "):
        key = key.removeprefix("brukaren ")
    if key in STATUSES:
        return STATUSES[key]
    raise CellError(
        _("Okänd status ”%(value)s”; tillåtna värden: %(allowed)s.")
        % {"value": value, "allowed": ", ".join(CareContact.Status.values)}
    )


def parse_list(value: str) -> list[str]:
    return value.split()


def parse_signature(value: str) -> str:
    return value.strip().lstrip("@")


# --- reading the file -----------------------------------------------------------------


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def has(self, column: str) -> bool:
        """Is the column in the file at all (an empty cell still counts)?"""
        return column in self.values

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.message}"


@dataclass
class ImportResult:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    # The file's header, so problems on one line are listed left to right.
    columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def errors(self) -> list[str]:
        position = {name: index for index, name in enumerate(self.columns)}
        ordered = sorted(
            self.problems, key=lambda p: (p.line, position.get(p.column, len(position)))
        )
        return [str(problem) for problem in ordered]

    @property
    def summary(self) -> str:
        return (
            f"{self.kind}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )


class _FileError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class Source:
    """The CSV file, read from the start as often as needed, a line at a time
    (never the whole file in memory): bytes, text, a path or an open file."""

    def __init__(self, data: bytes | str | os.PathLike[str] | IO[Any]) -> None:
        if not isinstance(data, bytes | str | os.PathLike) and not data.seekable():
            data = data.read()
        self.data = data

    def lines(self) -> Iterator[str]:
        """Text lines with their line ends; a line that is not UTF-8 raises
        _FileError with its number. A byte order mark (Excel's "CSV UTF-8")
        is dropped."""
        data = self.data
        if isinstance(data, str):
            yield from io.StringIO(data.removeprefix("\ufeff"), newline="")
            return
        if isinstance(data, bytes):
            yield from _fast_decoded(lambda: io.BytesIO(data))
        elif isinstance(data, os.PathLike):
            yield from _fast_decoded(Path(data).open, "rb")
        else:
            data.seek(0)
            if isinstance(data, io.TextIOBase):
                yield from data
            else:
                yield from _decoded(data)


# A line end as in text mode with newline="": \r\n, \r or \n.
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _fast_decoded(open_binary: Callable[..., IO[bytes]], *args: str) -> Iterator[str]:
    """The lines of _decoded, decoded by the io module a block at a time (C
    code, several times faster); on a decoding problem the rest is read again
    through _decoded, which finds the problem's line number."""
    count = 0
    with open_binary(*args) as binary, io.TextIOWrapper(binary, "utf-8", newline="") as text:
        try:
            for count, line in enumerate(text, start=1):  # noqa: B007 (count used below)
                yield line.removeprefix("\ufeff") if count == 1 else line
            return
        except UnicodeDecodeError:
            pass
    with open_binary(*args) as binary:
        yield from itertools.islice(_decoded(binary), count, None)


def _decoded(binary: Iterable[bytes]) -> Iterator[str]:
    """Lines split at b"\n" (so a decoding problem has its line number),
    then at a lone \r as the csv module expects of text mode."""
    for number, raw in enumerate(binary, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _FileError(
                number,
                _("Filen är inte kodad som UTF-8. Spara den som ”CSV UTF-8” och försök igen."),
            ) from None
        if number == 1:
            line = line.removeprefix("\ufeff")
        if "\r" in line[:-2]:
            yield from _LINES.findall(line)
        else:
            yield line


def iter_rows(
    source: Source, spec: KindSpec, problems: list[Problem], columns: list[str]
) -> Iterator[Row]:
    """The rows as dicts of the columns present, one at a time. A problem of
    the file itself (header, encoding, quoting) is added to ``problems`` and
    ends the reading."""
    lines = source.lines()
    try:
        first: list[str] = []
        for text in lines:
            first.append(text)
            if text.strip():
                break
        first_line = first[-1] if first else ""
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(itertools.chain(first, lines), delimiter=delimiter)
        header: list[str] | None = None
        plain, width = False, 0
        last_line = 0
        for record in reader:
            line = last_line + 1
            last_line = reader.line_num
            cells = [cell.strip() for cell in record]
            if not any(cells):
                continue  # blank lines and the ";;;" rows Excel leaves behind
            if header is None:
                header = [cell.lower() for cell in cells]
                columns.extend(header)
                _check_header(header, line, spec, problems)
                if problems:
                    return
                # Every column named: a row of the header's length is a zip.
                plain = all(header)
                width = len(header)
                continue
            if plain and len(cells) == width:
                yield Row(line, dict(zip(header, cells, strict=True)))
                continue
            values: dict[str, str] = {}
            for index, cell in enumerate(cells):
                name = header[index] if index < len(header) else ""
                if name:
                    values[name] = cell
                elif cell:
                    problems.append(
                        Problem(
                            line,
                            ROW,
                            _("Värdet ”%(value)s” står i en kolumn utan rubrik.") % {"value": cell},
                        )
                    )
            for name in header:
                if name:
                    values.setdefault(name, "")
            yield Row(line, values)
    except _FileError as exc:
        problems.append(Problem(exc.line, HEADER, exc.message))
        return
    except csv.Error as exc:
        problems.append(
            Problem(last_line + 1, ROW, _("Raden kan inte läsas: %(error)s") % {"error": exc})
        )
        return
    if header is None:
        problems.append(Problem(1, HEADER, _("Filen är tom; en rubrikrad krävs.")))


def read_rows(
    data: bytes | str, spec: KindSpec, problems: list[Problem], columns: list[str]
) -> list[Row]:
    """Every row at once (for small files and the tests); a problem of the
    file itself leaves no rows."""
    rows = list(iter_rows(Source(data), spec, problems, columns))
    return [] if problems else rows


def _check_header(header: list[str], line: int, spec: KindSpec, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for name in header:
        if not name:
            continue  # an unnamed column is allowed while its cells are empty
        if name not in spec.columns:
            problems.append(
                Problem(
                    line,
                    name,
                    _("Okänd kolumn för %(kind)s; tillåtna kolumner: %(allowed)s.")
                    % {"kind": spec.kind, "allowed": ", ".join(spec.columns)},
                )
            )
        elif name in seen:
            problems.append(Problem(line, name, _("Kolumnen förekommer två gånger.")))
        seen.add(name)
    for name in spec.required:
        if name not in seen:
            problems.append(Problem(line, name, _("Obligatorisk kolumn saknas.")))


# --- checking and applying rows ----------------------------------------------------------


@dataclass
class Prepared:
    """A checked row: what to hand to the service."""

    line: int
    data: dict[str, Any]
    order: tuple[Any, ...] = ()
    # Columns absent from the file, whose stored values are kept.
    keep: frozenset[str] = frozenset()


# A long import's batches between two collections of the young generations
# (_Importer.run): 100,000 visits.
COLLECT_EVERY = 20


class _SeenKeys:
    """The keys of a long file's rows, each with the first line that gave it,
    in a temporary table instead of a dict: a dict of 18 million visit ids
    (a year of a large municipality's visits) would hold gigabytes. The
    table goes with the import's transaction, or is dropped at the end; its
    name is the import's own, so imports in one transaction do not meet."""

    def __init__(self, importer: _Importer) -> None:
        self.importer = importer
        self.table = f"import_keys_{uuid.uuid4().hex}"
        self._created = False

    def first_of_each(self, batch: list[Prepared]) -> list[Prepared]:
        """The batch without the rows whose key came before (in an earlier
        batch or in this one), each of those reported as a problem with the
        line where the key was first given."""
        importer = self.importer
        keys = [importer.table_key(item) for item in batch]
        with connection.cursor() as cursor:
            if not self._created:
                # ON COMMIT DROP: gone with a transaction that ends without close().
                on_commit = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {self.table} "
                    f"(row_key text PRIMARY KEY, first_line integer NOT NULL){on_commit}"
                )
                self._created = True
            sql = f"SELECT row_key, first_line FROM {self.table} WHERE {{keys}}"
            earlier = dict(bulk.select_by_keys(cursor, sql, "row_key", list(set(keys))))
            firsts: dict[str, int] = {}
            unique: list[Prepared] = []
            for key, item in zip(keys, batch, strict=True):
                first = earlier.get(key) or firsts.get(key)
                if first is not None:
                    importer.duplicate(item.line, first)
                    continue
                firsts[key] = item.line
                unique.append(item)
            bulk.insert_rows(cursor, self.table, ("row_key", "first_line"), list(firsts.items()))
        return unique

    def close(self) -> None:
        if self._created:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {self.table}")
            self._created = False


class _Importer:
    """Checks rows (collecting every problem) and applies them through services."""

    spec: KindSpec
    # Model field name -> column, for ValidationErrors raised by full_clean().
    field_columns: dict[str, str] = {}
    # Apply in Prepared.order rather than file order.
    ordered = False

    # Rows prepared and applied this many at a time (memory stays constant
    # however long the file); None: all at once (ordered or cross-row checks).
    batch_size: int | None = None
    # The keys of the rows read so far, that find a key given twice in the
    # file: in a dict, or, for the kinds of very long files (a year of
    # visits is millions of rows), in a temporary table (_SeenKeys), checked
    # a batch at a time, so that memory stays constant there too.
    keys_in_table = False
    # import_csv's progress callback, and the file's number of rows.
    progress: ImportProgress | None = None
    total_rows = 0
    # Columns whose values refer to other records (looked up once per file).
    reference_columns = (
        "unit", "units", "customer_number", "ordinary", "deputy", "staff", "planned_staff",
        "username",
    )  # fmt: skip

    def __init__(
        self,
        rows: list[Row] | Callable[[], Iterable[Row]],
        problems: list[Problem],
        by: services.User | None,
    ):
        self._rows = rows
        # Column -> the values in the file (noted while the file is first read).
        self._references: dict[str, set[str]] | None = None
        self.problems = problems
        self.by = by
        self._row_failed = False
        self._units: dict[str, Unit] | None = None
        self._clients: dict[str, Client] | None = None
        # Personal identity numbers checked against today's date, read once
        # (reading the clock is a good part of checking a number).
        self.parse_personal_id = functools.partial(pid.parse, today=dt.date.today())
        self._staff: dict[str, Staff] | None = None

    # problems

    def error(self, row: Row, column: str, message: str) -> None:
        self.problems.append(Problem(row.line, column, message))
        self._row_failed = True

    def cell(self, row: Row, column: str, parse: Callable[[str], Any], default: Any = None) -> Any:
        """Parse a cell; empty means "not given" (the default)."""
        value = row.values.get(column, "")
        if not value:
            if column in self.spec.required:
                self.error(row, column, _("Värde saknas."))
            return default
        try:
            return parse(value)
        except CellError as exc:
            self.error(row, column, str(exc))
        except pid.PersonalIdError as exc:
            self.error(row, column, str(exc))
        return default

    def fields_valid(
        self,
        line: int,
        model: type[models.Model],
        values: dict[str, Any],
        column: str,
        instance: models.Model | None = None,
    ) -> bool:
        """Are a row's fields valid? ``_quickly_valid`` first; where it says
        no, the model's full_clean() (on ``instance``, or a new one made from
        ``values``) decides and its messages become the line's problems."""
        if _quickly_valid(model, values):
            return True
        try:
            (instance or model(**values)).full_clean(
                validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            self.add_validation_error(line, exc, column)
            return False
        return True

    def add_validation_error(self, line: int, exc: ValidationError, default_column: str) -> None:
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                column = (
                    default_column
                    if name == NON_FIELD_ERRORS
                    else self.field_columns.get(name, name)
                )
                for message in messages:
                    self.problems.append(Problem(line, column, message))
        else:
            for message in exc.messages:
                self.problems.append(Problem(line, default_column, message))

    # references, each looked up in one query for the whole file

    def each_row(self) -> Iterable[Row]:
        """The file's rows, read again from the start."""
        return self._rows() if callable(self._rows) else self._rows

    def note_references(self, row: Row) -> None:
        """Remember the row's references, so each kind is looked up in one query."""
        if self._references is None:
            self._references = {column: set() for column in self.reference_columns}
        values, references = row.values, self._references
        for column in self.reference_columns:
            value = values.get(column)
            if value:
                if " " in value:
                    references[column].update(value.split())
                else:
                    references[column].add(value)

    def _referenced(self, columns: tuple[str, ...], normalise: Callable[[str], str]) -> set[str]:
        if self._references is None:
            for row in self.each_row():
                self.note_references(row)
        assert self._references is not None
        return {normalise(part) for column in columns for part in self._references.get(column, ())}

    def unit(self, row: Row, column: str, code: str) -> Unit | None:
        if self._units is None:
            codes = self._referenced(("unit", "units"), str)
            self._units = {
                u.code: u
                for u in Unit.objects.filter(bulk.keys_filter(Unit, "code", codes)).order_by()
            }
        unit = self._units.get(code)
        if unit is None:
            self.error(row, column, _("Okänd enhet ”%(code)s”.") % {"code": code})
        return unit

    def client(self, row: Row, number: str) -> Client | None:
        if self._clients is None:
            numbers = self._referenced(("customer_number",), str)
            self._clients = {
                c.customer_number: c
                for c in Client.objects.filter(
                    bulk.keys_filter(Client, "customer_number", numbers)
                ).order_by()
            }
        client = self._clients.get(number)
        if client is None:
            self.error(
                row, "customer_number", _("Okänt kundnummer ”%(number)s”.") % {"number": number}
            )
        return client

    def staff(self, row: Row, column: str, signature: str) -> Staff | None:
        if self._staff is None:
            signatures = self._referenced(
                ("ordinary", "deputy", "staff", "planned_staff"), parse_signature
            )
            self._staff = {
                s.signature: s
                for s in Staff.objects.filter(
                    bulk.keys_filter(Staff, "signature", signatures)
                ).order_by()
            }
        staff = self._staff.get(parse_signature(signature))
        if staff is None:
            self.error(row, column, _("Okänd signatur ”%(signature)s”.") % {"signature": signature})
        return staff

    def staff_list(self, row: Row, column: str) -> list[Staff]:
        found = [self.staff(row, column, s) for s in parse_list(row.get(column))]
        return [s for s in found if s is not None]

    # the run

    def key(self, row: Row, prepared: Prepared) -> tuple[Any, ...]:
        assert self.spec.key is not None
        return tuple(row.get(column) for column in self.spec.key)

    def table_key(self, prepared: Prepared) -> str:
        """The row's key as text, for _SeenKeys (kinds with keys_in_table)."""
        raise NotImplementedError

    def run(self, counts: dict[str, int]) -> None:
        """Check every row and apply the good ones; in batches where the kind
        allows, once a batch is full, as long as no row had a problem (the
        import is then rolled back anyway).

        With Python's cyclic garbage collector paused (omsorg.gc): the rows
        hold no cycles and are freed as they are done with, but every
        collection on the way scanned the batch in hand and the records
        looked up for the file (a fifth of a visit import's time: 200,000
        visits 4.4-4.7 s of Python with it, 3.3-3.4 s without). A long file
        still has a collection every COLLECT_EVERY batches, so cycles, if
        any, cannot pile up."""
        with gc_paused():
            if self.batch_size is None:
                self.apply_all(self.prepare_all(), counts)
                return
            seen = _SeenKeys(self) if self.keys_in_table else None
            batch: list[Prepared] = []
            batches = 0
            for item in self.iter_prepared():
                batch.append(item)
                if len(batch) >= self.batch_size:
                    self._apply_batch(batch, counts, seen)
                    batch = []
                    batches += 1
                    if batches % COLLECT_EVERY == 0:
                        gc.collect(1)
            if batch:
                self._apply_batch(batch, counts, seen)
            if seen is not None:
                seen.close()
            if not self.problems:
                self.finish()

    def _apply_batch(
        self, batch: list[Prepared], counts: dict[str, int], seen: _SeenKeys | None
    ) -> None:
        """Apply a batch, unless the import has failed already; with
        ``seen``, rows whose key came before in the file are problems first
        (they are checked even when nothing more is applied)."""
        if seen is not None:
            batch = seen.first_of_each(batch)
        if not self.problems:
            self.apply_all(batch, counts)

    def finish(self) -> None:
        """Work for the file as a whole, once every batch is written."""

    def prepare_all(self) -> list[Prepared]:
        prepared = list(self.iter_prepared())
        return sorted(prepared, key=lambda item: item.order) if self.ordered else prepared

    def iter_prepared(self) -> Iterator[Prepared]:
        keys: dict[tuple[Any, ...], int] = {}
        check_keys = self.spec.key is not None and not self.keys_in_table
        progress = self.progress
        if progress is not None:
            progress(0, self.total_rows)
        for done, row in enumerate(self.each_row()):
            if progress is not None and done and done % PROGRESS_ROWS == 0:
                progress(done, self.total_rows)
            self._row_failed = False
            item = self.prepare(row)
            if self._row_failed or item is None:
                continue
            if check_keys:
                key = self.key(row, item)
                if key in keys:
                    self.duplicate(row.line, keys[key])
                    continue
                keys[key] = row.line
            yield item

    def duplicate(self, line: int, first: int) -> None:
        """The row on ``line`` has the key of the row on ``first``."""
        assert self.spec.key is not None
        self.problems.append(
            Problem(
                line,
                self.spec.key[0],
                _("Samma %(key)s finns redan på rad %(line)s i filen.")
                % {"key": " + ".join(self.spec.key), "line": first},
            )
        )

    def prepare(self, row: Row) -> Prepared | None:
        raise NotImplementedError

    def apply(self, item: Prepared) -> str:
        raise NotImplementedError

    def apply_all(self, prepared: list[Prepared], counts: dict[str, int]) -> None:
        """Apply row by row, each in a savepoint, collecting what the services
        refuse (appointment rules, unique numbers) as problems of that line."""
        for item in prepared:
            try:
                with transaction.atomic():
                    counts[self.apply(item)] += 1
            except ValidationError as exc:
                self.add_validation_error(item.line, exc, self.spec.required[0])
            except DatabaseError as exc:
                self.problems.append(
                    Problem(
                        item.line, ROW, _("Raden kunde inte sparas: %(error)s") % {"error": exc}
                    )
                )


def _upserted(result: services.Upserted) -> str:
    if result.created:
        return CREATED
    if result.updated:
        return UPDATED
    return UNCHANGED


def _text(value: str) -> str:
    return value


class UnitImporter(_Importer):
    spec = SPECS["units"]
    batch_size = 2000

    def key(self, row: Row, prepared: Prepared) -> tuple[Any, ...]:
        return (prepared.data["code"],)

    def prepare(self, row: Row) -> Prepared:
        data = {
            "code": self.cell(row, "code", _text),
            "name": self.cell(row, "name", _text),
            "provider": row.get("provider") or None,
        }
        return Prepared(row.line, data)

    def apply_all(self, prepared: list[Prepared], counts: dict[str, int]) -> None:
        """A batch in a fixed number of queries (and one or two per new
        provider name), with the effect of services.unit_upsert on each row."""
        existing = {
            u.code: u for u in Unit.objects.filter(code__in=[i.data["code"] for i in prepared])
        }
        care_type = CareType.objects.filter(code="hemtjanst").first()
        providers: dict[str, Any] = {}
        new: list[Unit] = []
        changed: list[Unit] = []
        changed_fields: set[str] = set()
        for item in prepared:
            code, data = item.data["code"], item.data
            fields: dict[str, Any] = {"name": data["name"]}
            if data["provider"]:
                name = data["provider"]
                if name not in providers:
                    providers[name] = services.provider_get_or_create(name=name)
                fields["provider"] = providers[name]
            unit = existing.get(code)
            if unit is None:
                unit = Unit(code=code, care_type=care_type, **fields)
                target = new
                counts[CREATED] += 1
            else:
                before = {name: getattr(unit, name) for name in fields}
                dirty = _apply_fields(unit, fields)
                if dirty:
                    changed_fields.update(n for n in fields if getattr(unit, n) != before[n])
                counts[UPDATED if dirty else UNCHANGED] += 1
                # As unit_upsert: a unit without a form of care gets home care
                # (not a change the file made, so not counted as one).
                if unit.care_type_id is None and care_type is not None:
                    unit.care_type = care_type
                    changed_fields.add("care_type")
                    dirty = True
                if not dirty:
                    continue
                target = changed
            if not self.fields_valid(item.line, Unit, {"code": code, **fields}, "code", unit):
                continue
            target.append(unit)
        if self.problems:
            return
        try:
            with transaction.atomic():
                Unit.objects.bulk_create(new, batch_size=1000)
                if changed:
                    Unit.objects.bulk_update(changed, sorted(changed_fields), batch_size=1000)
        except DatabaseError as exc:
            self.problems.append(
                Problem(
                    prepared[0].line,
                    ROW,
                    _("Enheterna kunde inte sparas: %(error)s") % {"error": exc},
                )
            )


@functools.cache
def _field_checks(model: type[models.Model]) -> dict[str, tuple[int | None, bool, bool]]:
    """Field name -> (max_length, null allowed, is an e-mail field)."""
    return {
        f.name: (getattr(f, "max_length", None), f.null, isinstance(f, models.EmailField))
        for f in model._meta.concrete_fields
    }


def _quickly_valid(model: type[models.Model], fields: dict[str, Any]) -> bool:
    """Would full_clean() find nothing? The cells are parsed already (dates,
    choices, personal identity numbers), so only lengths, missing values and
    e-mail addresses are left; when this says no, full_clean() runs and gives
    the messages. A row in a few microseconds instead of a model's clean."""
    checks = _field_checks(model)
    for name, value in fields.items():
        max_length, null, email = checks[name]
        if value is None:
            if not null:
                return False
        elif type(value) is str:
            if max_length is not None and len(value) > max_length:
                return False
            if email and value:
                try:
                    validate_email(value)
                except ValidationError:
                    return False
    return True


@functools.cache
def _insert_columns(model: type[models.Model], first: str) -> tuple[tuple[str, ...], ...]:
    """(field name, column) of every column a new row is written with,
    ``first`` (the natural key) first."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    fields.sort(key=lambda f: f.name != first)
    return tuple((f.name, f.column) for f in fields)


def _new_rows(
    model: type[models.Model], first: str, new: list[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """Rows for bulk.insert_rows: the given values, the model's defaults for the rest."""
    columns = _insert_columns(model, first)
    defaults = {f.name: f.get_default() for f in model._meta.concrete_fields}
    return [tuple(values.get(name, defaults[name]) for name, _column in columns) for values in new]


def _apply_fields(obj: Any, fields: dict[str, Any]) -> bool:
    changed = False
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


class StaffImporter(_Importer):
    spec = SPECS["staff"]
    batch_size = 2000
    # Empty cells in optional columns take these values ("not given").
    defaults: dict[str, Any] = {
        "personal_id": None,
        "phone": "",
        "email": "",
        "hsa_id": "",
        "available": True,
        "fok_selectable": False,
        "title_certificate_date": None,
        "permanent_on_2023_07_01": False,
    }
    parsers: dict[str, Callable[[str], Any]] = {
        "personal_id": lambda value: pid.parse(value).canonical,
        "phone": _text,
        "email": _text,
        "hsa_id": _text,
        "available": parse_bool,
        "fok_selectable": parse_bool,
        "title_certificate_date": parse_date,
        "permanent_on_2023_07_01": parse_bool,
    }

    def key(self, row: Row, prepared: Prepared) -> tuple[Any, ...]:
        return (prepared.data["signature"],)

    def prepare(self, row: Row) -> Prepared:
        signature = parse_signature(row.get("signature"))
        if not signature:
            self.error(row, "signature", _("Värde saknas."))
        elif len(signature.split()) > 1:
            self.error(row, "signature", _("En signatur får inte innehålla mellanslag."))
        fields: dict[str, Any] = {
            "first_name": self.cell(row, "first_name", _text),
            "last_name": self.cell(row, "last_name", _text),
            "title": self.cell(
                row,
                "title",
                lambda value: parse_choice(value, TITLES, allowed=_TITLE_WORDS),
            ),
        }
        # Columns left out of the file keep their stored values; a new person
        # gets the model defaults.
        for column, default in self.defaults.items():
            if row.has(column):
                fields[column] = self.cell(row, column, self.parsers[column], default)
        units = [self.unit(row, "units", code) for code in parse_list(row.get("units"))]
        if not row.get("units"):
            self.error(row, "units", _("Ange minst en enhet."))
        return Prepared(row.line, {"signature": signature, "units": units, "fields": fields})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Personal identity number -> the signature that has it in the file.
        self._personal_ids: dict[str, str] = {}
        parse = self.parse_personal_id
        self.parsers = {**self.parsers, "personal_id": lambda value: parse(value).canonical}

    def apply_all(self, prepared: list[Prepared], counts: dict[str, int]) -> None:
        """A batch in a fixed number of queries: fields checked in Python
        (full_clean without queries), the unique personal identity number
        against the database and the file, the units replaced as in
        services.staff_upsert."""
        signatures = [item.data["signature"] for item in prepared]
        existing = {
            s.signature: s
            for s in Staff.objects.filter(
                bulk.keys_filter(Staff, "signature", signatures)
            ).order_by()
        }
        through = Staff.units.through
        current: dict[int, set[int]] = {}
        for staff_id, unit_id in (
            through.objects.filter(
                bulk.keys_filter(through, "staff", [s.pk for s in existing.values()])
            )
            .order_by()
            .values_list("staff_id", "unit_id")
        ):
            current.setdefault(staff_id, set()).add(unit_id)
        wanted_ids = [i.data["fields"].get("personal_id") for i in prepared]
        owners = dict(
            Staff.objects.filter(
                bulk.keys_filter(Staff, "personal_id", [p for p in wanted_ids if p])
            )
            .order_by()
            .values_list("personal_id", "signature")
        )
        new: list[dict[str, Any]] = []
        changed: list[Staff] = []
        changed_fields: set[str] = set()
        units_of: dict[str, set[int]] = {}
        state: dict[str, str] = {}
        for item in prepared:
            signature, fields = item.data["signature"], item.data["fields"]
            pid_value = fields.get("personal_id")
            if pid_value:
                seen = self._personal_ids.setdefault(pid_value, signature)
                owner = owners.get(pid_value)
                if seen != signature or (owner is not None and owner != signature):
                    message = Staff(personal_id=pid_value).unique_error_message(
                        Staff, ("personal_id",)
                    )
                    self.add_validation_error(
                        item.line, ValidationError({"personal_id": [message]}), "signature"
                    )
                    continue
            staff = existing.get(signature)
            if staff is None:
                values = {"signature": signature, **fields}
                if not self.fields_valid(item.line, Staff, values, "signature"):
                    continue
                new.append(values)
                state[signature] = CREATED
            else:
                before = {name: getattr(staff, name) for name in fields}
                if _apply_fields(staff, fields):
                    changed_fields.update(n for n in fields if getattr(staff, n) != before[n])
                    try:
                        staff.full_clean(validate_unique=False, validate_constraints=False)
                    except ValidationError as exc:
                        self.add_validation_error(item.line, exc, "signature")
                        continue
                    changed.append(staff)
                    state[signature] = UPDATED
                else:
                    state[signature] = UNCHANGED
            units_of[signature] = {unit.pk for unit in item.data["units"]}
        if self.problems:
            return
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                pk_of = {signature: staff.pk for signature, staff in existing.items()}
                pk_of.update(
                    bulk.insert_new(
                        cursor,
                        Staff._meta.db_table,
                        "signature",
                        [column for _name, column in _insert_columns(Staff, "signature")],
                        _new_rows(Staff, "signature", new),
                    )
                )
                if changed:
                    Staff.objects.bulk_update(changed, sorted(changed_fields), batch_size=1000)
                add: list[tuple[int, int]] = []
                remove: list[tuple[int, int]] = []
                for signature, wanted in units_of.items():
                    pk = pk_of[signature]
                    have = current.get(pk, set())
                    if wanted == have:
                        continue
                    add.extend((pk, u) for u in wanted - have)
                    remove.extend((pk, u) for u in have - wanted)
                    if state[signature] == UNCHANGED:
                        state[signature] = UPDATED
                for pk, unit_id in remove:
                    through.objects.filter(staff_id=pk, unit_id=unit_id).delete()
                bulk.insert_rows(cursor, through._meta.db_table, ("staff_id", "unit_id"), add)
        except DatabaseError as exc:
            self.problems.append(
                Problem(
                    prepared[0].line,
                    ROW,
                    _("Personalen kunde inte sparas: %(error)s") % {"error": exc},
                )
            )
            return
        for value in state.values():
            counts[value] += 1


class ClientImporter(_Importer):
    spec = SPECS["clients"]
    batch_size = 2000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._changed_clients = False
        # Personal identity number -> the customer number that has it in the file.
        self._personal_ids: dict[str, str] = {}

    def key(self, row: Row, prepared: Prepared) -> tuple[Any, ...]:
        return (prepared.data["customer_number"],)

    def prepare(self, row: Row) -> Prepared:
        parsed = self.cell(row, "personal_id", self.parse_personal_id)
        fields: dict[str, Any] = {
            "first_name": self.cell(row, "first_name", _text),
            "last_name": self.cell(row, "last_name", _text),
        }
        if parsed is not None:
            fields.update(
                personal_id=parsed.canonical, birth_date=parsed.birth_date, sex=parsed.sex
            )
        for column in ("phone", "address"):
            if row.has(column):
                fields[column] = row.get(column)
        number = self.cell(row, "customer_number", _text)
        return Prepared(row.line, {"customer_number": number, "fields": fields})

    def apply_all(self, prepared: list[Prepared], counts: dict[str, int]) -> None:
        """A batch in a fixed number of queries (services.clients_bulk_upsert
        would be its name if anything but the import wrote clients in bulk):
        every field is checked in Python (full_clean without queries), the
        unique personal identity number against the database and the file."""
        numbers = [item.data["customer_number"] for item in prepared]
        existing = {
            c.customer_number: c
            for c in Client.objects.filter(
                bulk.keys_filter(Client, "customer_number", numbers)
            ).order_by()
        }
        wanted_ids = [
            item.data["fields"]["personal_id"]
            for item in prepared
            if "personal_id" in item.data["fields"]
        ]
        owners = dict(
            Client.objects.filter(bulk.keys_filter(Client, "personal_id", wanted_ids))
            .order_by()
            .values_list("personal_id", "customer_number")
        )
        new: list[dict[str, Any]] = []
        changed: list[Client] = []
        changed_fields: set[str] = set()
        unchanged = 0
        for item in prepared:
            number, fields = item.data["customer_number"], item.data["fields"]
            pid_value = fields.get("personal_id")
            owner = owners.get(pid_value) if pid_value else None
            seen = self._personal_ids.setdefault(pid_value, number) if pid_value else number
            if (owner is not None and owner != number) or seen != number:
                message = Client(personal_id=pid_value).unique_error_message(
                    Client, ("personal_id",)
                )
                self.add_validation_error(
                    item.line, ValidationError({"personal_id": [message]}), "customer_number"
                )
                continue
            client = existing.get(number)
            if client is None:
                values = {"customer_number": number, **fields}
                if not self.fields_valid(item.line, Client, values, "customer_number"):
                    continue
                new.append(values)
                continue
            before = {name: getattr(client, name) for name in fields}
            if not _apply_fields(client, fields):
                unchanged += 1
                continue
            changed_fields.update(n for n in fields if getattr(client, n) != before[n])
            try:
                client.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                self.add_validation_error(item.line, exc, "customer_number")
                continue
            changed.append(client)
        if self.problems:
            return
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                bulk.insert_rows(
                    cursor,
                    Client._meta.db_table,
                    [column for _name, column in _insert_columns(Client, "customer_number")],
                    _new_rows(Client, "customer_number", new),
                )
                if changed:
                    Client.objects.bulk_update(changed, sorted(changed_fields), batch_size=1000)
        except DatabaseError as exc:
            self.problems.append(
                Problem(
                    prepared[0].line,
                    ROW,
                    _("Brukarna kunde inte sparas: %(error)s") % {"error": exc},
                )
            )
            return
        counts[CREATED] += len(new)
        counts[UPDATED] += len(changed)
        counts[UNCHANGED] += unchanged
        self._changed_clients = self._changed_clients or bool(changed)

    def finish(self) -> None:
        # Changed names and numbers are in every unit's reports (contacts.versions);
        # renewed once, at the end of the import's transaction.
        if self._changed_clients:
            versions.bump()


class ServiceImporter(_Importer):
    spec = SPECS["services"]
    field_columns = {"client": "customer_number"}
    batch_size = 5000

    def key(self, row: Row, prepared: Prepared) -> tuple[Any, ...]:
        data = prepared.data
        return (data["client"].pk, data["unit"].pk, data["kind"], data["start"])

    def prepare(self, row: Row) -> Prepared:
        values = row.values
        number, code = values["customer_number"], values["unit"]
        client = self.client(row, number) if number else self.cell(row, "customer_number", _text)
        unit = self.unit(row, "unit", code) if code else self.cell(row, "unit", _text)
        kind = self.cell(row, "kind", self._kind)
        start = self.cell(row, "start", parse_date)
        end = self.cell(row, "end", parse_date)
        if start and end and end < start:
            self.error(row, "end", _("Slutdatum kan inte vara före startdatum."))
        data = {"client": client, "unit": unit, "kind": kind, "start": start, "end": end}
        return Prepared(row.line, data, keep=self._keep if "end" in values else self._keep_end)

    _kind = functools.partial(parse_choice, choices=SERVICE_KINDS, allowed=_SERVICE_KIND_VALUES)
    _keep: frozenset[str] = frozenset()
    _keep_end = frozenset({"end"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (client, unit) whose services the file created or changed -> the
        # first such line, for handbook 1.11 once the whole file is written.
        self._changed: dict[tuple[Client, Unit], int] = {}

    def apply_all(self, prepared: list[Prepared], counts: dict[str, int]) -> None:
        """A batch in a fixed number of queries: the stored services of the
        batch's clients read at once, new ones inserted and changed end dates
        updated in plain SQL."""
        table = Service._meta.db_table
        new: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                existing = {
                    (client_id, unit_id, kind, start): (pk, end)
                    for pk, client_id, unit_id, kind, start, end in bulk.select_by_keys(
                        cursor,
                        f'SELECT id, client_id, unit_id, kind, start, "end" FROM {table} '
                        "WHERE {keys}",
                        "client_id",
                        sorted({item.data["client"].pk for item in prepared}),
                        "::integer",
                    )
                }
                for item in prepared:
                    data = item.data
                    client, unit, kind, start = (
                        data["client"], data["unit"], data["kind"], data["start"]
                    )  # fmt: skip
                    stored = existing.get((client.pk, unit.pk, kind, start))
                    # A file without the end column keeps the stored end dates.
                    end = (stored[1] if stored else None) if "end" in item.keep else data["end"]
                    if stored is None:
                        new.append((client.pk, unit.pk, str(kind), start, end))
                        counts[CREATED] += 1
                    elif stored[1] != end:
                        changed.append((end, stored[0]))
                        counts[UPDATED] += 1
                    else:
                        counts[UNCHANGED] += 1
                        continue
                    self._changed.setdefault((client, unit), item.line)
                bulk.insert_rows(
                    cursor, table, ("client_id", "unit_id", "kind", "start", "end"), new
                )
                if changed:
                    cursor.executemany(f'UPDATE {table} SET "end" = %s WHERE id = %s', changed)
        except DatabaseError as exc:
            self.problems.append(
                Problem(
                    prepared[0].line,
                    ROW,
                    _("Insatserna kunde inte sparas: %(error)s") % {"error": exc},
                )
            )

    def finish(self) -> None:
        """Handbook 1.11, once per client and unit whose services changed, as
        services.service_upsert does it: an execution that has ended ends the
        care contacts there."""
        try:
            failed = services.executions_end_after_services_change(
                pairs=list(self._changed),
                by=self.by,
                source=CareContactChange.Source.IMPORT,
            )
        except DatabaseError as exc:
            failed = {pair: str(exc) for pair in self._changed}
        for pair, message in failed.items():
            self.problems.append(Problem(self._changed[pair], "customer_number", message))


@dataclass
class _ContactDay:
    """The changes of one (client, unit, date) already in the history that no
    row of the file has matched yet, and the last one a row matched."""

    existing: list[tuple[Any, ...]]
    matched: tuple[Any, ...] | None = None
    # Read ahead for the whole file and not used yet (see ContactImporter.apply).
    ahead: bool = False


def _contact_values(status: str, ordinary: Any, deputy: Any, reason: str) -> tuple[Any, ...]:
    """What makes a change different: the reason counts only for `declined`,
    as in services.care_contact_change."""
    ordinary_id = getattr(ordinary, "pk", ordinary)
    deputy_id = getattr(deputy, "pk", deputy)
    reason = (reason or "").strip() if status == CareContact.Status.DECLINED else ""
    return (status, ordinary_id, deputy_id, reason)


class ContactImporter(_Importer):
    spec = SPECS["contacts"]
    ordered = True
    # The rows through services.care_contact_change one at a time (some twenty
    # queries a row) instead of services.CareContactChangeBatch: the same
    # result, kept for the tests that compare the two.
    _row_by_row = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._days: dict[tuple[Any, ...], _ContactDay] = {}
        # Client id -> the keys of _days read ahead for it.
        self._days_of_client: dict[int, set[tuple[Any, ...]]] = {}
        self._batch: services.CareContactChangeBatch | None = None

    def apply_all(self, prepared: list[Prepared], counts: dict[str, int]) -> None:
        """Each row through the same rules as a change in the browser (the
        same history, journal notes and plan updates), in a fixed number of
        queries: services.CareContactChangeBatch reads the histories of the
        batch's clients and units once, makes the changes in memory in the
        rows' order and writes them at the end. A re-imported row is matched
        against the changes already stored on its date (read ahead in one
        query) and costs nothing: the batch is made when a row has something
        to write."""
        if not prepared:
            return
        keys = {
            (item.data["client"].pk, item.data["unit"].pk, item.data["effective"])
            for item in prepared
        }
        self._days.update({key: _ContactDay(existing=[], ahead=True) for key in keys})
        for key in keys:
            self._days_of_client.setdefault(key[0], set()).add(key)
        self._read_ahead(keys)
        if self._row_by_row:
            for item in prepared:
                if self._matches(item):
                    counts[UNCHANGED] += 1
                    continue
                super().apply_all([item], counts)
            return
        try:
            for item in prepared:
                if self._matches(item):
                    counts[UNCHANGED] += 1
                    continue
                if self._batch is None:
                    # The first row to write: nothing is written yet, so what
                    # was read ahead is what the batch reads too.
                    self._batch = self._new_batch(prepared)
                # No savepoint a row: a refused row has changed nothing in the
                # batch (the rules are checked first), and any problem rolls
                # the whole import back.
                try:
                    counts[self.apply(item)] += 1
                except ValidationError as exc:
                    self.add_validation_error(item.line, exc, self.spec.required[0])
            if self._batch is not None and not self.problems:
                self._batch.write()
        except DatabaseError as exc:
            self.problems.append(
                Problem(
                    prepared[0].line,
                    ROW,
                    _("Raden kunde inte sparas: %(error)s") % {"error": exc},
                )
            )
        finally:
            self._batch = None

    def _new_batch(self, prepared: list[Prepared]) -> services.CareContactChangeBatch:
        pairs = {(item.data["client"], item.data["unit"]) for item in prepared}
        staff = {
            person.pk: person
            for item in prepared
            for person in (item.data["ordinary"], item.data["deputy"])
            if person is not None
        }
        return services.CareContactChangeBatch(
            pairs=sorted(pairs, key=lambda pair: (pair[0].pk, pair[1].pk)),
            staff=staff.values(),
            by=self.by,
            source=CareContactChange.Source.IMPORT,
        )

    def _read_ahead(self, keys: set[tuple[Any, ...]]) -> None:
        """The changes already stored on the batch's dates, in one query."""
        client_ids = sorted({key[0] for key in keys})
        dates = sorted({key[2] for key in keys})
        stored = (
            CareContactChange.objects.filter(
                bulk.keys_filter(CareContactChange, "client", client_ids), effective__in=dates
            )
            .order_by("id")
            .values_list(
                "client_id", "unit_id", "effective", "status", "ordinary_id", "deputy_id", "reason"
            )
        )
        for client_id, unit_id, effective, status, ordinary, deputy, reason in stored:
            day = self._days.get((client_id, unit_id, effective))
            if day is not None:
                day.existing.append(_contact_values(status, ordinary, deputy, reason))

    def _stored_on(self, client: Client, unit: Unit, day: dt.date) -> list[tuple[Any, ...]]:
        """The changes of the client on the unit dated ``day``, in id order, as
        stored now (in the batch: as they will be)."""
        if self._batch is not None:
            return [
                _contact_values(state.status, state.ordinary_id, state.deputy_id, state.reason)
                for state in self._batch.stored_on(client, unit, day)
            ]
        same_day = CareContactChange.objects.filter(client=client, unit=unit, effective=day)
        return [
            _contact_values(c.status, c.ordinary_id, c.deputy_id, c.reason)
            for c in same_day.order_by("id")
        ]

    def _day(self, data: dict[str, Any]) -> _ContactDay:
        key = (data["client"].pk, data["unit"].pk, data["effective"])
        if key not in self._days:
            self._days[key] = _ContactDay(
                existing=self._stored_on(data["client"], data["unit"], data["effective"])
            )
        day = self._days[key]
        day.ahead = False
        return day

    def prepare(self, row: Row) -> Prepared:
        client = self.cell(row, "customer_number", lambda number: self.client(row, number))
        unit = self.cell(row, "unit", lambda code: self.unit(row, "unit", code))
        status = self.cell(row, "status", parse_status)
        ordinary = self.cell(row, "ordinary", lambda s: self.staff(row, "ordinary", s))
        deputy = self.cell(row, "deputy", lambda s: self.staff(row, "deputy", s))
        effective = self.cell(row, "effective", parse_date) or timezone.localdate()
        if status == CareContact.Status.ACCEPTED:
            if not row.get("ordinary"):
                self.error(row, "ordinary", _("Ordinarie kontakt krävs när brukaren tackar ja."))
            if ordinary is not None and deputy is not None and ordinary.pk == deputy.pk:
                self.error(
                    row, "deputy", _("Vice kontakt kan inte vara samma person som ordinarie.")
                )
        elif status is not None:
            for column in ("ordinary", "deputy"):
                if row.get(column):
                    self.error(
                        row,
                        column,
                        _("Kontakter kan bara anges när brukaren tackar ja (status accepted)."),
                    )
        data = {
            "client": client,
            "unit": unit,
            "status": status,
            "ordinary": ordinary,
            "deputy": deputy,
            "effective": effective,
            "reason": row.get("reason"),
        }
        # Applied in date order; rows on the same date keep their file order.
        return Prepared(row.line, data, order=(effective, row.line))

    def _matches(self, item: Prepared) -> bool:
        """Is the row already in the history? A re-import of the file: the rows
        of one client, unit and date match, in file order, the changes of that
        date already in the history (a row equal to the one before it had
        changed nothing). Checked here because the service compares only with
        the state at the end of the date: it would repeat the first of two
        same-day changes on a re-import, while "is this change anywhere in the
        history" would drop the last row of A, B, A (a mistake corrected the
        same day)."""
        data = item.data
        values = _contact_values(data["status"], data["ordinary"], data["deputy"], data["reason"])
        day = self._day(data)
        if day.existing and day.existing[0] == values:
            day.matched = day.existing.pop(0)
            return True
        return day.matched is not None and values == day.matched

    def apply(self, item: Prepared) -> str:
        """A row that ``_matches`` found not in the history yet (apply_all
        asks it first, in both of its ways)."""
        data = item.data
        day = self._day(data)
        # The rules may write changes on other dates and units of the client
        # (handbook 1.11 below): what was read ahead for them and not used yet
        # is read again when it is needed.
        for key in self._days_of_client.pop(data["client"].pk, ()):
            if self._days[key].ahead:
                del self._days[key]
        batch = self._batch
        change = (
            services.care_contact_change(**data, by=self.by, source=CareContactChange.Source.IMPORT)
            if batch is None
            else batch.change(**data)
        )
        if change is not None:
            day.existing.clear()  # from here on the file goes its own way
            day.matched = None
            # Handbook 1.11: services are imported before contacts, so an
            # execution that has already ended could not end this contact then;
            # end it now (the day after the last service day), as it would have.
            if batch is None:
                services.care_contact_end_after_execution(
                    client=data["client"],
                    unit=data["unit"],
                    by=self.by,
                    source=CareContactChange.Source.IMPORT,
                )
            else:
                batch.end_after_execution(client=data["client"], unit=data["unit"])
        return UNCHANGED if change is None else CREATED


class VisitImporter(_Importer):
    spec = SPECS["visits"]
    field_columns = {"client": "customer_number"}
    batch_size = 5000
    keys_in_table = True

    # Optional columns: parser and the value of an empty cell.
    optional: dict[str, tuple[Callable[[str], Any], Any]] = {
        "end": (parse_datetime, None),
        "kind": (
            functools.partial(parse_choice, choices=VISIT_KINDS, allowed=_VISIT_KIND_VALUES),
            Visit.Kind.CARE,
        ),
        "receipt": (
            functools.partial(
                parse_choice,
                choices=RECEIPTS,
                allowed=[Visit.Receipt.COMPLETE, Visit.Receipt.INCOMPLETE],
            ),
            Visit.Receipt.NONE,
        ),
        "registered_afterwards": (parse_bool, False),
    }
    _status = functools.partial(parse_choice, choices=VISIT_STATUSES, allowed=_VISIT_STATUS_VALUES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Units whose visits were written: their data versions are raised once, at the end.
        self._units_touched: set[int] = set()
        # A staff cell ("brs89 @kal01") -> its people, once every one is known.
        self._people: dict[str, list[Staff]] = {}

    def table_key(self, prepared: Prepared) -> str:
        return str(prepared.data["visit_id"])

    def people(self, row: Row, column: str) -> list[Staff]:
        value = row.values[column]
        found = self._people.get(value)
        if found is None:
            failed = self._row_failed
            self._row_failed = False
            found = self.staff_list(row, column)
            if not self._row_failed:
                self._people[value] = found
            self._row_failed = self._row_failed or failed
        return found

    def prepare(self, row: Row) -> Prepared:
        # A row at a time for hundreds of thousands of rows: no closures, each
        # distinct value parsed once (parse_datetime is cached), references
        # found in dicts loaded once per file.
        values = row.values
        number, code = values["customer_number"], values["unit"]
        fields: dict[str, Any] = {
            "client": self.client(row, number)
            if number
            else self.cell(row, "customer_number", _text),
            "unit": self.unit(row, "unit", code) if code else self.cell(row, "unit", _text),
            "start": self.cell(row, "start", parse_datetime),
            "status": self.cell(row, "status", self._status),
        }
        for column, (parse, default) in self.optional.items():
            if column in values:
                fields[column] = self.cell(row, column, parse, default)
        if fields.get("end") and fields["start"] and fields["end"] < fields["start"]:
            self.error(row, "end", _("Sluttiden kan inte vara före starttiden."))
        people = {
            column: self.people(row, column)
            for column in ("staff", "planned_staff")
            if column in values
        }
        visit_id = self.cell(row, "visit_id", _text)
        if visit_id and len(visit_id) > 64:
            self.error(row, "visit_id", _("Högst 64 tecken."))
        return Prepared(row.line, {"visit_id": visit_id, "fields": fields, "people": people})

    def apply_all(self, prepared: list[Prepared], counts: dict[str, int]) -> None:
        """All visits in one bulk write: a month's visits for a municipality is
        far too many rows for a savepoint and an upsert each. The rows were
        fully checked in prepare(), so no row can be refused here."""
        items = [
            services.VisitData(
                visit_id=item.data["visit_id"],
                fields=item.data["fields"],
                staff=item.data["people"].get("staff"),
                planned_staff=item.data["people"].get("planned_staff"),
            )
            for item in prepared
        ]
        try:
            with transaction.atomic():
                result = services.visits_bulk_upsert(items=items, units_touched=self._units_touched)
        except DatabaseError as exc:
            line = prepared[0].line if prepared else 1
            self.problems.append(
                Problem(line, ROW, _("Besöken kunde inte sparas: %(error)s") % {"error": exc})
            )
            return
        counts[CREATED] += result["created"]
        counts[UPDATED] += result["updated"]
        counts[UNCHANGED] += result["unchanged"]
        # The batch's foreign keys are checked now rather than at the commit,
        # so that PostgreSQL's queue of checks does not grow with the file
        # (200,000 visits: 10.5 MB of it at the commit, 0.55 MB so; a year's
        # would be about a gigabyte), at no cost measurable beyond the noise.
        # Outside the batch's savepoint: PostgreSQL frees the checks it has
        # run only outside a subtransaction. Inside one (an import called in
        # a caller's transaction: the tests, the benchmark) the checks run
        # keep their place in the queue, and each check would go through all
        # of them again: there they wait for the commit, as before.
        if not connection.savepoint_ids:
            with connection.cursor() as cursor:
                bulk.check_deferred(cursor)

    def finish(self) -> None:
        if self._units_touched:
            versions.bump(self._units_touched)


class UserImporter(_Importer):
    """User accounts (provisioning). Applied in one bulk write through
    accounts.services, the same service that OpenID Connect sign-in uses."""

    spec = SPECS["users"]
    username_validator = UnicodeUsernameValidator()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._existing: dict[str, Any] | None = None

    def existing(self, username: str) -> Any:
        if self._existing is None:
            self._existing = account_services.users_by_username(
                row.get("username") for row in self.each_row()
            )
        return self._existing.get(account_services.username_key(username))

    def key(self, row: Row, prepared: Prepared) -> tuple[Any, ...]:
        return (account_services.username_key(prepared.data["username"]),)

    def _name(self, row: Row, column: str) -> str:
        value = self.cell(row, column, _text, "")
        if len(value) > 150:
            self.error(row, column, _("Högst 150 tecken."))
        return value

    def prepare(self, row: Row) -> Prepared:
        username = self.cell(row, "username", _text, "")
        if username:
            try:
                self.username_validator(username)
            except ValidationError:
                self.error(
                    row,
                    "username",
                    _("Användarnamnet får bara innehålla bokstäver, siffror och @ . + - _."),
                )
            if len(username) > 150:
                self.error(row, "username", _("Högst 150 tecken."))
            user = self.existing(username)
            if user is not None and user.is_superuser:
                self.error(
                    row,
                    "username",
                    _("Kontot är en superanvändare; det ändras bara i administrationen."),
                )
        fields: dict[str, Any] = {
            "first_name": self._name(row, "first_name"),
            "last_name": self._name(row, "last_name"),
        }
        role = self.cell(row, "role", self._role)
        if role is not None:
            fields["is_staff"] = role == ROLE_CODES["administrator"]
        if row.has("email"):
            fields["email"] = self.cell(row, "email", self._email, "")
        if row.has("active"):
            fields["is_active"] = self.cell(row, "active", parse_bool, True)
        data: dict[str, Any] = {
            "username": username,
            "fields": fields,
            "roles": {role.value} if role is not None else set(),
            "units": account_services.KEEP,
            "staff": account_services.KEEP,
        }
        if row.has("units"):
            units = [self.unit(row, "units", code) for code in parse_list(row.get("units"))]
            data["units"] = [unit for unit in units if unit is not None]
        if row.has("staff"):
            data["staff"] = self.cell(row, "staff", lambda s: self.staff(row, "staff", s))
        return Prepared(row.line, data)

    @staticmethod
    def _role(value: str) -> Any:
        role = role_for(value)
        if role is None:
            from contacts.roles import Role

            allowed = [*ROLE_CODES, *(str(r.label) for r in Role)]
            raise CellError(
                _("Okänd roll ”%(value)s”; tillåtna värden: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(allowed)}
            )
        return role

    @staticmethod
    def _email(value: str) -> str:
        try:
            validate_email(value)
        except ValidationError:
            raise CellError(
                _("”%(value)s” är ingen giltig e-postadress.") % {"value": value}
            ) from None
        return value

    def _check_staff_links(self, prepared: list[Prepared]) -> None:
        """A staff record is one person's: not two rows, and not someone
        else's unless the file moves that person to another record."""
        in_file = {
            account_services.username_key(item.data["username"]): item.data["staff"]
            for item in prepared
        }
        linked = [
            item.data["staff"].pk
            for item in prepared
            if item.data["staff"] is not account_services.KEEP and item.data["staff"] is not None
        ]
        owners = dict(
            Staff.objects.filter(pk__in=linked, user__isnull=False).values_list(
                "pk", "user__username"
            )
        )
        seen: dict[int, int] = {}
        for item in prepared:
            staff = item.data["staff"]
            if staff is account_services.KEEP or staff is None:
                continue
            if staff.pk in seen:
                self.problems.append(
                    Problem(
                        item.line,
                        "staff",
                        _("@%(signature)s är redan kopplad till användaren på rad %(line)s.")
                        % {"signature": staff.signature, "line": seen[staff.pk]},
                    )
                )
                continue
            seen[staff.pk] = item.line
            owner = owners.get(staff.pk)
            if owner is None:
                continue
            owner_key = account_services.username_key(owner)
            if owner_key == account_services.username_key(item.data["username"]):
                continue
            # Free when the file gives its present owner another record (or none).
            owner_staff = in_file.get(owner_key, account_services.KEEP)
            moved = owner_staff is not account_services.KEEP and (
                owner_staff is None or owner_staff.pk != staff.pk
            )
            if not moved:
                self.problems.append(
                    Problem(
                        item.line,
                        "staff",
                        _("@%(signature)s är redan kopplad till användaren %(username)s.")
                        % {"signature": staff.signature, "username": owner},
                    )
                )

    def apply_all(self, prepared: list[Prepared], counts: dict[str, int]) -> None:
        self._check_staff_links(prepared)
        if self.problems:
            return
        items = [account_services.UserData(**item.data) for item in prepared]
        try:
            with transaction.atomic():
                result = account_services.users_bulk_upsert(
                    items=items, existing=self._existing, return_users=False
                )
        except DatabaseError as exc:
            line = prepared[0].line if prepared else 1
            self.problems.append(
                Problem(line, ROW, _("Användarna kunde inte sparas: %(error)s") % {"error": exc})
            )
            return
        counts[CREATED] += result.created
        counts[UPDATED] += result.updated
        counts[UNCHANGED] += result.unchanged


IMPORTERS: dict[str, type[_Importer]] = {
    "units": UnitImporter,
    "staff": StaffImporter,
    "clients": ClientImporter,
    "services": ServiceImporter,
    "contacts": ContactImporter,
    "visits": VisitImporter,
    "users": UserImporter,
}


class _Rollback(Exception):
    pass


def import_csv(
    kind: str,
    data: bytes | str | os.PathLike[str] | IO[Any],
    *,
    by: services.User | None = None,
    progress: ImportProgress | None = None,
) -> ImportResult:
    """Import one CSV file of ``kind``: all rows or, on any problem, none.

    ``data`` is the file's content (bytes or text), a path or an open file.
    The file is read twice, a row at a time: first for the file's own
    problems (encoding, quoting, header) and the records it refers to, then
    to check and apply the rows (in batches for the large kinds).
    ``progress`` hears how far each reading has come (ImportProgress),
    every PROGRESS_ROWS rows; the second reading is inside the import's
    transaction (jobs.services writes a job's progress from there)."""
    if kind not in IMPORTERS:
        raise UnknownKind(
            _("Okänd typ ”%(kind)s”; välj en av %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    source = Source(data)
    spec = SPECS[kind]
    result = ImportResult(kind)

    def rows() -> Iterator[Row]:
        return iter_rows(source, spec, [], [])

    importer = IMPORTERS[kind](rows, result.problems, by)
    read = 0
    for read, row in enumerate(iter_rows(source, spec, result.problems, result.columns), 1):
        importer.note_references(row)
        if progress is not None and read % PROGRESS_ROWS == 0:
            progress(read, None)
    if result.problems:
        return result
    importer.progress, importer.total_rows = progress, read
    counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0}
    try:
        with transaction.atomic():
            # Valid rows are applied even after a problem, inside the transaction
            # that is then rolled back, so the report also shows the problems only
            # the services find (appointment rules, unique numbers).
            importer.run(counts)
            if result.problems:
                raise _Rollback
    except _Rollback:
        return result
    result.created, result.updated, result.unchanged = (
        counts[CREATED],
        counts[UPDATED],
        counts[UNCHANGED],
    )
    return result
