"""Read queries for the lifecycle pages: staff list and detail, the bulk
handover, change requests and the contact history (handbook 1.10–1.11,
the guidance for providers and the provider routine). Each function runs a
fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from . import history, selectors
from .models import (
    TITLE_RULE_START,
    TRANSITIONAL_RULE_END,
    CareContact,
    CareContactChange,
    Client,
    ContactChangeRequest,
    Service,
    Staff,
    Unit,
    Visit,
)
from .reading import VISITOR_WINDOW_DAYS

Status = CareContact.Status


# --- staff list ---------------------------------------------------------------------


def _count_contacts(role: str, units: QuerySet[Unit], on: dt.date) -> Coalesce:
    """Clients (accepted on ``on``, on ``units``) for whom the outer staff row is
    ``role``. A subquery rather than a join, so the two counts do not multiply
    each other."""
    return Coalesce(
        Subquery(
            history.in_force(on)
            .filter(**{role: OuterRef("pk")}, status=Status.ACCEPTED, unit__in=units)
            .order_by()
            .values(role)
            .annotate(n=Count("id"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def staff_list(units: QuerySet[Unit], on: dt.date) -> QuerySet[Staff]:
    """Staff on ``units`` with ``ordinary_count``, ``deputy_count`` and
    ``appointable`` (Staff.may_be_appointed(on) as SQL), in name order: one
    query for any slice of it (a page of the list). ``with_unit_names`` adds
    the units of the people of a page.

    "On the units" is an EXISTS, not a join with DISTINCT: a DISTINCT would
    make PostgreSQL compute both counts for every person before it can count
    the list or take a page of it (0.34 s for each of the two, for a manager
    of 20 units of the municipal-scale data)."""
    on_units = Staff.units.through.objects.filter(staff=OuterRef("pk"), unit__in=units)
    return (
        Staff.objects.filter(Exists(on_units))
        .annotate(
            ordinary_count=_count_contacts("ordinary", units, on),
            deputy_count=_count_contacts("deputy", units, on),
            appointable=Case(
                When(Staff.appointable_q(on), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("last_name", "first_name", "pk")
    )


def with_unit_names(staff: Iterable[Staff], units: QuerySet[Unit]) -> list[Staff]:
    """``staff`` as a list, each with ``my_units``: the names of their units
    among ``units``, in one query."""
    people = list(staff)
    unit_names: dict[int, list[str]] = defaultdict(list)
    through = Staff.units.through
    for staff_id, name in (
        through.objects.filter(staff__in=[s.pk for s in people], unit__in=units)
        .order_by("unit__name")
        .values_list("staff_id", "unit__name")
    ):
        unit_names[staff_id].append(name)
    for person in people:
        person.my_units = unit_names[person.pk]  # type: ignore[attr-defined]
    return people


# --- staff detail -------------------------------------------------------------------


@dataclass(frozen=True)
class TitleEvidence:
    """Handbook 1.2 / SoL 3 kap. 3 d §: how the right to the protected title is shown."""

    # "certificate", "certificate_later", "transitional", "expired", "missing", "n/a",
    # "not_required" (before the rule applied)
    kind: str
    text: str

    @property
    def valid(self) -> bool:
        return self.kind in ("certificate", "transitional", "not_required")


def title_evidence(staff: Staff, on: dt.date) -> TitleEvidence:
    last_transitional_day = TRANSITIONAL_RULE_END - dt.timedelta(days=1)
    cert = staff.title_certificate_date
    if on < TITLE_RULE_START and staff.title == Staff.Title.ASSISTANT_NURSE:
        return TitleEvidence(
            "not_required",
            _("Krävs inte före %(d)s (då kravet började gälla)")
            % {"d": TITLE_RULE_START.isoformat()},
        )
    if cert is not None and cert <= on:
        return TitleEvidence(
            "certificate", _("Bevis från Socialstyrelsen, daterat %(d)s") % {"d": cert.isoformat()}
        )
    if staff.permanent_on_2023_07_01:
        if on < TRANSITIONAL_RULE_END:
            return TitleEvidence(
                "transitional",
                _(
                    "Övergångsregeln (tillsvidareanställd som undersköterska 2023-07-01), "
                    "gäller till och med %(d)s"
                )
                % {"d": last_transitional_day.isoformat()},
            )
        return TitleEvidence(
            "expired",
            _("Övergångsregeln gällde till och med %(d)s; bevis saknas")
            % {"d": last_transitional_day.isoformat()},
        )
    if cert is not None:
        return TitleEvidence(
            "certificate_later",
            _("Bevis daterat %(d)s, gäller först från det datumet") % {"d": cert.isoformat()},
        )
    if staff.title != Staff.Title.ASSISTANT_NURSE:
        return TitleEvidence("n/a", _("Bevis saknas (titeln är inte undersköterska)"))
    return TitleEvidence("missing", _("Bevis saknas"))


def assignments_on_units(
    staff: Staff, units: QuerySet[Unit], on: dt.date
) -> list[CareContactChange]:
    """The person's contacts (ordinary or deputy) on ``units`` on ``on``: one query."""
    return list(selectors.staff_assignments(staff, on).filter(unit__in=units))


