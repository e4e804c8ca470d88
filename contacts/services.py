"""Every write of contacts' domain state goes through these functions.

Services validate, write inside one transaction, and send the contacts signals
(journal notes and implementation plans are written by their receivers in the
same transaction)."""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import bulk, history, versions, visit_team
from .models import (
    STOCKHOLM,
    CareContact,
    CareContactChange,
    CareType,
    Client,
    ClientMove,
    ContactChangeRequest,
    Provider,
    Service,
    Staff,
    Unit,
    Visit,
)
from .signals import (
    care_contact_changed,
    care_contacts_changed,
    client_moved,
    contact_change_requested,
    execution_ended,
)

Status = CareContact.Status


class EditConflict(ValidationError):
    """Someone else saved the same record while this user was editing it: the
    save is refused, nothing is written, and the user reviews and saves again."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="conflict")


def edit_conflict(by: Any, at: dt.datetime) -> EditConflict:
    """'Ändrad av X kl. HH:MM medan du redigerade — granska och spara igen.'"""
    staff = getattr(by, "staff", None) if by is not None else None
    if staff is not None:
        who = str(staff)
    elif by is not None:
        who = by.get_full_name() or by.get_username()
    else:
        who = _("systemet")
    local = timezone.localtime(at)
    when = local.strftime("%H:%M")
    if local.date() != timezone.localdate():
        when = f"{local:%Y-%m-%d} {when}"
    return EditConflict(
        _("Ändrad av %(who)s kl. %(when)s medan du redigerade — granska och spara igen.")
        % {"who": who, "when": when}
    )


@dataclass
class Upserted:
    """What an upsert did: created a row, updated one, or found it unchanged."""

    obj: Any
    created: bool = False
    updated: bool = False


def _apply_fields(obj: Any, fields: dict[str, Any]) -> bool:
    changed = False
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _upsert(model: Any, key: dict[str, Any], fields: dict[str, Any]) -> Upserted:
    obj = model.objects.select_for_update().filter(**key).first()
    if obj is None:
        obj = model(**key, **fields)
        obj.full_clean()
        obj.save()
        return Upserted(obj, created=True)
    if _apply_fields(obj, fields):
        obj.full_clean()
        obj.save()
        return Upserted(obj, updated=True)
    return Upserted(obj)


# --- units and providers -------------------------------------------------------------


@transaction.atomic
def provider_get_or_create(*, name: str) -> Provider:
    provider = (
        Provider.objects.filter(code=name).first() or Provider.objects.filter(name=name).first()
    )
    if provider is None:
        provider = Provider.objects.create(code=name, name=name)
    return provider


@transaction.atomic
def unit_upsert(*, code: str, name: str, provider: str | None = None) -> Upserted:
    fields: dict[str, Any] = {"name": name}
    if provider:
        fields["provider"] = provider_get_or_create(name=provider)
    result = _upsert(Unit, {"code": code}, fields)
    if result.obj.care_type_id is None:
        result.obj.care_type = CareType.objects.filter(code="hemtjanst").first()
        result.obj.save(update_fields=["care_type"])
    return result


# --- staff --------------------------------------------------------------------------


@transaction.atomic
def staff_upsert(
    *, signature: str, units: list[Unit], fields: dict[str, Any], replace_units: bool = True
) -> Upserted:
    signature = signature.lstrip("@")
    result = _upsert(Staff, {"signature": signature}, fields)
    staff: Staff = result.obj
    current = set(staff.units.values_list("pk", flat=True))
    wanted = {unit.pk for unit in units}
    if replace_units and current != wanted:
        staff.units.set(units)
        if not result.created:
            result.updated = True
    elif not replace_units and not wanted <= current:
        staff.units.add(*units)
        result.updated = not result.created
    return result


# --- clients and services -----------------------------------------------------------


@transaction.atomic
def client_upsert(*, customer_number: str, fields: dict[str, Any]) -> Upserted:
    from . import personal_id as pid

    if "personal_id" in fields:
        fields = {**fields, "personal_id": pid.parse(fields["personal_id"]).canonical}
    return _upsert(Client, {"customer_number": customer_number}, fields)


@transaction.atomic
def service_upsert(
    *,
    client: Client,
    unit: Unit,
    kind: str,
    start: dt.date,
    end: dt.date | None,
    by: User | None = None,
    source: str = CareContactChange.Source.IMPORT,
) -> Upserted:
    result = _upsert(
        Service, {"client": client, "unit": unit, "kind": kind, "start": start}, {"end": end}
    )
    if result.created or result.updated:
        _after_service_change(client=client, unit=unit, by=by, source=source)
    return result


@transaction.atomic
def service_end(*, service: Service, end: dt.date, by: User | None = None) -> Service:
    """End a service by hand (the last day it is given)."""
    if end < service.start:
        raise ValidationError(
            {"end": [_("Slutdatum kan inte vara före startdatum %(d)s.") % {"d": service.start}]}
        )
    service.end = end
    service.full_clean()
    service.save(update_fields=["end"])
    _after_service_change(
        client=service.client, unit=service.unit, by=by, source=CareContactChange.Source.BROWSER
    )
    return service


def executions_end_after_services_change(
    *, pairs: list[tuple[Client, Unit]], by: User | None, source: str
) -> dict[tuple[Client, Unit], str]:
    """What service_upsert does after each change (handbook 1.11), for many
    clients and units at once: the execution ends are read in one query, and
    only the pairs whose execution has ended go through the rules one by one.
    Returns the pairs the rules refused, with the message."""
    ends: dict[tuple[int, int], list[dt.date | None]] = {}
    wanted = {(client.pk, unit.pk) for client, unit in pairs}
    client_ids = sorted({client_id for client_id, _unit_id in wanted})
    if client_ids:
        for client_id, unit_id, end in (
            Service.objects.filter(bulk.keys_filter(Service, "client", client_ids))
            .order_by()
            .values_list("client_id", "unit_id", "end")
        ):
            if (client_id, unit_id) in wanted:
                ends.setdefault((client_id, unit_id), []).append(end)
    refused: dict[tuple[Client, Unit], str] = {}
    for client, unit in pairs:
        found = ends.get((client.pk, unit.pk), [None])
        if any(end is None for end in found):
            continue  # an ongoing service: the execution has not ended
        try:
            with transaction.atomic():
                _after_service_change(client=client, unit=unit, by=by, source=source)
        except ValidationError as exc:
            refused[(client, unit)] = " ".join(exc.messages)
    return refused


def _after_service_change(
    *, client: Client, unit: Unit, by: User | None, source: str, reason: str = ""
) -> None:
    last_day = execution_end(client=client, unit=unit)
    if last_day is None:
        return
    care_contact_end_after_execution(client=client, unit=unit, by=by, source=source, reason=reason)
    execution_ended.send(sender=Service, client=client, unit=unit, last_day=last_day, by=by)


def execution_end(*, client: Client, unit: Unit) -> dt.date | None:
    """The last day of the client's execution on the unit, or None while a
    service there has no end date (or the client has no service there). A
    service moved away before it began (handbook 1.10) ends the day before the
    move, so the execution ends then too."""
    ends = list(Service.objects.filter(client=client, unit=unit).values_list("end", flat=True))
    return _last_service_day(ends)


def _last_service_day(ends: list[dt.date | None]) -> dt.date | None:
    """execution_end from the end dates of the client's services on the unit."""
    if not ends or any(end is None for end in ends):
        return None
    return max(end for end in ends if end is not None)


