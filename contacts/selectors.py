"""Read queries for pages and reports, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from .models import CareContact, CareContactChange, Client, Service, Staff, Unit

Status = CareContact.Status


@dataclass(frozen=True)
class ContactState:
    status: str
    ordinary_id: int | None
    deputy_id: int | None
    reason: str = ""
    change_id: int | None = None


NOT_ASKED = ContactState(status=Status.NOT_ASKED, ordinary_id=None, deputy_id=None)


def contact_state_as_of(*, client: Client, unit: Unit, on: dt.date) -> ContactState:
    """Status, ordinary and deputy in force at the end of day ``on``."""
    change = (
        CareContactChange.objects.filter(client=client, unit=unit, effective__lte=on)
        .order_by("-effective", "-id")
        .values("id", "status", "ordinary_id", "deputy_id", "reason")
        .first()
    )
    if change is None:
        return NOT_ASKED
    return ContactState(
        status=change["status"],
        ordinary_id=change["ordinary_id"],
        deputy_id=change["deputy_id"],
        reason=change["reason"],
        change_id=change["id"],
    )


def latest_changes_as_of(on: dt.date, *, units: QuerySet[Unit] | None = None) -> QuerySet:
    """The change in force on ``on`` for every (client, unit) that has one: one
    query, whatever the number of clients."""
    newer = CareContactChange.objects.filter(
        client=OuterRef("client"), unit=OuterRef("unit"), effective__lte=on
    ).order_by("-effective", "-id")
    qs = CareContactChange.objects.filter(effective__lte=on)
    if units is not None:
        qs = qs.filter(unit__in=units)
    return qs.filter(id=Subquery(newer.values("id")[:1]))


def clients_on_unit(unit: Unit, on: dt.date) -> QuerySet[Client]:
    """Clients with at least one ongoing service on the unit on ``on``."""
    ongoing = Service.objects.filter(Service.ongoing_q(on), client=OuterRef("pk"), unit=unit)
    return Client.objects.filter(Exists(ongoing))


def not_handled_clients(unit: Unit, on: dt.date) -> QuerySet[Client]:
    """Handbook 1.3: clients on the unit whose status is still "not asked"."""
    handled = CareContact.objects.filter(client=OuterRef("pk"), unit=unit).exclude(
        status=Status.NOT_ASKED
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


def appointable_staff(unit: Unit, on: dt.date) -> QuerySet[Staff]:
    """Staff who may be appointed on ``on`` at the unit (Staff.may_be_appointed)."""
    return Staff.objects.filter(Staff.appointable_q(on), units=unit).order_by(
        "last_name", "first_name"
    )


def client_care_contacts(client: Client) -> QuerySet[CareContact]:
    return CareContact.objects.filter(client=client).select_related(
        "unit", "ordinary", "deputy", "created_by", "changed_by"
    )


def client_ongoing_units(client: Client, on: dt.date) -> QuerySet[Unit]:
    return Unit.objects.filter(
        Exists(Service.objects.filter(Service.ongoing_q(on), client=client, unit=OuterRef("pk")))
    )


def unit_filter_q(units: QuerySet[Unit]) -> Q:
    return Q(unit__in=units)


def staff_assignments(staff: Staff) -> QuerySet[CareContact]:
    """Current care contacts where the staff member is ordinary or deputy."""
    return (
        CareContact.objects.filter(Q(ordinary=staff) | Q(deputy=staff), status=Status.ACCEPTED)
        .select_related("client", "unit", "ordinary", "deputy")
        .order_by("unit__name", "client__last_name", "client__first_name")
    )


def suggested_reassignment(
    care_contact: CareContact, leaving: Staff, on: dt.date
) -> tuple[Staff | None, Staff | None]:
    """The provider routine: when the ordinary leaves, the deputy steps in as the suggested
    new ordinary (if they may be appointed); a leaving deputy is just removed."""
    ordinary, deputy = care_contact.ordinary, care_contact.deputy
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


def contact_states_for_client_as_of(client: Client, on: dt.date) -> list[CareContactChange]:
    """The change in force on ``on`` for each of the client's units."""
    return list(
        latest_changes_as_of(on)
        .filter(client=client)
        .select_related("unit", "ordinary", "deputy")
        .order_by("unit__name")
    )
