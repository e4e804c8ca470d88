"""Read queries for the client record, the edit form and the reading views
("Mina brukare", visit planning), each in a fixed number of queries.

The journal note and plan update of a change are looked up through the reverse
relations CareContactChange.journal_note and CareContactChange.plans, so this
module does not import the journal or plans apps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from omsorg.http import pk_url

from . import access, history, selectors
from .models import (
    CareContact,
    CareContactChange,
    Client,
    ContactStatus,
    Service,
    Staff,
    Unit,
    Visit,
)

AnyUser = access.AnyUser
User = get_user_model()

# "Most frequent visitors": performed visits in this many days before now.
VISITOR_WINDOW_DAYS = 28

# "Mina brukare" lists at most this many clients on the user's units; searching narrows it.
MY_CLIENTS_LIMIT = 200


# --- client record ------------------------------------------------------------------


@dataclass
class UnitContact:
    """The care contact of the client on one ongoing unit, as shown on the record."""

    unit: Unit
    # The change in force today (status, contacts, who registered it), or None:
    # "not asked". Its care_contact is the anchor (who created the contact).
    contact: CareContactChange | None
    latest_change: CareContactChange | None
    mine: bool  # the user belongs to the unit
    can_change: bool

    @property
    def status(self) -> str:
        return self.contact.status if self.contact else CareContact.Status.NOT_ASKED

    @property
    def status_label(self) -> str:
        return str(CareContact.Status(self.status).label)

    @property
    def journal_note(self) -> Any:
        change = self.latest_change
        return getattr(change, "journal_note", None) if change is not None else None

    @property
    def plan_updated(self) -> bool:
        return bool(getattr(self.latest_change, "plan_count", 0))


@dataclass
class ClientRecord:
    client: Client
    services: list[Service]
    unit_contacts: list[UnitContact] = field(default_factory=list)

    @property
    def my_contacts(self) -> list[UnitContact]:
        return [uc for uc in self.unit_contacts if uc.mine]

    @property
    def other_contacts(self) -> list[UnitContact]:
        return [uc for uc in self.unit_contacts if not uc.mine]

    def for_unit(self, unit_pk: int) -> UnitContact | None:
        return next((uc for uc in self.unit_contacts if uc.unit.pk == unit_pk), None)


def _user_may_change(user: AnyUser) -> bool:
    # The unit part of access.can_change_contacts is checked against the unit ids
    # fetched once for the whole record, so the record costs no query per unit.
    return access.may_change_contacts(user)


def client_record(*, client: Client, user: AnyUser, on: dt.date) -> ClientRecord:
    """Services, and the care contact on every ongoing unit of the client
    (also units the user does not belong to: handbook 1.5), with who created and
    changed it and whether the latest change got its journal note and plan update.

    Six queries (plus the user's permission cache), whatever the number of
    units: the services, the user's units among them, the client's changes
    there, the people who registered them and the plan updates of the latest.
    Small queries rather than one wide join: a client has few changes, and
    PostgreSQL took longer to plan a seven-table join than to run it."""
    services = list(client.services.select_related("unit").order_by("unit__name", "start"))
    ongoing_units = {s.unit_id: s.unit for s in services if s.ongoing_on(on)}
    my_unit_ids = set(
        access.units_for_user(user).filter(pk__in=ongoing_units).values_list("pk", flat=True)
    )
    in_force: dict[int, CareContactChange] = {}
    latest: dict[int, CareContactChange] = {}
    if ongoing_units:
        # Every change of the client on those units, in history order: the one
        # in force on ``on`` per unit (contacts.history's rule, the column
        # valid_until) and the most recently registered one.
        changes = list(
            CareContactChange.objects.filter(client=client, unit_id__in=ongoing_units)
            .select_related("ordinary", "deputy", "care_contact", "journal_note")
            .order_by("unit_id", "effective", "id")
        )
        for change in changes:
            if history.in_force_on(change, on):
                in_force[change.unit_id] = change
            newest = latest.get(change.unit_id)
            if newest is None or (change.changed_at, change.id) > (newest.changed_at, newest.id):
                latest[change.unit_id] = change
        _attach_users(list(in_force.values()))
        plan_counts = dict(
            CareContactChange.objects.filter(pk__in=[c.pk for c in latest.values()])
            .annotate(n=Count("plans"))
            .values_list("pk", "n")
        )
        for change in latest.values():
            change.plan_count = plan_counts.get(change.pk, 0)  # type: ignore[attr-defined]
    may_change = _user_may_change(user)
    record = ClientRecord(client=client, services=services)
    mine_first = sorted(
        ongoing_units.values(), key=lambda u: (u.pk not in my_unit_ids, u.name.lower())
    )
    for unit in mine_first:
        mine = unit.pk in my_unit_ids
        record.unit_contacts.append(
            UnitContact(
                unit=unit,
                contact=in_force.get(unit.pk),
                latest_change=latest.get(unit.pk),
                mine=mine,
                can_change=mine and may_change,
            )
        )
    return record


def _attach_users(changes: list[CareContactChange]) -> None:
    """Who created each change's care contact and who registered the change,
    each with their staff record, in one query."""
    ids = {c.changed_by_id for c in changes} | {c.care_contact.created_by_id for c in changes}
    ids.discard(None)
    users = (
        {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("staff")} if ids else {}
    )
    for change in changes:
        change.changed_by = users.get(change.changed_by_id)  # type: ignore[arg-type]
        anchor = change.care_contact
        anchor.created_by = users.get(anchor.created_by_id)  # type: ignore[arg-type]


def simple_services_only(client: Client, unit: Unit, on: dt.date) -> tuple[bool, list[str]]:
    """Are all the client's ongoing services on the unit of the simple kinds
    (alarm, meals, shopping, cleaning)? Also returns the labels of the others."""
    kinds = set(
        Service.objects.filter(Service.ongoing_q(on), client=client, unit=unit).values_list(
            "kind", flat=True
        )
    )
    others = sorted(str(Service.Kind(k).label) for k in kinds if k not in Service.SIMPLE_KINDS)
    return not others, others


# --- candidates for the pickers ------------------------------------------------------


def candidates_for_client(*, client: Client, unit: Unit, on: dt.date) -> QuerySet[Staff]:
    """Staff who may be appointed on the unit on ``on`` (selectors.appointable_staff),
    the client's most frequent visitors of the last four weeks first.

    Each row carries ``recent_visits`` (performed visits of this client in the
    window) and ``client_count`` (clients for whom the person is ordinary or
    deputy today): both are subqueries, so the list is one query."""
    now = timezone.now()
    since = now - dt.timedelta(days=VISITOR_WINDOW_DAYS)
    through = Visit.staff.through
    visits = (
        through.objects.filter(
            staff_id=OuterRef("pk"),
            visit__client=client,
            visit__status=Visit.Status.PERFORMED,
            visit__start__gte=since,
            visit__start__lte=now,
        )
        .order_by()
        .values("staff_id")
        .annotate(n=Count("visit_id"))
        .values("n")  # type: ignore[misc]  # the annotation, unknown to the stubs
    )

    def load(role: str) -> Subquery:
        return Subquery(
            history.in_force(on)
            .filter(**{role: OuterRef("pk")}, status=CareContact.Status.ACCEPTED)
            .order_by()
            .values(role)
            .annotate(n=Count("id"))
            .values("n"),
            output_field=IntegerField(),
        )

    return (
        selectors.appointable_staff(unit, on)
        .annotate(
            recent_visits=Coalesce(Subquery(visits, output_field=IntegerField()), Value(0)),
            client_count=Coalesce(load("ordinary"), Value(0)) + Coalesce(load("deputy"), Value(0)),
        )
        .order_by("-recent_visits", "last_name", "first_name")
    )


# --- Mina brukare --------------------------------------------------------------------


@dataclass
class ClientRow:
    client: Client
    unit: Unit
    contact: CareContactChange | None  # in force today; None: "not asked"
    role: str = ""  # "ordinary" / "deputy" when the user's staff is the contact
    url: str = ""  # the client's record, contacts tab
    week_url: str = ""  # "Vem kommer?"


def my_clients(
    *, user: AnyUser, on: dt.date, q: str = "", unit: Unit | None = None
) -> dict[str, Any]:
    """Handbook 1.14: the clients the user's staff record is contact for, and all
    clients on the user's units (or on ``unit``) with their contact, by unit.
    ``q`` searches names, personnummer and customer numbers
    (selectors.client_search_q). Four queries."""
    units = access.units_for_user(user)
    if unit is not None:
        units = units.filter(pk=unit.pk)
    staff = Staff.objects.filter(user_id=user.pk).first() if user.is_authenticated else None
    pairs = (
        Service.objects.filter(Service.ongoing_q(on), unit__in=units)
        .filter(selectors.client_search_q(q, prefix="client__"))
        .values_list("client_id", "unit_id")
        .distinct()
    )
    pair_set = set(pairs)
    clients_qs = Client.objects.filter(pk__in={c for c, _u in pair_set}).order_by(
        "last_name", "first_name", "pk"
    )
    total = len({c for c, _u in pair_set})
    clients = {c.pk: c for c in clients_qs[:MY_CLIENTS_LIMIT]}
    unit_by_pk = {u.pk: u for u in units.filter(pk__in={u for _c, u in pair_set})}
    contacts = {
        (change.client_id, change.unit_id): change
        for change in history.in_force(on)
        .filter(client_id__in=clients, unit_id__in=unit_by_pk)
        .select_related("ordinary", "deputy")
    }
    rows: list[ClientRow] = []
    mine: list[ClientRow] = []
    record_url, week_url = pk_url("client_detail"), pk_url("rota_client_week")
    for client_id, unit_id in pair_set:
        if client_id not in clients:
            continue
        cc = contacts.get((client_id, unit_id))
        urls = {"url": f"{record_url(client_id)}?flik=kontakter", "week_url": week_url(client_id)}
        row = ClientRow(client=clients[client_id], unit=unit_by_pk[unit_id], contact=cc, **urls)
        rows.append(row)
        if staff is not None and cc is not None:
            if cc.ordinary_id == staff.pk:
                mine.append(ClientRow(row.client, row.unit, cc, role="ordinary", **urls))
            elif cc.deputy_id == staff.pk:
                mine.append(ClientRow(row.client, row.unit, cc, role="deputy", **urls))

    def order(row: ClientRow) -> tuple[str, str, str]:
        return (row.client.last_name.lower(), row.client.first_name.lower(), row.unit.name)

    # Grouped by unit (a manager's units have hundreds of clients each).
    rows.sort(key=lambda r: (r.unit.name, r.unit.pk, *order(r)))
    mine.sort(key=lambda r: (r.role != "ordinary", *order(r)))
    return {
        "staff": staff,
        "mine": mine,
        "rows": rows,
        "total": total,
        "truncated": total > len(clients),
    }


# --- visit planning ------------------------------------------------------------------


@dataclass
class PlannedVisit:
    visit: Visit
    people: list[Staff]
    by_contact: str = ""  # "ordinary" / "deputy" / ""


@dataclass
class PlanningClient:
    client: Client
    ordinary: Staff | None
    deputy: Staff | None
    visits: list[PlannedVisit] = field(default_factory=list)
    # Handbook 1.13: the status in force at the end of the period, so "declined"
    # and "not asked" are told apart when no contact is appointed.
    status: str = ContactStatus.NOT_ASKED

    @property
    def status_label(self) -> str:
        return str(ContactStatus(self.status).label)

    @property
    def contact_visits(self) -> int:
        return sum(1 for v in self.visits if v.by_contact)


def planning(*, unit: Unit, start: dt.date, end: dt.date) -> list[PlanningClient]:
    """Handbook 1.13: the unit's visits from ``start`` to ``end`` (inclusive) per
    client, with the care contact in force at the end of the period, and each
    visit marked when the ordinary or deputy in force that day was (planned to
    be) there. Five queries."""
    visits = list(
        Visit.objects.filter(unit=unit, local_date__gte=start, local_date__lte=end)
        .select_related("client")
        .prefetch_related("staff", "planned_staff")
        .order_by("client__last_name", "client__first_name", "client_id", "start")
    )
    client_ids = {v.client_id for v in visits}
    # Every change up to the end of the period, to know the contact on each day.
    lines = history.timelines(
        CareContactChange.objects.filter(
            unit=unit, client_id__in=client_ids, effective__lte=end
        ).select_related("ordinary", "deputy")
    )

    def in_force(client_id: int, day: dt.date) -> CareContactChange | None:
        return lines.get((client_id, unit.pk), history.EMPTY_TIMELINE).change_on(day)

    result: dict[int, PlanningClient] = {}
    for visit in visits:
        row = result.get(visit.client_id)
        if row is None:
            state = in_force(visit.client_id, end)
            row = PlanningClient(
                client=visit.client,
                ordinary=state.ordinary if state else None,
                deputy=state.deputy if state else None,
                status=state.status if state else ContactStatus.NOT_ASKED,
            )
            result[visit.client_id] = row
        people = list(visit.staff.all()) or list(visit.planned_staff.all())
        ids = {p.pk for p in people}
        state = in_force(visit.client_id, visit.local_date)
        mark = ""
        if state is not None and state.ordinary_id in ids:
            mark = "ordinary"
        elif state is not None and state.deputy_id is not None and state.deputy_id in ids:
            mark = "deputy"
        row.visits.append(PlannedVisit(visit=visit, people=people, by_contact=mark))
    return list(result.values())