def _execution_end_reason(last_day: dt.date) -> str:
    return _("Verkställigheten på enheten avslutades %(date)s.") % {"date": last_day}


@transaction.atomic
def care_contact_end_after_execution(
    *,
    client: Client,
    unit: Unit,
    by: User | None = None,
    source: str = CareContactChange.Source.SYSTEM,
    reason: str = "",
) -> CareContactChange | None:
    """Handbook 1.11: when the execution on a unit ends, the contact links there
    end on that date. Recorded as a change effective the day after the last
    service day, so "as of" questions are exact for past and future dates."""
    last_day = execution_end(client=client, unit=unit)
    if last_day is None:
        return None
    after = last_day + dt.timedelta(days=1)
    reason = reason or _execution_end_reason(last_day)
    # A back-dated end (a move dated before a contact was appointed) may have
    # changes with contacts dated later: each is ended on its own date too, so
    # no day after the execution shows a contact (the rows stay in the history).
    later = (
        CareContactChange.objects.filter(client=client, unit=unit, effective__gt=after)
        .order_by("effective")
        .values_list("effective", flat=True)
        .distinct()
    )
    first: CareContactChange | None = None
    for day in [after, *later]:
        state = history.state_on(client=client, unit=unit, on=day)
        if state.ordinary_id is None and state.deputy_id is None:
            continue
        change = care_contact_change(
            client=client,
            unit=unit,
            status=Status.NOT_ASKED,
            effective=day,
            reason=reason,
            by=by,
            source=source,
            check_staff=False,
        )
        first = first or change
    return first


# --- care contacts ------------------------------------------------------------------


# Status.values makes its list on each use: once per row of a contact import.
_STATUSES = frozenset(Status.values)


def _validate_contacts(
    *,
    unit: Unit,
    status: str,
    ordinary: Staff | None,
    deputy: Staff | None,
    effective: dt.date,
    check_staff: bool,
    unit_staff: set[int] | None = None,
) -> None:
    """``unit_staff``: the ids of the chosen people who belong to the unit,
    when the caller has read them already (the import, for many rows)."""
    errors: dict[str, list[str]] = {}
    if status not in _STATUSES:
        errors["status"] = [_("Okänd status ”%(status)s”.") % {"status": status}]
        raise ValidationError(errors)
    if status != Status.ACCEPTED:
        if ordinary is not None:
            errors.setdefault("ordinary", []).append(
                _("Ordinarie kontakt kan bara anges när brukaren tackar ja.")
            )
        if deputy is not None:
            errors.setdefault("deputy", []).append(
                _("Vice kontakt kan bara anges när brukaren tackar ja.")
            )
        if errors:
            raise ValidationError(errors)
        return
    if ordinary is None:
        errors["ordinary"] = [_("Välj en ordinarie kontakt när brukaren tackar ja.")]
    if deputy is not None and ordinary is not None and deputy.pk == ordinary.pk:
        errors["deputy"] = [_("Vice kontakt kan inte vara samma person som ordinarie.")]
    if check_staff:
        if unit_staff is None:
            # Only the chosen people, not the unit's whole staff in name order.
            unit_staff = set(
                Staff.units.through.objects.filter(
                    unit_id=unit.pk,
                    staff_id__in=[s.pk for s in (ordinary, deputy) if s is not None],
                ).values_list("staff_id", flat=True)
            )
        for field, staff in (("ordinary", ordinary), ("deputy", deputy)):
            if staff is None or field in errors:
                continue
            problems = []
            if staff.pk not in unit_staff:
                problems.append(_("tillhör inte enheten %(unit)s") % {"unit": unit.name})
            problems.extend(staff.appointment_obstacles(effective))
            if problems:
                errors[field] = [
                    _("%(name)s kan inte utses %(date)s: %(reasons)s.")
                    % {
                        "name": str(staff),
                        "date": effective.isoformat(),
                        "reasons": ", ".join(problems),
                    }
                ]
    if errors:
        raise ValidationError(errors)


