"""Recording reads of personal data.

A view says what it shows with ``record(request, ...)``; the middleware writes
one row when the response is a success (so a 404 or a refused form records
nothing). A view that records twice (a page built from two parts) still gives
one row, with the clients of both. Commands write their row at once with
``record_command``."""

from __future__ import annotations

import functools
import getpass
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models.sql import InsertQuery
from django.http import HttpRequest, HttpResponse, QueryDict

from omsorg.security import client_address

from .models import AccessKind, AccessLogEntry

# Query parameters that are no report parameter (display state, paging).
_IGNORED = {"csrfmiddlewaretoken"}
# Options every management command has: not report parameters.
_COMMAND_DEFAULTS = {
    "verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color", "skip_checks"
}  # fmt: skip
# A value longer than this is cut: the log is no place for junk input.
_MAX_VALUE = 200


@dataclass
class PendingRead:
    kind: str
    what: str
    parameters: dict[str, Any] = field(default_factory=dict)
    client_ids: set[int] = field(default_factory=set)


def _ids(clients: Iterable[Any]) -> set[int]:
    ids: set[int] = set()
    for item in clients:
        value = item if isinstance(item, int) else getattr(item, "pk", None)
        if value is not None:
            ids.add(int(value))
    return ids


def _text(value: Any) -> str:
    # PostgreSQL's jsonb cannot hold a NUL character; junk input must not make
    # the log (and so the page) fail.
    return str(value).replace("\x00", "")[:_MAX_VALUE]


def query_parameters(query: QueryDict | Mapping[str, Any]) -> dict[str, Any]:
    """The request's query string as a dict for ``parameters`` (lists for
    repeated keys, long values cut)."""
    result: dict[str, Any] = {}
    for key in query:
        if key in _IGNORED:
            continue
        values: list[Any] = query.getlist(key) if isinstance(query, QueryDict) else [query[key]]
        cut = [_text(v) for v in values]
        result[_text(key)] = cut[0] if len(cut) == 1 else cut
    return result


def record(
    request: HttpRequest,
    kind: str,
    *,
    clients: Iterable[Any] = (),
    what: str = "",
    parameters: Mapping[str, Any] | None = None,
) -> None:
    """Note that this request shows personal data: ``clients`` (Client objects
    or ids), on page ``what`` (default: the URL name), with ``parameters``
    (default: the query string)."""
    pending: PendingRead | None = getattr(request, "_access_read", None)
    if pending is None:
        match = getattr(request, "resolver_match", None)
        name = what or (match.view_name if match else "") or request.path
        params = (
            {_text(k): _plain(v) for k, v in parameters.items()}
            if parameters is not None
            else query_parameters(request.GET)
        )
        pending = PendingRead(kind=str(kind), what=name[:100], parameters=params)
        request._access_read = pending  # type: ignore[attr-defined]
    elif parameters:
        pending.parameters.update({_text(k): _plain(v) for k, v in parameters.items()})
    pending.client_ids |= _ids(clients)


def write_pending(request: HttpRequest, response: HttpResponse) -> AccessLogEntry | None:
    pending: PendingRead | None = getattr(request, "_access_read", None)
    if pending is None or response.status_code >= 400 or not request.user.is_authenticated:
        return None
    user = request.user
    fields = {
        "user_id": user.pk,
        "username": user.get_username(),
        "address": client_address(request),
        "kind": pending.kind,
        "what": pending.what,
        "parameters": pending.parameters,
        "client_ids": sorted(pending.client_ids),
    }
    if connection.vendor != "postgresql":
        return AccessLogEntry.objects.create(**fields)
    # The commit need not wait for the WAL to reach the disk: a read costs
    # ~1 ms instead of ~5 ms (benchmarks/RESULTS.md). A crash of the database
    # server itself may lose the rows of its last fraction of a second
    # (wal_writer_delay), never corrupt the log.
    if connection.in_atomic_block:
        # Inside an outer transaction (tests, a view that holds one): no
        # savepoint, the setting simply lasts until that one ends.
        with transaction.atomic(savepoint=False):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            return AccessLogEntry.objects.create(**fields)
    # As a request ends (autocommit): the setting and the row in one
    # statement, which PostgreSQL runs as one transaction (what SET LOCAL
    # applies to): one round trip instead of four (BEGIN, SET, INSERT,
    # COMMIT), the row as the ORM would write it (returned without its id,
    # which nothing reads).
    entry = AccessLogEntry(**fields)
    query = InsertQuery(AccessLogEntry)
    query.insert_values(_log_fields(), [entry])
    ((insert, params),) = query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL synchronous_commit TO OFF; {insert}", params)
    return entry


@functools.cache
def _log_fields() -> list[Any]:
    """The columns of a log row (all but the id), read once."""
    return [field for field in AccessLogEntry._meta.concrete_fields if not field.primary_key]


def record_command(
    name: str, parameters: Mapping[str, Any], *, clients: Iterable[Any] = ()
) -> AccessLogEntry:
    """A report run from the command line: the operating-system user, no address."""
    try:
        who = getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        who = "?"
    return AccessLogEntry.objects.create(
        username=f"{who} (kommandorad)"[:150],
        kind=AccessKind.COMMAND,
        what=name[:100],
        parameters={k: _plain(v) for k, v in parameters.items() if k not in _COMMAND_DEFAULTS},
        client_ids=sorted(_ids(clients)),
    )


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return _text(value)


class AccessLogMiddleware:
    """Writes the request's access log row (see ``record``) after the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        write_pending(request, response)
        return response
