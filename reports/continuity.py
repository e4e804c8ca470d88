"""Staff continuity: the continuity report (handbook 1.12.1) and the national
14-day measure (KKiK / Kolada "personalkontinuitet").

Definitions are in docs/metrics.md. The report and KKiK are computed in the
database, one query each returning one row per client (never one per visit),
on PostgreSQL and SQLite alike: the counts behind every figure are integers
from SQL, and the shares are rounded half up here from those integers, so the
report, the command line, the CSV and the PDF give exactly the same numbers —
the same, to the last digit, as the Python implementation they replaced
(reports.reference, compared in tests/reports/test_sql_reference.py). The
client drill-down (``client_visits``) explains one client's visits one by one
and stays in Python. Timings: docs/performance.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from operator import itemgetter
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Collate

from contacts import history, versions
from contacts import personal_id as pid
from contacts.models import CareContact, CareContactChange, Client, Staff, Unit, Visit
from omsorg.collation import PersonKeys, name_key
from omsorg.gc import gc_paused
from reports.sql import code_point_collation, fetch_by_client_share, unit_scope

T = TypeVar("T")

# Visit kinds that never count for continuity: trygghetslarm responses, meal
# deliveries and hälso- och sjukvård by licensed staff (metrics.md).
EXCLUDED_KINDS = frozenset({Visit.Kind.ALARM, Visit.Kind.MEAL, Visit.Kind.HEALTH})

# Reasons a visit of the period is not counted, in the order they are tested:
# a visit is counted under the first that applies.
CANCELLED = "cancelled"
DECLINED = "declined"
NO_STAFF = "no_staff"
EXCLUDED_KIND = "excluded_kind"
REASONS = (CANCELLED, DECLINED, NO_STAFF, EXCLUDED_KIND)
# Not a reason in the report: a planned visit with staff registered and a kind
# that counts. It has not happened (or has not been reported) yet, so it is
# neither a visit nor an excluded visit; the drill-down shows it as "planned".
NOT_PERFORMED = "not_performed"

# KKiK: visits that start between 07:00 and 22:00, both included.
DAY_START = dt.time(7, 0)
DAY_END = dt.time(22, 0)
KPI_MIN_AGE = 65
KPI_MIN_DAILY_VISITS = 2
KPI_MANY_STAFF = 20
KPI_DEFAULT_DAYS = 14

ACCEPTED = CareContact.Status.ACCEPTED


# --- small exact helpers -------------------------------------------------------------


def round_half_up(value: Fraction, places: int = 4) -> float:
    """Round an exact fraction half up (never banker's rounding)."""
    return _half_up(value.numerator, value.denominator, places)


def _half_up(numerator: int, denominator: int, places: int = 4) -> float:
    """``numerator / denominator`` (denominator > 0) rounded half up, away from
    zero, to ``places`` decimals, in integers: exact like a Decimal
    quantize (ROUND_HALF_UP), several times cheaper, which counts for the
    60,000 shares of an organisation-wide report (tests/reports/test_rounding.py
    compares the two)."""
    scale = 10**places
    units = (2 * abs(numerator) * scale + denominator) // (2 * denominator)
    return (units if numerator >= 0 else -units) / scale


def share(numerator: int, denominator: int) -> float | None:
    """A share from 0 to 1 with four decimals; None when undefined."""
    if denominator == 0:
        return None
    return _half_up(numerator, denominator)


def percent(numerator: int | None, denominator: int) -> int | None:
    """Whole percent, rounded half up from the counts (2 of 3 is 67)."""
    if numerator is None or denominator == 0:
        return None
    exact = Decimal(100 * numerator) / Decimal(denominator)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def median_value(values: list[int]) -> int | float | None:
    """The median: an integer when it is one, else a half (x.5)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    twice = ordered[middle - 1] + ordered[middle]
    return twice // 2 if twice % 2 == 0 else twice / 2


def mean_value(values: list[int]) -> float | None:
    if not values:
        return None
    return round_half_up(Fraction(sum(values), len(values)))


def client_sort_key(name: str, customer_number: str) -> tuple[str, str]:
    return name_key(name, customer_number)


def visit_reason(status: str, kind: str, has_staff: bool) -> str | None:
    """None for an included visit, else why it is not counted (REASONS order)."""
    if status == Visit.Status.CANCELLED:
        return CANCELLED
    if status == Visit.Status.DECLINED:
        return DECLINED
    if not has_staff:
        return NO_STAFF
    if kind in EXCLUDED_KINDS:
        return EXCLUDED_KIND
    if status != Visit.Status.PERFORMED:
        return NOT_PERFORMED
    return None


def included_visits_q() -> Q:
    """Included visits as a query (performed, staff registered, kind counted)."""
    with_staff = Visit.staff.through.objects.filter(visit_id=OuterRef("pk"))
    return Q(status=Visit.Status.PERFORMED) & ~Q(kind__in=EXCLUDED_KINDS) & Q(Exists(with_staff))


# --- contact history -----------------------------------------------------------------


# What a timeline reads of each change (no staff objects, no audit fields).
CHANGE_FIELDS = [
    *("id", "client_id", "unit_id", "effective"),
    *("status", "ordinary_id", "deputy_id", "reason"),
]


def _contact_histories(
    visits: QuerySet[Visit], date_to: dt.date
) -> dict[tuple[int, int], history.Timeline]:
    """One query: the history up to ``date_to`` of every (client, unit) with a
    visit in ``visits`` (a subquery, so no list of ids is sent)."""
    return history.timelines(
        CareContactChange.objects.filter(
            client_id__in=visits.values("client_id"),
            unit_id__in=visits.values("unit_id"),
            effective__lte=date_to,
        ).only(*CHANGE_FIELDS)
    )


def _timeline(
    histories: dict[tuple[int, int], history.Timeline], visit: PeriodVisit
) -> history.Timeline:
    return histories.get((visit.client_id, visit.unit_id), history.EMPTY_TIMELINE)


# --- the visits of a period ----------------------------------------------------------


@dataclass
class PeriodVisit:
    pk: int
    visit_id: str
    client_id: int
    unit_id: int
    start: dt.datetime
    status: str
    kind: str
    day: dt.date  # the local (Europe/Stockholm) date of the start
    staff: set[int] = field(default_factory=set)

    @property
    def reason(self) -> str | None:
        return visit_reason(self.status, self.kind, bool(self.staff))


def _period_visits_qs(
    unit: Unit | None,
    date_from: dt.date,
    date_to: dt.date,
    units: QuerySet[Unit] | None,
    client: Client | None = None,
) -> QuerySet[Visit]:
    qs = Visit.objects.filter(local_date__gte=date_from, local_date__lte=date_to)
    if unit is not None:
        qs = qs.filter(unit=unit)
    elif units is not None:
        qs = qs.filter(unit__in=units)
    if client is not None:
        qs = qs.filter(client=client)
    return qs


def _fetch_visits(qs: QuerySet[Visit]) -> list[PeriodVisit]:
    """One query: one row per visit and staff member (None for no staff)."""
    visits: dict[int, PeriodVisit] = {}
    # Same start: visit id order by code point (reports.sql.code_point_collation).
    by_visit_id = Collate("visit_id", code_point_collation())
    rows = qs.order_by("start", by_visit_id, "pk").values_list(
        "pk", "visit_id", "client_id", "unit_id", "start", "status", "kind", "local_date", "staff"
    )
    for pk, visit_id, client_id, unit_id, start, status, kind, day, staff_id in rows:
        visit = visits.get(pk)
        if visit is None:
            visit = visits[pk] = PeriodVisit(
                pk, visit_id, client_id, unit_id, start, status, kind, day
            )
        if staff_id is not None:
            visit.staff.add(staff_id)
    return list(visits.values())


# --- the continuity report -----------------------------------------------------------


@dataclass
class ClientContinuity:
    client_id: int
    customer_number: str
    name: str
    personal_id: str
    staff: int
    visits: int
    double_staffed: int
    ordinary: int | None
    deputy: int | None
    fok_total: int | None
    upc: float | None
    coc: float | None
    secon: float | None
    # Included visits made while an accepted contact was in force (unit shares).
    contact_visits: int = 0

    @property
    def ordinary_percent(self) -> int | None:
        return percent(self.ordinary, self.visits)

    @property
    def deputy_percent(self) -> int | None:
        return percent(self.deputy, self.visits)

    @property
    def fok_total_percent(self) -> int | None:
        return percent(self.fok_total, self.visits)

    def as_json(self) -> dict[str, Any]:
        return {
            "customer_number": self.customer_number,
            "name": self.name,
            "staff": self.staff,
            "visits": self.visits,
            "double_staffed": self.double_staffed,
            "ordinary": self.ordinary,
            "deputy": self.deputy,
            "fok_total": self.fok_total,
            "upc": self.upc,
            "coc": self.coc,
            "secon": self.secon,
        }


@dataclass
class ContinuityReport:
    unit: Unit | None
    date_from: dt.date
    date_to: dt.date
    visits: int
    excluded_by_reason: dict[str, int]
    staff_mean: float | None
    staff_median: int | float | None
    fok_share: float | None
    ordinary_share: float | None
    deputy_share: float | None
    clients: list[ClientContinuity]
    contact_visits: int = 0
    fok_visits: int = 0

    @property
    def excluded_visits(self) -> int:
        return sum(self.excluded_by_reason.values())

    @property
    def fok_percent(self) -> int | None:
        return percent(self.fok_visits, self.contact_visits)

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code if self.unit is not None else None,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "visits": self.visits,
            "excluded_visits": self.excluded_visits,
            "excluded_by_reason": {reason: self.excluded_by_reason[reason] for reason in REASONS},
            "staff_mean": self.staff_mean,
            "staff_median": self.staff_median,
            "fok_share": self.fok_share,
            "ordinary_share": self.ordinary_share,
            "deputy_share": self.deputy_share,
            "clients": [client.as_json() for client in self.clients],
        }


# --- in the database ---------------------------------------------------------------------
#
# The report queries return one row per client. Every count is an integer from
# SQL; shares are rounded here from those integers (round_half_up on exact
# fractions), so the figures are those of the Python reference
# (reports.reference) to the last digit. Plain SQL that PostgreSQL and SQLite
# both run: CTEs, window functions and CASE inside aggregates.

VISIT = Visit._meta.db_table
VISIT_STAFF = Visit.staff.through._meta.db_table
CHANGE = CareContactChange._meta.db_table
CLIENT = Client._meta.db_table


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)  # fixed codes, never user input


EXCLUDED_SQL = _sql_list(sorted(EXCLUDED_KINDS))


def _date(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _scope_sql(
    unit: Unit | None, units: QuerySet[Unit] | Iterable[Unit] | None, alias: str = "v"
) -> tuple[str, list[Any]]:
    """``AND …`` limiting visits ``alias`` to ``unit`` or ``units`` (a queryset
    is sent as a subquery, never as a list of ids)."""
    if unit is not None:
        return f" AND {alias}.unit_id = %s", [unit.pk]
    if units is None:
        return "", []
    return unit_scope(units, f"{alias}.unit_id")


def _fetch(sql: str, params: list[Any], *, serial: bool = False) -> list[tuple[Any, ...]]:
    """Run a report query. ``serial``: one unit's few thousand rows, where
    starting a parallel worker (PostgreSQL's choice for the window sorts) costs
    more than the query itself (docs/performance.md). The setting travels in
    the same statement (psycopg's client-side binding): on its own it is the
    statement's implicit transaction; inside a transaction it lasts to its end
    and only ever turns parallel workers off."""
    with connection.cursor() as cursor:
        if serial and connection.vendor == "postgresql":
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0; " + sql, params)
            cursor.nextset()
        else:
            cursor.execute(sql, params)
        return cursor.fetchall()


# One row per client with a visit in the period: the counts behind every
# figure. The rows are the period's visits, one each (not one per visit and
# staff member): each visit holds its team (contacts.visit_team: how many
# staff, the lowest and highest staff id), so for a team of one or two "the
# ordinary contact took part" and "shares a staff member with the previous
# visit" are comparisons within the row; a team of three or more looks at its
# staff rows (EXISTS).
#   vis       the visit, the contact change in force on its local date on its
#             unit, and whether an accepted contact (with a deputy) was in
#             force on some day of the period on that unit ("had", the null
#             rules of docs/metrics.md)
#   inc       1 for an included visit (performed, a kind that counts, staff)
#   seq       the client's previous visit of the same inclusion, in the order
#             (start, visit id by code point, pk): SECON's consecutive pairs
#   reason    why a visit is not counted (REASONS order)
#   nis       nᵢ, each staff member's included visits to the client, from the
#             teams' ids (UPC, COC and the number of staff: Σ nᵢ² for COC)
# One window (LAG) over one row per visit, and hash aggregations: the per-staff
# windows over a row per visit and staff member that this replaced were 2.6–3.6×
# the floor for all units (docs/performance.md).
CONTINUITY_SQL = """
WITH had AS (
    SELECT c.client_id, c.unit_id,
           MAX(CASE WHEN c.deputy_id IS NOT NULL THEN 1 ELSE 0 END) AS with_deputy
    FROM {change} c
    WHERE {during} AND c.status = 'accepted' AND c.ordinary_id IS NOT NULL
    GROUP BY c.client_id, c.unit_id
),
vis AS (
    SELECT v.id, v.client_id, v."start", v.visit_id,
           v.team_size AS team, v.team_low AS low, v.team_high AS high,
           CASE WHEN v.status = 'performed' AND v.kind NOT IN ({excluded})
                     AND v.team_size > 0 THEN 1 ELSE 0 END AS inc,
           CASE WHEN c.status = 'accepted' AND c.ordinary_id IS NOT NULL
                THEN 1 ELSE 0 END AS accepted,
           c.ordinary_id, c.deputy_id,
           CASE WHEN h.client_id IS NULL THEN 0 ELSE 1 END AS had_contact,
           COALESCE(h.with_deputy, 0) AS had_deputy,
           CASE WHEN v.status = 'cancelled' THEN 1
                WHEN v.status = 'declined' THEN 2
                WHEN v.team_size = 0 THEN 3
                WHEN v.kind IN ({excluded}) THEN 4
                ELSE 0 END AS reason
    FROM {visit} v
    LEFT JOIN {change} c ON c.client_id = v.client_id AND c.unit_id = v.unit_id
         AND {in_force}
    LEFT JOIN had h ON h.client_id = v.client_id AND h.unit_id = v.unit_id
    WHERE v.local_date >= %s AND v.local_date <= %s{scope}{share}
),
seq AS (
    SELECT s.*,
           LAG(s.id) OVER w AS p_id,
           LAG(s.team) OVER w AS p_team,
           LAG(s.low) OVER w AS p_low,
           LAG(s.high) OVER w AS p_high
    FROM vis s
    WINDOW w AS (
        PARTITION BY s.client_id, s.inc
        ORDER BY s."start", s.visit_id COLLATE {code_points}, s.id
    )
),
per_visit AS (
    SELECT q.client_id, q.inc, q.team, q.accepted, q.had_contact, q.had_deputy, q.reason,
           CASE WHEN q.inc = 0 OR q.p_id IS NULL THEN 0
                WHEN q.team <= 2 AND q.p_team <= 2 THEN
                     CASE WHEN q.low IN (q.p_low, q.p_high) OR q.high IN (q.p_low, q.p_high)
                          THEN 1 ELSE 0 END
                WHEN EXISTS (
                    SELECT 1 FROM {visit_staff} a
                    JOIN {visit_staff} b ON b.staff_id = a.staff_id
                    WHERE a.visit_id = q.id AND b.visit_id = q.p_id
                ) THEN 1
                ELSE 0 END AS shares,
           CASE WHEN q.inc = 0 OR q.accepted = 0 THEN 0
                WHEN q.team <= 2 THEN
                     CASE WHEN q.ordinary_id IN (q.low, q.high) THEN 1 ELSE 0 END
                WHEN EXISTS (
                    SELECT 1 FROM {visit_staff} a
                    WHERE a.visit_id = q.id AND a.staff_id = q.ordinary_id
                ) THEN 1
                ELSE 0 END AS with_ordinary,
           CASE WHEN q.inc = 0 OR q.accepted = 0 OR q.deputy_id IS NULL THEN 0
                WHEN q.team <= 2 THEN
                     CASE WHEN q.deputy_id IN (q.low, q.high) THEN 1 ELSE 0 END
                WHEN EXISTS (
                    SELECT 1 FROM {visit_staff} a
                    WHERE a.visit_id = q.id AND a.staff_id = q.deputy_id
                ) THEN 1
                ELSE 0 END AS with_deputy
    FROM seq q
),
per_client AS (
    SELECT p.client_id,
           SUM(p.inc) AS visits,
           SUM(CASE WHEN p.inc = 1 AND p.team >= 2 THEN 1 ELSE 0 END) AS double_staffed,
           SUM(p.shares) AS shares,
           SUM(p.inc * p.accepted) AS contact_visits,
           SUM(p.with_ordinary) AS ordinary,
           SUM(CASE WHEN p.with_ordinary = 0 AND p.with_deputy = 1 THEN 1 ELSE 0 END)
               AS deputy,
           MAX(p.inc * p.had_contact) AS had_contact,
           MAX(p.inc * p.had_deputy) AS had_deputy,
           SUM(CASE WHEN p.reason = 1 THEN 1 ELSE 0 END) AS cancelled,
           SUM(CASE WHEN p.reason = 2 THEN 1 ELSE 0 END) AS declined,
           SUM(CASE WHEN p.reason = 3 THEN 1 ELSE 0 END) AS no_staff,
           SUM(CASE WHEN p.reason = 4 THEN 1 ELSE 0 END) AS excluded_kind
    FROM per_visit p
    GROUP BY p.client_id
),
nis AS (
    SELECT x.client_id, x.staff_id, COUNT(*) AS n
    FROM (
        SELECT w.client_id, w.low AS staff_id FROM vis w WHERE w.inc = 1
        UNION ALL
        SELECT w.client_id, w.high FROM vis w WHERE w.inc = 1 AND w.team = 2
        UNION ALL
        SELECT w.client_id, vs.staff_id
        FROM vis w JOIN {visit_staff} vs ON vs.visit_id = w.id
        WHERE w.inc = 1 AND w.team >= 3 AND vs.staff_id <> w.low
    ) x
    GROUP BY x.client_id, x.staff_id
),
per_staff AS (
    SELECT n.client_id, COUNT(*) AS staff, CAST(SUM(n.n) AS BIGINT) AS total,
           CAST(SUM(n.n * n.n) AS BIGINT) AS squares, MAX(n.n) AS top
    FROM nis n
    GROUP BY n.client_id
)
SELECT pc.client_id, pc.visits, pc.double_staffed, COALESCE(ps.staff, 0),
       COALESCE(ps.total, 0), COALESCE(ps.squares, 0), COALESCE(ps.top, 0),
       pc.shares, pc.contact_visits, pc.ordinary, pc.deputy, pc.had_contact, pc.had_deputy,
       pc.cancelled, pc.declined, pc.no_staff, pc.excluded_kind,
       cl.customer_number, cl.first_name, cl.last_name, cl.personal_id
FROM per_client pc
LEFT JOIN per_staff ps ON ps.client_id = pc.client_id
JOIN {client} cl ON cl.id = pc.client_id
"""


# The report of more units than this is split over connections (reports.sql:
# for fewer, opening a second connection costs more than it saves).
SHARED_FROM_UNITS = 12


def continuity_report(
    unit: Unit | None,
    date_from: dt.date,
    date_to: dt.date,
    *,
    units: QuerySet[Unit] | None = None,
) -> ContinuityReport:
    """The continuity report for ``unit`` (or every unit, limited to ``units``
    when given) over the dates ``date_from``..``date_to`` inclusive.

    Without a unit, a client's row covers their visits on all the units, each
    visit judged against the contact of the visit's own unit. One query, one
    row per client visited in the period; for one unit, or a few, the result
    is reused while their data are unchanged (``_reused``)."""
    return _reused(
        unit.pk if unit is not None else None,
        units,
        f"continuity:{date_from}:{date_to}",
        lambda: _continuity_report(
            unit, date_from, date_to, units=None if unit is not None else units
        ),
    )


def _reused(
    unit_id: int | None,
    units: Iterable[Unit] | QuerySet[Unit] | None,
    key: str,
    compute: Callable[[], T],
) -> T:
    """``compute()`` for the unit ``unit_id``, or for ``units`` when they are a
    few (a coordinator's or a district's "all my units", at most
    SHARED_FROM_UNITS), reused while their data are unchanged
    (contacts.versions); made each time for more (every unit of an
    organisation is made by the task worker, once) or none."""
    if unit_id is not None:
        return versions.cached(unit_id, key, compute)
    ids = [unit.pk for unit in units] if units is not None else []
    if 0 < len(ids) <= SHARED_FROM_UNITS:
        return versions.cached_units(ids, key, compute)
    return compute()


def _continuity_report(
    unit: Unit | None,
    date_from: dt.date,
    date_to: dt.date,
    *,
    units: QuerySet[Unit] | None,
) -> ContinuityReport:
    scope, scope_params = _scope_sql(unit, units)
    period = [_date(date_from), _date(date_to)]

    def query(share: str) -> tuple[str, list[Any]]:
        sql = CONTINUITY_SQL.format(
            visit=VISIT,
            visit_staff=VISIT_STAFF,
            change=CHANGE,
            client=CLIENT,
            excluded=EXCLUDED_SQL,
            scope=scope,
            share=share,
            in_force=history.in_force_sql("c", "v.local_date"),
            during=history.in_force_during_sql("c", "%s", "%s"),
            code_points=connection.ops.quote_name(code_point_collation()),
        )
        # Placeholders in text order: the period of "had", then the visits' period and scope.
        return sql, [period[1], period[0], *period, *scope_params]

    # 20,000 rows for a whole organisation: made with the garbage collector
    # paused (they hold no cycles), sorted by one string each (PersonKeys).
    with gc_paused():
        # A few units: one query. Many: the clients in shares, at once (reports.sql).
        if unit is None and (units is None or len(units) > SHARED_FROM_UNITS):
            rows = fetch_by_client_share(query)
        else:
            rows = _fetch(*query(""), serial=unit is not None)
        excluded = dict.fromkeys(REASONS, 0)
        keyed: list[tuple[str, ClientContinuity]] = []
        person_key = PersonKeys()
        for row in rows:
            for reason, count in zip(REASONS, row[13:17], strict=True):
                excluded[reason] += count
            if row[1]:  # a client with included visits
                # client_sort_key(name, customer number)
                keyed.append((person_key(row[18], row[19], row[17]), _client_row(row)))
        keyed.sort(key=itemgetter(0))
        clients = [client for _key, client in keyed]

    staff_counts = [c.staff for c in clients]
    contact_visits = sum(c.contact_visits for c in clients)
    ordinary = sum(c.ordinary or 0 for c in clients)
    deputy = sum(c.deputy or 0 for c in clients)
    return ContinuityReport(
        unit=unit,
        date_from=date_from,
        date_to=date_to,
        visits=sum(c.visits for c in clients),
        excluded_by_reason=excluded,
        staff_mean=mean_value(staff_counts),
        staff_median=median_value(staff_counts),
        fok_share=share(ordinary + deputy, contact_visits),
        ordinary_share=share(ordinary, contact_visits),
        deputy_share=share(deputy, contact_visits),
        clients=clients,
        contact_visits=contact_visits,
        fok_visits=ordinary + deputy,
    )


def _client_row(row: tuple[Any, ...]) -> ClientContinuity:
    # Every count is an integer from the query (CAST where PostgreSQL's SUM
    # of a bigint would be numeric).
    (client_id, visits, double, staff, total, squares, top, shares) = row[:8]
    contact_visits, ordinary, deputy, had_contact, had_deputy = row[8:13]
    customer_number, first_name, last_name, personal_id = row[17:]
    return ClientContinuity(
        client_id=client_id,
        customer_number=customer_number,
        name=f"{first_name} {last_name}",
        personal_id=personal_id,
        staff=staff,
        visits=visits,
        double_staffed=double,
        ordinary=ordinary if had_contact else None,
        deputy=deputy if had_deputy else None,
        fok_total=ordinary + deputy if had_contact else None,
        upc=share(top, total) if total else None,
        coc=share(squares - total, total * (total - 1)) if total >= 2 else None,
        secon=share(shares, visits - 1) if visits >= 2 else None,
        contact_visits=contact_visits,
    )


# --- one client's visits (drill-down) ------------------------------------------------


@dataclass
class VisitRow:
    visit_id: str
    unit_id: int
    start: dt.datetime
    status: str
    kind: str
    staff: list[Staff]
    reason: str | None
    # "ordinary", "deputy", "other" (counted, no contact took part),
    # "no_contact" (counted, no accepted contact that day) or "" (not counted).
    contact_role: str
    unit_name: str = ""

    @property
    def included(self) -> bool:
        return self.reason is None

    @property
    def status_label(self) -> str:
        return str(Visit.Status(self.status).label)

    @property
    def kind_label(self) -> str:
        return str(Visit.Kind(self.kind).label)


def client_visits(
    client: Client,
    unit: Unit | None,
    date_from: dt.date,
    date_to: dt.date,
    *,
    units: QuerySet[Unit] | None = None,
) -> list[VisitRow]:
    """Every visit of ``client`` in the period (on ``unit``, or on ``units``),
    with why it is or is not counted and whose contact visit it was. Three queries."""
    qs = _period_visits_qs(unit, date_from, date_to, units, client=client)
    visits = _fetch_visits(qs)
    histories = _contact_histories(qs, date_to)
    staff_ids = {staff_id for visit in visits for staff_id in visit.staff}
    people = {s.pk: s for s in Staff.objects.filter(pk__in=staff_ids)} if staff_ids else {}
    rows = []
    for visit in visits:
        reason = visit.reason
        role = ""
        if reason is None:
            contact = histories.get((visit.client_id, visit.unit_id), history.EMPTY_TIMELINE).on(
                visit.day
            )
            if not contact.accepted:
                role = "no_contact"
            elif contact.ordinary_id in visit.staff:
                role = "ordinary"
            elif contact.deputy_id is not None and contact.deputy_id in visit.staff:
                role = "deputy"
            else:
                role = "other"
        staff = sorted(
            (people[staff_id] for staff_id in visit.staff),
            key=lambda s: (s.last_name, s.first_name, s.signature),
        )
        rows.append(
            VisitRow(
                visit_id=visit.visit_id,
                unit_id=visit.unit_id,
                start=visit.start,
                status=visit.status,
                kind=visit.kind,
                staff=staff,
                reason=reason,
                contact_role=role,
            )
        )
    return rows


# --- the national 14-day measure (KKiK) ----------------------------------------------


def kpi_born_by(first_day: dt.date) -> dt.date:
    """The last birth date of someone aged 65 or more on ``first_day``."""
    try:
        latest = first_day.replace(year=first_day.year - KPI_MIN_AGE)
    except ValueError:  # 29 February: a 1 March birthday is not yet 65
        latest = dt.date(first_day.year - KPI_MIN_AGE, 2, 28)
    assert pid.age_on(latest, first_day) >= KPI_MIN_AGE
    return latest


def kpi_default_start(today: dt.date) -> dt.date:
    """The Monday of the last two full Monday–Sunday weeks before ``today``."""
    this_monday = today - dt.timedelta(days=today.weekday())
    return this_monday - dt.timedelta(days=14)


@dataclass
class KpiClient:
    client_id: int
    customer_number: str
    name: str
    staff: int

    def as_json(self) -> dict[str, Any]:
        return {"customer_number": self.customer_number, "staff": self.staff}


@dataclass
class ContinuityKpi:
    unit: Unit | None
    date_from: dt.date
    days: int
    clients: list[KpiClient]

    @property
    def date_to(self) -> dt.date:
        return self.date_from + dt.timedelta(days=self.days - 1)

    @property
    def eligible_clients(self) -> int:
        return len(self.clients)

    @property
    def median(self) -> int | float | None:
        return median_value([c.staff for c in self.clients])

    @property
    def mean(self) -> float | None:
        return mean_value([c.staff for c in self.clients])

    @property
    def over_20(self) -> int:
        return sum(1 for c in self.clients if c.staff > KPI_MANY_STAFF)

    @property
    def share_over_20(self) -> float | None:
        return share(self.over_20, len(self.clients))

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code if self.unit is not None else None,
            "from": self.date_from.isoformat(),
            "days": self.days,
            "eligible_clients": self.eligible_clients,
            "median": self.median,
            "mean": self.mean,
            "share_over_20": self.share_over_20,
            "clients": [client.as_json() for client in self.clients],
        }


# Clients aged 65+ on the first day with two or more included daytime visits on
# every day, and the distinct staff of those visits: one row per eligible
# client (per client and unit with ``by_unit``).
KPI_SQL = """
WITH daytime AS (
    SELECT v.id, v.client_id, v.unit_id, v.local_date
    FROM {visit} v
    JOIN {client} cl ON cl.id = v.client_id
    WHERE v.local_date >= %s AND v.local_date <= %s{scope}
      AND v.local_time >= %s AND v.local_time <= %s
      AND v.status = 'performed' AND v.kind NOT IN ({excluded})
      AND cl.birth_date <= %s
      AND EXISTS (SELECT 1 FROM {visit_staff} vs WHERE vs.visit_id = v.id)
),
busy_days AS (
    SELECT d.client_id{unit_col}, d.local_date
    FROM daytime d
    GROUP BY d.client_id{unit_col}, d.local_date
    HAVING COUNT(*) >= %s
),
eligible AS (
    SELECT b.client_id{unit_col}
    FROM busy_days b
    GROUP BY b.client_id{unit_col}
    HAVING COUNT(*) = %s
)
SELECT e.client_id{unit_e}, COUNT(DISTINCT vs.staff_id),
       cl.customer_number, cl.first_name, cl.last_name
FROM eligible e
JOIN daytime d ON d.client_id = e.client_id{unit_join}
JOIN {visit_staff} vs ON vs.visit_id = d.id
JOIN {client} cl ON cl.id = e.client_id
GROUP BY e.client_id{unit_e}, cl.customer_number, cl.first_name, cl.last_name
"""


def _kpi_rows(
    units: Iterable[Unit] | QuerySet[Unit] | None,
    date_from: dt.date,
    days: int,
    *,
    by_unit: bool,
) -> dict[int | None, list[KpiClient]]:
    """Eligible clients and their staff counts, grouped by unit (``by_unit``) or
    all together under the key None. One query whatever the number of units;
    for one unit, or a few, reused while their data are unchanged
    (``_reused``)."""
    one = units[0].pk if isinstance(units, list) and len(units) == 1 else None
    return _reused(
        one,
        units,
        f"kpi:{date_from}:{days}:{by_unit}",
        lambda: _kpi_query(units, date_from, days, by_unit=by_unit),
    )


def _kpi_query(
    units: Iterable[Unit] | QuerySet[Unit] | None,
    date_from: dt.date,
    days: int,
    *,
    by_unit: bool,
) -> dict[int | None, list[KpiClient]]:
    scope, scope_params = _scope_sql(None, units)
    sql = KPI_SQL.format(
        visit=VISIT,
        visit_staff=VISIT_STAFF,
        client=CLIENT,
        excluded=EXCLUDED_SQL,
        scope=scope,
        unit_col=", d.unit_id" if by_unit else "",
        unit_e=", e.unit_id" if by_unit else "",
        unit_join=" AND d.unit_id = e.unit_id" if by_unit else "",
    ).replace("b.client_id, d.unit_id", "b.client_id, b.unit_id")
    time = connection.ops.adapt_timefield_value
    params = [
        _date(date_from),
        _date(date_from + dt.timedelta(days=days - 1)),
        *scope_params,
        time(DAY_START),
        time(DAY_END),
        _date(kpi_born_by(date_from)),
        KPI_MIN_DAILY_VISITS,
        days,
    ]
    result: dict[int | None, list[KpiClient]] = defaultdict(list)
    one_unit = isinstance(units, list) and len(units) == 1
    for row in _fetch(sql, params, serial=one_unit):
        if by_unit:
            client_id, unit_id, staff_count, customer_number, first_name, last_name = row
        else:
            client_id, staff_count, customer_number, first_name, last_name = row
            unit_id = None
        result[unit_id].append(
            KpiClient(
                client_id=client_id,
                customer_number=customer_number,
                name=f"{first_name} {last_name}",
                staff=int(staff_count),
            )
        )
    for clients in result.values():
        clients.sort(key=lambda c: client_sort_key(c.name, c.customer_number))
    return dict(result)


def continuity_kpi(
    unit: Unit | None,
    date_from: dt.date,
    days: int = KPI_DEFAULT_DAYS,
    *,
    units: QuerySet[Unit] | None = None,
) -> ContinuityKpi:
    """KKiK for ``unit`` (or for all units, limited to ``units`` when given):
    clients 65+ with two or more daytime visits on every day of the period."""
    scope: Iterable[Unit] | QuerySet[Unit] | None = [unit] if unit is not None else units
    rows = _kpi_rows(scope, date_from, days, by_unit=False)
    return ContinuityKpi(unit=unit, date_from=date_from, days=days, clients=rows.get(None, []))


def continuity_kpi_by_unit(
    units: QuerySet[Unit], date_from: dt.date, days: int = KPI_DEFAULT_DAYS
) -> list[ContinuityKpi]:
    """KKiK for each of ``units`` from one query."""
    rows = _kpi_rows(units, date_from, days, by_unit=True)
    return [
        ContinuityKpi(unit=unit, date_from=date_from, days=days, clients=rows.get(unit.pk, []))
        for unit in units
    ]