# --- bulk handover (the provider routine) -------------------------------------------


@dataclass
class HandoverRow:
    contact: CareContactChange  # in force on the handover date
    role: str  # what the leaving person is for this client: "ordinary" or "deputy"
    suggested_ordinary: Staff | None
    suggested_deputy: Staff | None
    candidates: list[Staff] = field(default_factory=list)
    # Per candidate (pk): how well they know the client and their load, as in
    # the single form (reading.candidates_for_client), for the picker labels.
    labels: dict[int, str] = field(default_factory=dict)


def _recent_visits(client_ids: set[int], now: dt.datetime) -> Counter[tuple[int, int]]:
    """Performed visits in the last four weeks per (client, staff): one query."""
    since = now - dt.timedelta(days=VISITOR_WINDOW_DAYS)
    through = Visit.staff.through
    counts: Counter[tuple[int, int]] = Counter()
    for client_id, staff_id, n in (
        through.objects.filter(
            visit__client_id__in=client_ids,
            visit__status=Visit.Status.PERFORMED,
            visit__start__gte=since,
            visit__start__lte=now,
        )
        .order_by()
        .values_list("visit__client_id", "staff_id")
        .annotate(n=Count("visit_id"))
    ):
        counts[(client_id, staff_id)] = n
    return counts


def _loads(staff_ids: set[int], on: dt.date) -> Counter[int]:
    """Clients for whom each person is ordinary or deputy on ``on``: two queries."""
    load: Counter[int] = Counter()
    for role in ("ordinary", "deputy"):
        for person, n in (
            history.in_force(on)
            .filter(**{f"{role}_id__in": staff_ids}, status=Status.ACCEPTED)
            .order_by()
            .values_list(f"{role}_id")
            .annotate(n=Count("id"))
        ):
            load[person] += n
    return load