def _changes_nothing(
    before: history.ContactState,
    status: str,
    ordinary: Staff | None,
    deputy: Staff | None,
    reason: str,
) -> bool:
    """Is a change to ``status``, ``ordinary`` and ``deputy`` (with ``reason``)
    the state ``before`` already in force on its date? Then no change is made."""
    return (
        before.status == status
        and before.ordinary_id == (ordinary.pk if ordinary else None)
        and before.deputy_id == (deputy.pk if deputy else None)
        and (status not in (Status.DECLINED, Status.NO_NEED) or before.reason == reason)
    )


def _new_change(
    before: history.ContactState,
    *,
    client: Client,
    unit: Unit,
    effective: dt.date,
    status: str,
    ordinary: Staff | None,
    deputy: Staff | None,
    reason: str,
    overridden_warnings: str,
    source: str,
    by: User | None,
) -> CareContactChange:
    """The (unsaved) change from the state ``before`` it on its date: what
    care_contact_change and CareContactChangeBatch.change both record.

    Made from its column values in field order, as Django makes a row it
    reads (a third of the time of keyword arguments, whose related objects
    each go through their descriptor: a tenth of a contact import's Python
    time), with the related objects put in the instance's cache as those
    descriptors put them."""
    values = {
        "client_id": client.pk,
        "unit_id": unit.pk,
        "effective": effective,
        "status": status,
        "ordinary_id": ordinary.pk if ordinary is not None else None,
        "deputy_id": deputy.pk if deputy is not None else None,
        "old_status": before.status,
        "old_ordinary_id": before.ordinary_id,
        "old_deputy_id": before.deputy_id,
        "reason": reason,
        "overridden_warnings": overridden_warnings,
        "source": source,
        "changed_by_id": by.pk if by is not None else None,
    }
    change = CareContactChange(*[values.get(name) for name in _change_attnames()])
    change._state.fields_cache.update(
        client=client, unit=unit, ordinary=ordinary, deputy=deputy, changed_by=by
    )
    return change


@functools.cache
def _change_attnames() -> tuple[str, ...]:
    """CareContactChange's columns in field order (its positional arguments)."""
    return tuple(field.attname for field in CareContactChange._meta.concrete_fields)


@transaction.atomic
def care_contact_change(
    *,
    client: Client,
    unit: Unit,
    status: str,
    ordinary: Staff | None = None,
    deputy: Staff | None = None,
    effective: dt.date | None = None,
    reason: str = "",
    by: User | None = None,
    source: str = CareContactChange.Source.BROWSER,
    check_staff: bool = True,
    expected_version: int | None = None,
    overridden_warnings: list[str] | None = None,
) -> CareContactChange | None:
    """Set a client's status and contacts on a unit from ``effective`` (default
    today). Returns the change, or None when nothing changed (no journal note).

    ``expected_version`` is ``history.version`` as the user's form showed it:
    when another change was registered since, EditConflict is raised and
    nothing is written. Raises ValidationError (with field names) when a rule
    is broken."""
    effective = effective or timezone.localdate()
    reason = (reason or "").strip()
    warnings = [w for w in (overridden_warnings or []) if w] if status == Status.NO_NEED else []
    if warnings and not reason:
        raise ValidationError(
            {
                "reason": [
                    _("Ange varför en fast omsorgskontakt är uppenbart obehövlig trots varningen.")
                ]
            }
        )
    _validate_contacts(
        unit=unit,
        status=status,
        ordinary=ordinary,
        deputy=deputy,
        effective=effective,
        check_staff=check_staff,
    )
    # The anchor row is locked first, so two changes of one client on one unit
    # are written one after the other and each sees the other's history.
    care_contact, _created = CareContact.objects.select_for_update().get_or_create(
        client=client, unit=unit, defaults={"created_by": by}
    )
    if expected_version is not None:
        latest = history.latest_registered(client=client, unit=unit)
        if (latest.pk if latest else 0) != expected_version:
            if latest is None:  # the form knew of changes that are gone: never silently save
                raise edit_conflict(None, timezone.now())
            raise edit_conflict(latest.changed_by, latest.changed_at)
    before = history.state_on(client=client, unit=unit, on=effective)
    if _changes_nothing(before, status, ordinary, deputy, reason):
        return None
    change = _new_change(
        before,
        client=client,
        unit=unit,
        effective=effective,
        status=status,
        ordinary=ordinary,
        deputy=deputy,
        reason=reason,
        overridden_warnings="\n".join(warnings),
        source=source,
        by=by,
    )
    change.care_contact = care_contact
    change.save(force_insert=True)
    history.link_periods(client=client, unit=unit)
    change.refresh_from_db(fields=["valid_until"])
    care_contact_changed.send(sender=CareContact, change=change, care_contact=care_contact, by=by)
    return change


