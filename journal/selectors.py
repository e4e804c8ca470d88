"""Reads for the social journal (handbook 1.9, Sök dokumentation)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from audit.models import AccessKind, AccessLogEntry
from contacts import access
from contacts.models import Client, Unit

from .models import JournalNote


def notes_for_user(user: access.AnyUser) -> QuerySet[JournalNote]:
    """The notes a user may read (contacts.access decides): those written on
    one of the user's units about a client the user still reaches through that
    unit (need-to-know).

    Notes without a unit (none are written by this app today) are readable by
    everyone who may open the client."""
    if not access.may_read_journal(user):
        return JournalNote.objects.none()
    return JournalNote.objects.filter(
        access.reachable_on_unit_q(user)
        | Q(unit__isnull=True, client__in=access.clients_for_user(user))
    )


def search_notes(
    user: access.AnyUser,
    *,
    client: Client | None = None,
    unit: Unit | None = None,
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[JournalNote]:
    """Notes for one client or unit (or all the user's units), newest first.

    ``client`` and ``unit`` must already be scoped by contacts.access. The
    related rows a result row shows are joined in, so a page of results is one
    query (plus the paginator's count)."""
    notes = notes_for_user(user)
    if client is not None:
        notes = notes.filter(client=client)
    if unit is not None:
        notes = notes.filter(unit=unit)
    if kind:
        notes = notes.filter(kind=kind)
    if date_from is not None:
        notes = notes.filter(event_date__gte=date_from)
    if date_to is not None:
        notes = notes.filter(event_date__lte=date_to)
    return notes.select_related("client", "unit", "written_by__staff").order_by(
        "-event_date", "-written_at", "-id"
    )


# Handbook 1.9, "senast lästa": the journals of this many clients, read last.
RECENT_CLIENTS = 10


def recently_read_client_ids(user: access.AnyUser) -> list[int]:
    """The clients whose journal the user opened last (one client's journal,
    not a unit's list), most recent first, from the user's own access log."""
    if not user.is_authenticated:
        return []
    reads = (
        # By user name: the log's (username, at) index serves it.
        AccessLogEntry.objects.filter(username=user.get_username(), kind=AccessKind.JOURNAL)
        .filter(parameters__has_key="client")
        .order_by("-at", "-id")
        .values_list("client_ids", flat=True)[: RECENT_CLIENTS * 5]
    )
    found: list[int] = []
    for ids in reads:
        for client_id in ids or []:
            if client_id not in found:
                found.append(client_id)
    return found[:RECENT_CLIENTS]
