"""Read queries for pages and reports, in a fixed number of queries."""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from . import history
from .models import CareContact, CareContactChange, Client, ClientMove, Service, Staff, Unit

Status = CareContact.Status

# The start page tells the receiving unit about moves registered this many days back.
MOVE_NOTICE_DAYS = 30


def clients_on_unit(unit: Unit, on: dt.date) -> QuerySet[Client]:
    """Clients with at least one ongoing service on the unit on ``on``.

    Reads the unit's services at once (by the unit's index) and returns the
    clients by primary key: written as one EXISTS query, PostgreSQL hashed the
    unit's services and read the whole client table (7 ms at 20,000 clients
    instead of well under one)."""
    ids = set(
        Service.objects.filter(Service.ongoing_q(on), unit=unit).values_list("client_id", flat=True)
    )
    return Client.objects.filter(pk__in=ids)


def not_handled_clients(unit: Unit, on: dt.date) -> QuerySet[Client]:
    """Handbook 1.3: clients on the unit whose status is still "not asked"."""
    handled = (
        history.in_force(on)
        .filter(client=OuterRef("pk"), unit=unit)
        .exclude(status=Status.NOT_ASKED)
    )
    return (
        clients_on_unit(unit, on)
        .filter(~Exists(handled))
        .annotate(
            first_service=Subquery(
                Service.objects.filter(client=OuterRef("pk"), unit=unit)
                .order_by("start")
                .values("start")[:1]
            )
        )
        .order_by("first_service", "last_name", "first_name")
    )


@dataclass
class UnitCard:
    """The start page's card of one unit (handbook 1.3)."""

    on_unit: int  # clients with an ongoing service on the unit
    not_handled: int  # of those, still "not asked"
    clients: list[Client]  # the first ``limit`` of them, as not_handled_clients orders them


def unit_cards(units: list[Unit], on: dt.date, limit: int) -> dict[int, UnitCard]:
    """clients_on_unit(…).count() and not_handled_clients(…) (its first
    ``limit`` clients and its count) for every unit in ``units``, in three
    queries whatever their number: a coordinator or an administrator with
    hundreds of units asked six queries a unit before. Each listed client
    carries ``first_service`` as not_handled_clients annotates it."""
    ids = [unit.pk for unit in units]
    if not ids:
        return {}
    ongoing = Service.objects.filter(Service.ongoing_q(on), unit_id__in=ids)
    on_unit = dict(
        ongoing.order_by()
        .values("unit_id")
        .annotate(n=Count("client_id", distinct=True))
        .values_list("unit_id", "n")
    )
    handled = (
        history.in_force(on)
        .filter(client=OuterRef("client_id"), unit=OuterRef("unit_id"))
        .exclude(status=Status.NOT_ASKED)
    )
    first_service = (
        Service.objects.filter(client=OuterRef("client_id"), unit=OuterRef("unit_id"))
        .order_by("start")
        .values("start")[:1]
    )
    # In not_handled_clients' order (by the database, so names compare as
    # they do there), unit by unit.
    pairs = (
        ongoing.filter(~Exists(handled))
        .values("unit_id", "client_id")
        .distinct()
        .annotate(
            first_start=Subquery(first_service),
            last_name=F("client__last_name"),
            first_name=F("client__first_name"),
        )
        .order_by("unit_id", "first_start", "last_name", "first_name")
        .values_list("unit_id", "client_id", "first_start")
    )
    waiting: dict[int, list[tuple[int, Any]]] = {}
    for unit_id, client_id, first_start in pairs:
        waiting.setdefault(unit_id, []).append((client_id, first_start))
    people = Client.objects.in_bulk(
        [client_id for rows in waiting.values() for client_id, _start in rows[:limit]]
    )
    cards = {}
    for pk in ids:
        clients = []
        for client_id, first_start in waiting.get(pk, [])[:limit]:
            client = copy.copy(people[client_id])  # one client may wait on two units
            client.first_service = first_start  # type: ignore[attr-defined]
            clients.append(client)
        cards[pk] = UnitCard(
            on_unit=on_unit.get(pk, 0), not_handled=len(waiting.get(pk, [])), clients=clients
        )
    return cards


def appointable_staff(unit: Unit, on: dt.date) -> QuerySet[Staff]:
    """Staff who may be appointed on ``on`` at the unit (Staff.may_be_appointed)."""
    return Staff.objects.filter(Staff.appointable_q(on), units=unit).order_by(
        "last_name", "first_name"
    )


def client_contacts_on(client: Client, on: dt.date) -> QuerySet[CareContactChange]:
    """The client's status and contacts in force on ``on``, one change per unit
    that has one (units without one: "not asked")."""
    return (
        history.in_force(on)
        .filter(client=client)
        .select_related("unit", "ordinary", "deputy", "changed_by__staff", "care_contact")
    )