# --- care contacts in bulk (the contact import) --------------------------------------

# Where a change made by a batch goes among the changes of its date: after every
# stored one (ids are smaller), in the order made, as the ids it will get.
_NEW_ORDER = 2**62
_LAST_ORDER = 2**63


@dataclass
class _Recorded:
    """One change in a _History: stored (``pk``, ``valid_until`` as stored) or
    made by the batch (``change``)."""

    effective: dt.date
    order: int
    state: history.ContactState
    pk: int | None = None
    valid_until: dt.date | None = None
    change: CareContactChange | None = None


class _History:
    """The changes of one client on one unit in (effective, id) order: the rule
    of contacts.history (the state on D is the last change with effective <=
    D), in memory."""

    def __init__(self) -> None:
        self.keys: list[tuple[dt.date, int]] = []
        self.records: list[_Recorded] = []

    def add(self, record: _Recorded) -> None:
        index = bisect_right(self.keys, (record.effective, record.order))
        self.keys.insert(index, (record.effective, record.order))
        self.records.insert(index, record)

    def state_on(self, day: dt.date) -> history.ContactState:
        index = bisect_right(self.keys, (day, _LAST_ORDER)) - 1
        return self.records[index].state if index >= 0 else history.NOT_ASKED

    def on_day(self, day: dt.date) -> list[history.ContactState]:
        start = bisect_left(self.keys, (day, 0))
        end = bisect_right(self.keys, (day, _LAST_ORDER))
        return [record.state for record in self.records[start:end]]

    def dates_after(self, day: dt.date) -> list[dt.date]:
        start = bisect_right(self.keys, (day, _LAST_ORDER))
        return sorted({effective for effective, _order in self.keys[start:]})