def handover_rows(
    staff: Staff, units: QuerySet[Unit], on: dt.date, *, today: dt.date
) -> list[HandoverRow]:
    """One row per client on ``units`` for whom ``staff`` is ordinary or deputy
    ``today``, with the staff who may be appointed on the client's unit on
    ``on``, the date the handover takes effect (never the leaving person),
    each client's most frequent visitors of the last four weeks first, with
    their load. Five queries.

    The suggestion keeps what does not change: when the ordinary leaves, the
    deputy stays deputy and the most frequent visitor is suggested as the new
    ordinary (with no visitor, the provider routine: the deputy steps in);
    when the deputy leaves, the most frequent visitor is suggested as deputy,
    so a handover does not leave clients without a deputy needlessly."""
    contacts = assignments_on_units(staff, units, today)
    unit_ids = {cc.unit_id for cc in contacts}
    pool: dict[int, list[Staff]] = defaultdict(list)
    if unit_ids:
        for person in _appointable_by_unit(unit_ids, staff, on):
            pool[person.pool_unit_id].append(person)  # type: ignore[attr-defined]
    visits = _recent_visits({cc.client_id for cc in contacts}, timezone.now())
    load = _loads({p.pk for people in pool.values() for p in people}, on) if pool else Counter()
    rows = []
    for cc in contacts:
        candidates = sorted(
            pool.get(cc.unit_id, []),
            key=lambda p, c=cc.client_id: -visits[(c, p.pk)],  # type: ignore[misc]
        )
        visitors = [p for p in candidates if visits[(cc.client_id, p.pk)] > 0]
        ordinary, deputy = selectors.suggested_reassignment(cc, staff, on)
        if cc.ordinary_id == staff.pk:
            keep = cc.deputy if cc.deputy is not None and cc.deputy.may_be_appointed(on) else None
            top = next((p for p in visitors if keep is None or p.pk != keep.pk), None)
            if top is not None:
                ordinary, deputy = top, keep
        elif deputy is None:
            deputy = next((p for p in visitors if ordinary is None or p.pk != ordinary.pk), None)
        rows.append(
            HandoverRow(
                contact=cc,
                role="ordinary" if cc.ordinary_id == staff.pk else "deputy",
                suggested_ordinary=ordinary,
                suggested_deputy=deputy,
                candidates=candidates,
                labels={
                    p.pk: _("%(person)s – %(visits)s besök senaste 4 v · %(clients)s brukare")
                    % {
                        "person": str(p),
                        "visits": visits[(cc.client_id, p.pk)],
                        "clients": load[p.pk],
                    }
                    for p in candidates
                },
            )
        )
    return rows


def _appointable_by_unit(unit_ids: set[int], leaving: Staff, on: dt.date) -> list[Staff]:
    """Appointable staff on each unit, one row per (person, unit), in one query."""
    through = Staff.units.through
    memberships = list(
        through.objects.filter(unit_id__in=unit_ids)
        .filter(staff__in=Staff.objects.filter(Staff.appointable_q(on)).exclude(pk=leaving.pk))
        .select_related("staff")
        .order_by("staff__last_name", "staff__first_name", "staff_id")
    )
    people = []
    for membership in memberships:
        person = membership.staff
        person.pool_unit_id = membership.unit_id  # type: ignore[attr-defined]
        people.append(person)
    return people


# --- change requests (the guidance for providers) ------------------------------------


@dataclass
class ChangeRequests:
    open: list[ContactChangeRequest]
    resolved: list[ContactChangeRequest]

    def __bool__(self) -> bool:
        return bool(self.open or self.resolved)


def change_requests(client: Client, units: QuerySet[Unit] | None = None) -> ChangeRequests:
    """The client's requests for another contact (optionally only on ``units``),
    open first, newest first: one query when there are none (most clients:
    the client record asks on every view), their units and people in a few
    more when there are."""
    qs = ContactChangeRequest.objects.filter(client=client).prefetch_related(
        "unit",
        "recorded_by__staff",
        "resolved_by_change__ordinary",
        "resolved_by_change__deputy",
    )
    if units is not None:
        qs = qs.filter(unit__in=units)
    result = ChangeRequests(open=[], resolved=[])
    for request in qs.order_by("-requested_on", "-id"):
        (result.resolved if request.resolved_by_change_id else result.open).append(request)
    return result


# --- history ------------------------------------------------------------------------


@dataclass
class UnitStateAsOf:
    unit: Unit
    change: CareContactChange | None  # None: no change registered, so "not asked"

    @property
    def status_label(self) -> str:
        status = self.change.status if self.change else Status.NOT_ASKED
        return str(Status(status).label)


def states_as_of(client: Client, on: dt.date) -> list[UnitStateAsOf]:
    """Each unit's status and contacts in force on ``on``: the units with a
    registered change plus the units the client was on that day without any
    change yet. Two queries."""
    by_unit = {c.unit_id: c for c in selectors.client_contacts_on(client, on)}
    units = {c.unit_id: c.unit for c in by_unit.values()}
    for unit in Unit.objects.filter(
        pk__in=Service.objects.filter(Service.ongoing_q(on), client=client).values("unit")
    ):
        units.setdefault(unit.pk, unit)
    return [
        UnitStateAsOf(unit=unit, change=by_unit.get(unit.pk))
        for unit in sorted(units.values(), key=lambda u: u.name.lower())
    ]