def client_ongoing_units(client: Client, on: dt.date) -> QuerySet[Unit]:
    return Unit.objects.filter(
        Exists(Service.objects.filter(Service.ongoing_q(on), client=client, unit=OuterRef("pk")))
    )


def unit_filter_q(units: QuerySet[Unit]) -> Q:
    return Q(unit__in=units)


def staff_assignments(staff: Staff, on: dt.date) -> QuerySet[CareContactChange]:
    """The clients for whom the staff member is ordinary or deputy on ``on``
    (the change in force for each client and unit)."""
    return (
        history.in_force(on)
        .filter(Q(ordinary=staff) | Q(deputy=staff), status=Status.ACCEPTED)
        .select_related("client", "unit", "ordinary", "deputy", "care_contact")
        .order_by("unit__name", "client__last_name", "client__first_name")
    )


def suggested_reassignment(
    contact: CareContactChange, leaving: Staff, on: dt.date
) -> tuple[Staff | None, Staff | None]:
    """The provider routine: when the ordinary leaves, the deputy steps in as
    the suggested new ordinary (if they may be appointed); a leaving deputy is
    just removed."""
    ordinary, deputy = contact.ordinary, contact.deputy
    if ordinary is not None and ordinary.pk == leaving.pk:
        if deputy is not None and deputy.may_be_appointed(on):
            return deputy, None
        return None, deputy
    if deputy is not None and deputy.pk == leaving.pk:
        return ordinary, None
    return ordinary, deputy


def contact_history(client: Client) -> QuerySet[CareContactChange]:
    """Every change of status and contact for the client, newest first."""
    return (
        CareContactChange.objects.filter(client=client)
        .select_related(
            "unit", "ordinary", "deputy", "old_ordinary", "old_deputy", "changed_by__staff"
        )
        .order_by("-effective", "-id")
    )


def recent_moves_in(units: QuerySet[Unit], today: dt.date) -> list[ClientMove]:
    """Handbook 1.10 seen from the receiving unit: clients moved to ``units``
    lately (registered in the last MOVE_NOTICE_DAYS days) who are still "not
    asked" there on the move date or today, whichever is later. Two queries."""
    since = timezone.now() - dt.timedelta(days=MOVE_NOTICE_DAYS)
    moves = list(
        # The ids, not a subquery of the user's units: cheaper to plan.
        ClientMove.objects.filter(to_unit_id__in=[u.pk for u in units], moved_at__gte=since)
        .select_related("client", "from_unit", "to_unit", "moved_by__staff")
        .order_by("-moved_at", "-id")
    )
    if not moves:
        return []
    latest = max(max(move.on, today) for move in moves)
    timeline = history.timelines(
        CareContactChange.objects.filter(
            client_id__in={m.client_id for m in moves},
            unit_id__in={m.to_unit_id for m in moves},
            effective__lte=latest,
        )
    )
    return [
        move
        for move in moves
        if timeline.get((move.client_id, move.to_unit_id), history.EMPTY_TIMELINE)
        .on(max(move.on, today))
        .status
        == Status.NOT_ASKED
    ]


_COMPACT_ID = re.compile(r"\d{6}(?:\d{2})?[0-9A-Z]{4}")
_BIRTH_DATE = re.compile(r"\d{6}(?:\d{2})?")


def client_search_q(q: str, prefix: str = "") -> Q:
    """Clients matching a search: every word in the first or last name, or a
    personnummer (samordnings-, reservnummer) with or without century and dash,
    or its birth date part, or a customer number (exact, or its beginning).
    ``prefix`` "client__" for a relation. An empty search matches everyone."""
    q = " ".join(q.split())
    if not q:
        return Q()
    compact = re.sub(r"[\s+-]", "", q).upper()
    condition = Q(**{f"{prefix}customer_number": q}) | Q(
        **{f"{prefix}customer_number__startswith": q}
    )
    if _COMPACT_ID.fullmatch(compact):
        if len(compact) == 12:
            wanted = f"{compact[:8]}-{compact[8:]}"
            condition |= Q(**{f"{prefix}personal_id": wanted})
        else:  # no century: stored ids always have one
            wanted = f"{compact[:6]}-{compact[6:]}"
            condition |= Q(**{f"{prefix}personal_id__endswith": wanted})
    elif _BIRTH_DATE.fullmatch(compact):
        if len(compact) == 8:
            condition |= Q(**{f"{prefix}personal_id__startswith": compact})
        else:
            condition |= Q(**{f"{prefix}personal_id__regex": rf"^[0-9]{{2}}{compact}-"})
    if any(char.isdigit() for char in compact):
        return condition
    names = Q()
    for term in q.split():
        names &= Q(**{f"{prefix}first_name__icontains": term}) | Q(
            **{f"{prefix}last_name__icontains": term}
        )
    return names | condition