class CareContactChangeBatch:
    """care_contact_change and care_contact_end_after_execution for the many
    rows of a contact import: the same rules, the same rows and the same
    journal notes and plan updates, in a fixed number of queries instead of
    some twenty a row.

    The constructor locks the anchors (CareContact) of ``pairs``, as
    care_contact_change does one at a time, and reads once what the rules
    ask of the database: the history of every pair, the units of the chosen
    ``staff`` and the end dates of the pairs' services. ``change`` and
    ``end_after_execution`` then work in memory, in the order they are called,
    each seeing the changes made before it (so a row's ``before`` and the
    end of an ended execution are exactly as one call at a time makes them);
    ``stored_on`` answers what the database would hold at that point.
    ``write`` stores everything: new anchors, the changes (ids in the order
    made, as one insert at a time gives them), their periods (``valid_until``,
    as history.link_periods keeps them), and sends care_contacts_changed once
    for the journal notes and plan updates of every change."""

    def __init__(
        self,
        *,
        pairs: Iterable[tuple[Client, Unit]],
        staff: Iterable[Staff],
        by: User | None,
        source: str,
    ) -> None:
        self.by = by
        self.source = source
        self._histories = {(client.pk, unit.pk): _History() for client, unit in pairs}
        self._staff = {person.pk: person for person in staff}
        self._anchors: dict[tuple[int, int], int | None] = {}
        self._made: list[CareContactChange] = []
        self._next_order = _NEW_ORDER
        client_ids = sorted({client_id for client_id, _unit_id in self._histories})
        unit_ids = sorted({unit_id for _client_id, unit_id in self._histories})
        # The ids as one parameter each (bulk.keys_filter): an IN list of
        # 20,000 ids took longer to build and parse than to answer.
        clients = functools.partial(bulk.keys_filter, field="client", keys=client_ids)
        units = functools.partial(bulk.keys_filter, field="unit", keys=unit_ids)
        # The anchors first: the histories read after them cannot change until
        # the import's transaction ends.
        for pk, client_id, unit_id in (
            CareContact.objects.select_for_update()
            .filter(clients(CareContact), units(CareContact))
            .order_by("pk")
            .values_list("pk", "client_id", "unit_id")
        ):
            if (client_id, unit_id) in self._histories:
                self._anchors[(client_id, unit_id)] = pk
        self._service_ends: dict[tuple[int, int], list[dt.date | None]] = {}
        stored = (
            CareContactChange.objects.filter(clients(CareContactChange), units(CareContactChange))
            .order_by("effective", "id")
            .values_list(
                "id", "client_id", "unit_id", "effective", "status", "ordinary_id",
                "deputy_id", "reason", "valid_until",
            )
        )  # fmt: skip
        for pk, client_id, unit_id, day, status, ordinary, deputy, reason, until in stored:
            timeline = self._histories.get((client_id, unit_id))
            if timeline is not None:
                state = history.ContactState(status, ordinary, deputy, reason, pk)
                timeline.add(_Recorded(day, pk, state, pk=pk, valid_until=until))
        for client_id, unit_id, end in Service.objects.filter(
            clients(Service), units(Service)
        ).values_list("client_id", "unit_id", "end"):
            if (client_id, unit_id) in self._histories:
                self._service_ends.setdefault((client_id, unit_id), []).append(end)
        self._memberships = set(
            Staff.units.through.objects.filter(
                bulk.keys_filter(Staff.units.through, "staff", sorted(self._staff)),
                units(Staff.units.through),
            ).values_list("staff_id", "unit_id")
        )

    def stored_on(self, client: Client, unit: Unit, day: dt.date) -> list[history.ContactState]:
        """The changes of ``client`` on ``unit`` dated ``day``, in id order, as
        the database would hold them now had every change been written."""
        return self._histories[(client.pk, unit.pk)].on_day(day)

    def change(
        self,
        *,
        client: Client,
        unit: Unit,
        status: str,
        ordinary: Staff | None = None,
        deputy: Staff | None = None,
        effective: dt.date,
        reason: str = "",
        check_staff: bool = True,
    ) -> CareContactChange | None:
        """care_contact_change (by and source of the batch), in memory: the
        change (saved by ``write``), or None when nothing changes. Raises
        ValidationError as care_contact_change does."""
        reason = (reason or "").strip()
        chosen = [person for person in (ordinary, deputy) if person is not None]
        for person in chosen:
            self._staff.setdefault(person.pk, person)
        _validate_contacts(
            unit=unit,
            status=status,
            ordinary=ordinary,
            deputy=deputy,
            effective=effective,
            check_staff=check_staff,
            unit_staff={p.pk for p in chosen if (p.pk, unit.pk) in self._memberships},
        )
        key = (client.pk, unit.pk)
        self._anchors.setdefault(key, None)  # get_or_create: made by write() when new
        timeline = self._histories[key]
        before = timeline.state_on(effective)
        if _changes_nothing(before, status, ordinary, deputy, reason):
            return None
        change = _new_change(
            before,
            client=client,
            unit=unit,
            effective=effective,
            status=status,
            ordinary=ordinary,
            deputy=deputy,
            reason=reason,
            overridden_warnings="",
            source=self.source,
            by=self.by,
        )
        self._next_order += 1
        timeline.add(
            _Recorded(effective, self._next_order, history.ContactState.of(change), change=change)
        )
        self._made.append(change)
        return change

    def end_after_execution(
        self, *, client: Client, unit: Unit, reason: str = ""
    ) -> CareContactChange | None:
        """care_contact_end_after_execution (by and source of the batch), in memory."""
        timeline = self._histories[(client.pk, unit.pk)]
        last_day = _last_service_day(self._service_ends.get((client.pk, unit.pk), []))
        if last_day is None:
            return None
        after = last_day + dt.timedelta(days=1)
        reason = reason or _execution_end_reason(last_day)
        first: CareContactChange | None = None
        for day in [after, *timeline.dates_after(after)]:
            state = timeline.state_on(day)
            if state.ordinary_id is None and state.deputy_id is None:
                continue
            change = self.change(
                client=client,
                unit=unit,
                status=Status.NOT_ASKED,
                effective=day,
                reason=reason,
                check_staff=False,
            )
            first = first or change
        return first

    @transaction.atomic
    def write(self) -> list[CareContactChange]:
        """Store the anchors and changes made, set the periods of the histories
        they changed, and send care_contacts_changed. Returns the changes."""
        now = timezone.now()
        stamp = bulk.db_datetime(now)
        by_id = self.by.pk if self.by is not None else None
        periods: list[tuple[dt.date | None, int]] = []
        for timeline in self._histories.values():
            if not any(record.change is not None for record in timeline.records):
                continue  # nothing written: link_periods is not run either
            following = [*timeline.records[1:], None]
            for record, after in zip(timeline.records, following, strict=True):
                wanted = after.effective if after is not None else None
                if record.change is not None:
                    record.change.valid_until = wanted
                elif record.valid_until != wanted:
                    assert record.pk is not None
                    periods.append((wanted, record.pk))
        with connection.cursor() as cursor:
            new_anchors = [key for key, pk in self._anchors.items() if pk is None]
            ids = bulk.insert_in_order(
                cursor,
                CareContact._meta.db_table,
                ("client_id", "unit_id", "created_by_id", "created_at"),
                [(client_id, unit_id, by_id, stamp) for client_id, unit_id in new_anchors],
            )
            self._anchors.update(zip(new_anchors, ids, strict=True))
            anchors = {key: pk for key, pk in self._anchors.items() if pk is not None}
            ids = bulk.insert_in_order(
                cursor,
                CareContactChange._meta.db_table,
                _CHANGE_COLUMNS,
                [
                    (
                        anchors[(change.client_id, change.unit_id)],
                        change.client_id,
                        change.unit_id,
                        change.effective,
                        str(change.status),
                        change.ordinary_id,
                        change.deputy_id,
                        str(change.old_status),
                        change.old_ordinary_id,
                        change.old_deputy_id,
                        change.reason,
                        change.overridden_warnings,
                        str(change.source),
                        by_id,
                        stamp,
                        change.valid_until,
                    )
                    for change in self._made
                ],
            )
            if periods:
                cursor.executemany(
                    f"UPDATE {CareContactChange._meta.db_table} SET valid_until = %s WHERE id = %s",
                    periods,
                )
        missing = {
            pk
            for change in self._made
            for pk in (change.old_ordinary_id, change.old_deputy_id)
            if pk is not None and pk not in self._staff
        }
        if missing:
            self._staff.update(Staff.objects.in_bulk(sorted(missing)))
        for change, pk in zip(self._made, ids, strict=True):
            change.pk = pk
            change.care_contact_id = anchors[(change.client_id, change.unit_id)]
            change.changed_at = now
            change._state.adding = False
            change._state.db = connection.alias
            # The people before the change, for the journal text (no query each).
            if change.old_ordinary_id is not None:
                change.old_ordinary = self._staff[change.old_ordinary_id]
            if change.old_deputy_id is not None:
                change.old_deputy = self._staff[change.old_deputy_id]
        if self._made:
            care_contacts_changed.send(sender=CareContact, changes=self._made, by=self.by)
            # The units' reports (contacts.versions): once, as the import's last write.
            versions.bump({change.unit_id for change in self._made})
        return self._made


