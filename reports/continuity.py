"""Staff continuity: the continuity report (handbook 1.12.1) and the national
14-day measure (KKiK / Kolada "personalkontinuitet").

Definitions are in docs/metrics.md. Every figure is computed from a fixed
number of queries whatever the size of the data: the visits of the period with
their staff (one row per visit and staff member), the care contact history of
the clients concerned, and the clients themselves. The arithmetic per client is
done in Python over those rows, so the report, the command line and the PDF
give exactly the same numbers.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from contacts import history
from contacts import personal_id as pid
from contacts.models import CareContact, CareContactChange, Client, Staff, Unit, Visit
from omsorg.collation import name_key

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
    quantum = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(quantum, rounding=ROUND_HALF_UP))


def share(numerator: int, denominator: int) -> float | None:
    """A share from 0 to 1 with four decimals; None when undefined."""
    if denominator == 0:
        return None
    return round_half_up(Fraction(numerator, denominator))


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
    value = Fraction(statistics.median(Fraction(v) for v in values))
    return int(value) if value.denominator == 1 else float(value)


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
    rows = qs.order_by("start", "visit_id", "pk").values_list(
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


def _client_figures(
    visits: list[PeriodVisit],
    histories: dict[tuple[int, int], history.Timeline],
    date_from: dt.date,
    date_to: dt.date,
) -> dict[str, Any]:
    """Figures for one client's included visits (in time order)."""
    per_staff: dict[int, int] = defaultdict(int)
    ordinary = deputy = contact_visits = 0
    for visit in visits:
        for staff_id in visit.staff:
            per_staff[staff_id] += 1
        contact = histories.get((visit.client_id, visit.unit_id), history.EMPTY_TIMELINE).on(
            visit.day
        )
        if not contact.accepted:
            continue
        contact_visits += 1
        if contact.ordinary_id in visit.staff:
            ordinary += 1
        elif contact.deputy_id is not None and contact.deputy_id in visit.staff:
            deputy += 1

    # Which contacts were in force during the period, on the units visited.
    states = [
        state
        for key in {(v.client_id, v.unit_id) for v in visits}
        for state in histories.get(key, history.EMPTY_TIMELINE).during(date_from, date_to)
    ]
    had_contact = any(state.accepted for state in states)
    had_deputy = any(state.accepted and state.deputy_id is not None for state in states)

    total = sum(per_staff.values())  # N = Σ n_i: both staff of a double visit count
    upc = share(max(per_staff.values()), total) if total else None
    coc = (
        share(sum(n * n for n in per_staff.values()) - total, total * (total - 1))
        if total >= 2
        else None
    )
    pairs = list(zip(visits, visits[1:], strict=False))
    secon = share(sum(1 for a, b in pairs if a.staff & b.staff), len(pairs)) if pairs else None
    return {
        "staff": len(per_staff),
        "visits": len(visits),
        "double_staffed": sum(1 for visit in visits if len(visit.staff) >= 2),
        "ordinary": ordinary if had_contact else None,
        "deputy": deputy if had_deputy else None,
        "fok_total": ordinary + deputy if had_contact else None,
        "upc": upc,
        "coc": coc,
        "secon": secon,
        "contact_visits": contact_visits,
    }


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
    visit judged against the contact of the visit's own unit. Four queries."""
    qs = _period_visits_qs(unit, date_from, date_to, units)
    visits = _fetch_visits(qs)
    histories = _contact_histories(qs, date_to)

    excluded = dict.fromkeys(REASONS, 0)
    included: dict[int, list[PeriodVisit]] = defaultdict(list)
    for visit in visits:
        reason = visit.reason
        if reason is None:
            included[visit.client_id].append(visit)
        elif reason in excluded:
            excluded[reason] += 1

    people = {
        row[0]: row[1:]
        for row in Client.objects.filter(pk__in=included.keys()).values_list(
            "pk", "customer_number", "first_name", "last_name", "personal_id"
        )
    }
    clients = []
    for client_id, client_visits in included.items():
        customer_number, first_name, last_name, personal_id = people[client_id]
        figures = _client_figures(client_visits, histories, date_from, date_to)
        clients.append(
            ClientContinuity(
                client_id=client_id,
                customer_number=customer_number,
                name=f"{first_name} {last_name}",
                personal_id=personal_id,
                **figures,
            )
        )
    clients.sort(key=lambda c: client_sort_key(c.name, c.customer_number))

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


def _kpi_rows(
    units: Iterable[Unit] | QuerySet[Unit] | None,
    date_from: dt.date,
    days: int,
    *,
    by_unit: bool,
) -> dict[int | None, list[KpiClient]]:
    """Eligible clients and their staff counts, grouped by unit (``by_unit``) or
    all together under the key None. Two queries whatever the number of units."""
    daytime = Visit.objects.filter(
        included_visits_q(),
        local_date__gte=date_from,
        local_date__lte=date_from + dt.timedelta(days=days - 1),
        local_time__gte=DAY_START,
        local_time__lte=DAY_END,
        client__birth_date__lte=kpi_born_by(date_from),
    )
    if units is not None:
        daytime = daytime.filter(unit__in=units)
    group = ["client_id", "unit_id"] if by_unit else ["client_id"]

    # Days with at least two daytime visits, per client (and unit).
    busy_days = (
        daytime.values(*group, "local_date")
        .annotate(n=Count("pk", distinct=True))
        .filter(n__gte=KPI_MIN_DAILY_VISITS)
        .order_by()
        .values_list(*group, "local_date")
    )
    day_counts: dict[tuple[int, ...], int] = defaultdict(int)
    for row in busy_days:
        day_counts[tuple(row[:-1])] += 1
    eligible = {key for key, count in day_counts.items() if count == days}
    if not eligible:
        return {}

    names = ["client__customer_number", "client__first_name", "client__last_name"]
    staff_rows = (
        daytime.filter(client_id__in={key[0] for key in eligible})
        .values(*group, *names)
        .annotate(staff_count=Count("staff", distinct=True))
        .order_by()
        .values_list(*group, "staff_count", *names)
    )
    result: dict[int | None, list[KpiClient]] = defaultdict(list)
    for row in staff_rows:
        key = tuple(row[: len(group)])
        if key not in eligible:
            continue
        staff_count, customer_number, first_name, last_name = row[len(group) :]
        result[key[1] if by_unit else None].append(
            KpiClient(
                client_id=key[0],
                customer_number=customer_number,
                name=f"{first_name} {last_name}",
                staff=staff_count,
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
    """KKiK for each of ``units`` from one pair of queries."""
    rows = _kpi_rows(units, date_from, days, by_unit=True)
    return [
        ContinuityKpi(unit=unit, date_from=date_from, days=days, clients=rows.get(unit.pk, []))
        for unit in units
    ]
