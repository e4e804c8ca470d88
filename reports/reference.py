"""The continuity report and KKiK computed in Python from one row per visit and
staff member: the implementation before the figures moved into the database
(reports.continuity). Kept as the reference the SQL is compared with to the
last digit (tests/reports/test_sql_reference.py) and timed against in
benchmarks/bench_reports.py. Not used by the product.

Same signatures and return types as reports.continuity."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from contacts import history
from contacts.models import CareContactChange, Client, Service, Staff, Unit, Visit

from .continuity import (
    DAY_END,
    DAY_START,
    EXCLUDED_KINDS,
    KPI_DEFAULT_DAYS,
    KPI_MIN_DAILY_VISITS,
    REASONS,
    ClientContinuity,
    ContinuityKpi,
    ContinuityReport,
    KpiClient,
    PeriodVisit,
    _contact_histories,
    _fetch_visits,
    _period_visits_qs,
    client_sort_key,
    included_visits_q,
    kpi_born_by,
    mean_value,
    median_value,
    share,
)
from .fok_statistics import (
    CHANGED_LAST_YEAR,
    STAFF_STATUSES,
    STATUSES,
    ClientRow,
    FokStatistics,
    StaffRow,
    Status,
    year_before,
)

__all__ = [
    "EXCLUDED_KINDS",
    "continuity_kpi",
    "continuity_kpi_by_unit",
    "continuity_report",
    "fok_statistics",
]


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


# --- FOK statistics (handbook 1.8) ----------------------------------------------------


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