# The columns of a CareContactChange row written by CareContactChangeBatch.write.
_CHANGE_COLUMNS = (
    "care_contact_id", "client_id", "unit_id", "effective", "status", "ordinary_id",
    "deputy_id", "old_status", "old_ordinary_id", "old_deputy_id", "reason",
    "overridden_warnings", "source", "changed_by_id", "changed_at", "valid_until",
)  # fmt: skip


# --- visits -------------------------------------------------------------------------


# --- lifecycle: moves (handbook 1.10), staff leaving (the provider routine), change
# requests (the guidance for providers) ---------------------------------------------


def _on_unit(client: Client, unit: Unit, on: dt.date) -> bool:
    return Service.objects.filter(Service.ongoing_q(on), client=client, unit=unit).exists()


@transaction.atomic
def client_move(
    *, client: Client, from_unit: Unit, to_unit: Unit, on: dt.date, by: User | None = None
) -> list[Service]:
    """Handbook 1.10: move the client's services on one unit that go on at
    ``on`` or start later to another unit from ``on`` (the first day there),
    exact for any date, past or future.

    Every such service ends on the old unit the day before ``on`` (a service
    that had not begun by then ends before it began: it was never given there)
    and continues on the new unit from ``on`` or its own later start. So the
    execution on the old unit ends the day before the move, and the contact
    there ends on the move date through the same path as any ended execution
    (handbook 1.11: a change in the history, its journal note, the plan ended).
    The client is "not asked" on the new unit unless already on it (handbook
    1.10, 2: a contact on a unit the client does not leave is kept); contacts
    on the client's other units are untouched."""
    if from_unit.pk == to_unit.pk:
        raise ValidationError({"to_unit": [_("Välj en annan enhet än den brukaren flyttar från.")]})
    moving = list(
        Service.objects.select_for_update()
        .filter(client=client, unit=from_unit)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .order_by("start")
    )
    if not moving:
        raise ValidationError(
            {
                "from_unit": [
                    _("Brukaren har ingen pågående eller kommande insats på %(unit)s %(date)s.")
                    % {"unit": from_unit.name, "date": on.isoformat()}
                ]
            }
        )
    already_on_target = _on_unit(client, to_unit, on)
    move = ClientMove.objects.create(
        client=client, from_unit=from_unit, to_unit=to_unit, on=on, moved_by=by
    )
    last_day = on - dt.timedelta(days=1)
    moved: list[Service] = []
    for service in moving:
        new = service_upsert(
            client=client,
            unit=to_unit,
            kind=service.kind,
            start=max(service.start, on),
            end=service.end,
            by=by,
            source=CareContactChange.Source.SYSTEM,
        ).obj
        moved.append(new)
        service.end = last_day
        service.move = move
        service.full_clean()
        service.save(update_fields=["end", "move"])
    _after_service_change(
        client=client,
        unit=from_unit,
        by=by,
        source=CareContactChange.Source.SYSTEM,
        reason=_(
            "Verkställigheten på enheten avslutades %(date)s: brukaren flyttad till "
            "%(unit)s från och med %(on)s."
        )
        % {"date": last_day.isoformat(), "unit": to_unit.name, "on": on.isoformat()},
    )
    state = history.state_on(client=client, unit=to_unit, on=on)
    if not already_on_target and state.status != Status.NOT_ASKED:
        care_contact_change(
            client=client,
            unit=to_unit,
            status=Status.NOT_ASKED,
            effective=on,
            reason=_("Brukaren flyttad från %(unit)s.") % {"unit": from_unit.name},
            by=by,
            source=CareContactChange.Source.SYSTEM,
            check_staff=False,
        )
    CareContact.objects.get_or_create(client=client, unit=to_unit, defaults={"created_by": by})
    client_moved.send(
        sender=Client,
        client=client,
        from_unit=from_unit,
        to_unit=to_unit,
        on=on,
        by=by,
        move=move,
    )
    return moved


# Handbook 1.2: what a unit manager keeps for the staff on their units.
STAFF_DETAIL_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "phone",
    "email",
    "hsa_id",
    "fok_selectable",
    "title_certificate_date",
    "permanent_on_2023_07_01",
)


@transaction.atomic
def staff_update_details(*, staff: Staff, fields: dict[str, Any], by: User | None = None) -> bool:
    """Handbook 1.2: change a staff member's details, with the same validation
    as the import (the model's, through full_clean). Returns whether anything
    changed."""
    unknown = set(fields) - set(STAFF_DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"Not staff details: {sorted(unknown)}")
    locked = Staff.objects.select_for_update().get(pk=staff.pk)
    if not _apply_fields(locked, fields):
        return False
    locked.full_clean()
    locked.save(update_fields=list(fields))
    _apply_fields(staff, fields)
    return True


@transaction.atomic
def staff_update_availability(
    *,
    staff: Staff,
    available: bool,
    employment_end: dt.date | None,
    by: User | None = None,
) -> Staff:
    """Mark staff away (not available) or leaving (employment ends). Their
    clients are listed for reassignment by selectors.staff_assignments."""
    staff.available = available
    staff.employment_end = employment_end
    staff.full_clean()
    staff.save(update_fields=["available", "employment_end"])
    return staff


@dataclass
class Reassignment:
    contact: CareContactChange  # the change in force for the client on the unit
    ordinary: Staff | None
    deputy: Staff | None


@transaction.atomic
def care_contacts_reassign(
    *,
    reassignments: list[Reassignment],
    effective: dt.date,
    handover_note: str,
    by: User | None = None,
) -> list[CareContactChange]:
    """The provider routine: reassign many clients at once (staff leaving or away), each
    with the same rules and journal notes as one change. All or nothing: any
    invalid row rolls every row back; errors are keyed by the CareContact id
    (``contact.care_contact_id``)."""
    handover_note = (handover_note or "").strip()
    if not handover_note:
        raise ValidationError({"handover_note": [_("Skriv en överlämning.")]})
    errors: dict[str, list[str]] = {}
    changes: list[CareContactChange] = []
    for item in reassignments:
        current = item.contact
        try:
            with transaction.atomic():
                change = care_contact_change(
                    client=current.client,
                    unit=current.unit,
                    status=Status.ACCEPTED,
                    ordinary=item.ordinary,
                    deputy=item.deputy,
                    effective=effective,
                    reason=handover_note,
                    by=by,
                )
        except ValidationError as exc:
            errors[str(current.care_contact_id)] = [
                m for ms in exc.message_dict.values() for m in ms
            ]
            continue
        if change is not None:
            changes.append(change)
    if errors:
        raise ValidationError(errors)
    return changes


@transaction.atomic
def contact_change_request_record(
    *,
    client: Client,
    unit: Unit,
    reason: str,
    requested_on: dt.date | None = None,
    by: User | None = None,
) -> ContactChangeRequest:
    """The guidance for providers: the client may ask for another contact. The request is recorded
    (and journaled by the journal app) before the change itself."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Ange varför brukaren vill byta kontakt.")]})
    request = ContactChangeRequest.objects.create(
        client=client,
        unit=unit,
        reason=reason,
        requested_on=requested_on or timezone.localdate(),
        recorded_by=by,
    )
    contact_change_requested.send(sender=ContactChangeRequest, request=request, by=by)
    return request


@transaction.atomic
def contact_change_request_resolve(
    *, request: ContactChangeRequest, change: CareContactChange
) -> ContactChangeRequest:
    request.resolved_by_change = change
    request.save(update_fields=["resolved_by_change"])
    return request


@dataclass
class VisitData:
    """One visit to write. ``fields`` holds the columns given (others keep their
    stored values, or the model defaults for a new visit); ``staff`` and
    ``planned_staff`` are None when not given."""

    visit_id: str
    fields: dict[str, Any]
    staff: list[Staff] | None = None
    planned_staff: list[Staff] | None = None


# The columns a visit import writes, in the order of the rows below.
_VISIT_COLUMNS = (
    "visit_id", "client_id", "unit_id", "start", "end", "status", "kind", "receipt",
    "registered_afterwards", "local_date", "local_time",
)  # fmt: skip
# A new visit's row also holds its team (contacts.visit_team), from the staff
# written with it.
_NEW_VISIT_COLUMNS = (*_VISIT_COLUMNS, "team_size", "team_low", "team_high")


@functools.lru_cache(maxsize=65536)
def _visit_start(vendor: str, start: dt.datetime) -> tuple[str | None, str, str]:
    """The stored start, local date and local time of a start (as
    Visit.save() sets them), computed once per distinct start."""
    local = timezone.localtime(start, STOCKHOLM)
    return bulk._db_datetime(vendor, start), local.date().isoformat(), local.time().isoformat()


@transaction.atomic
def visits_bulk_upsert(
    *, items: list[VisitData], units_touched: set[int] | None = None
) -> dict[str, int]:
    """Create or update many visits (matched on visit_id) in a fixed number of
    queries: an import of a month's visits for a municipality is hundreds of
    thousands of rows. The values are checked by the caller (the import
    parses every cell); the database's constraints guard the rest. Only new
    and changed rows are written, in plain SQL (contacts.bulk), with the
    local date and time that Visit.save() would set. Returns counts of
    created, updated and unchanged.

    The units whose visits were written (for a moved visit, both) are added
    to ``units_touched`` when given, and the caller raises their data
    versions (contacts.versions) at the end of its transaction; otherwise
    they are raised here."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    if not items:
        return counts
    touched: set[int] = set()
    vendor = connection.vendor
    table = Visit._meta.db_table
    relations = {
        "staff": Visit.staff.through._meta.db_table,
        "planned_staff": Visit.planned_staff.through._meta.db_table,
    }
    with connection.cursor() as cursor:
        existing: dict[str, tuple[Any, ...]] = {
            row[1]: row
            for row in bulk.select_by_keys(
                cursor,
                f"SELECT id, visit_id, client_id, unit_id, {bulk.datetime_text_sql('start')}, "
                f"{bulk.datetime_text_sql('end')}, status, kind, receipt, "
                f"registered_afterwards FROM {table} WHERE {{keys}}",
                "visit_id",
                [item.visit_id for item in items],
            )
        }
        current: dict[str, dict[int, set[int]]] = {name: {} for name in relations}
        pks = [row[0] for row in existing.values()]
        for name, through in relations.items():
            if not any(getattr(item, name) is not None for item in items):
                continue
            held = current[name]
            for visit_pk, staff_pk in bulk.select_by_keys(
                cursor,
                f"SELECT visit_id, staff_id FROM {through} WHERE {{keys}}",
                "visit_id",
                pks,
                "::integer",
            ):
                held.setdefault(visit_pk, set()).add(staff_pk)

        rows: list[tuple[Any, ...]] = []
        new_rows: list[tuple[Any, ...]] = []
        people: dict[str, list[tuple[str, int]]] = {name: [] for name in relations}
        gone: dict[str, list[tuple[int, int]]] = {name: [] for name in relations}
        # Visits already written whose staff change: their team is recomputed.
        new_teams: list[int] = []
        text = bulk.datetime_text
        stored_db = bulk._db_datetime
        for item in items:
            fields = item.fields
            stored = existing.get(item.visit_id)
            if stored is None:
                values = (
                    fields["client"].id,
                    fields["unit"].id,
                    fields["start"],
                    fields.get("end"),
                    fields["status"],
                    fields.get("kind", Visit.Kind.CARE),
                    fields.get("receipt", Visit.Receipt.NONE),
                    fields.get("registered_afterwards", False),
                )
                state = "created"
            else:
                # The stored values and the file's, date-times compared as text.
                before = stored[2:]
                merged = list(before)
                for index, name in enumerate(_VISIT_FIELDS):
                    if name in fields:
                        value = fields[name]
                        if index < 2:
                            value = value.id
                        elif index < 4:
                            value = text(vendor, value)
                        merged[index] = value
                state = "unchanged" if tuple(merged) == before else "updated"
                if state == "updated":
                    # The file's date-times, or the stored ones where not given.
                    values = (
                        *merged[:2],
                        fields["start"] if "start" in fields else _parse_text(merged[2]),
                        fields["end"] if "end" in fields else _parse_text(merged[3]),
                        *merged[4:],
                    )
            if state != "unchanged":
                start, local_date, local_time = _visit_start(vendor, values[2])
                row = (
                    item.visit_id,
                    values[0],
                    values[1],
                    start,
                    stored_db(vendor, values[3]),
                    str(values[4]),
                    str(values[5]),
                    str(values[6]),
                    values[7],
                    local_date,
                    local_time,
                )
                if stored is None:
                    new_rows.append((*row, *visit_team.summary(s.id for s in item.staff or ())))
                else:
                    rows.append(row)
            for name in relations:
                staff = getattr(item, name)
                if staff is None:
                    continue
                wanted = {s.id for s in staff}
                have = current[name].get(stored[0], set()) if stored is not None else set()
                if wanted == have:
                    continue
                people[name].extend((item.visit_id, pk) for pk in wanted - have)
                if stored is not None:
                    gone[name].extend((stored[0], pk) for pk in have - wanted)
                    if name == "staff":
                        new_teams.append(stored[0])
                if state == "unchanged":
                    state = "updated"
            counts[state] += 1
            if state != "unchanged":
                if "unit" in fields:
                    touched.add(fields["unit"].id)
                if stored is not None:
                    touched.add(stored[3])  # the unit it had

        pk_of = {row[1]: row[0] for row in existing.values()}
        pk_of.update(bulk.insert_new(cursor, table, "visit_id", _NEW_VISIT_COLUMNS, new_rows))
        if rows:
            bulk.load_temp(
                cursor,
                "import_visit",
                f"SELECT {', '.join(connection.ops.quote_name(c) for c in _VISIT_COLUMNS)} "
                f"FROM {table} WHERE 1 = 0",
                _VISIT_COLUMNS,
                rows,
            )
            bulk.upsert_from_temp(cursor, table, "import_visit", _VISIT_COLUMNS, "visit_id")
        for name, through in relations.items():
            if gone[name]:
                cursor.executemany(
                    f"DELETE FROM {through} WHERE visit_id = %s AND staff_id = %s", gone[name]
                )
            bulk.insert_rows(
                cursor,
                through,
                ("visit_id", "staff_id"),
                [(pk_of[visit_id], staff_pk) for visit_id, staff_pk in people[name]],
            )
    visit_team.refresh(new_teams)
    if units_touched is None:
        versions.bump(touched)
    else:
        units_touched |= touched
    return counts


def _parse_text(value: str | None) -> dt.datetime | None:
    """A date-time as bulk.datetime_text wrote it (UTC)."""
    if value is None:
        return None
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


# The visit's fields in the order of the compared values in visits_bulk_upsert.
_VISIT_FIELDS = (
    "client", "unit", "start", "end", "status", "kind", "receipt", "registered_afterwards",
)  # fmt: skip
