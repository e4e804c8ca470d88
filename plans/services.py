"""Every write of implementation plans goes through these functions."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import CareContactChange, Client, Service, Unit
from contacts.services import edit_conflict

from .models import ImplementationPlan

# The fields a user fills in; contacts are never typed in, they follow the
# client's care contact on the unit.
PLAN_FIELDS = (
    "period_start",
    "period_end",
    "established",
    "revised",
    "participated",
    "participation_comment",
    "important_information",
    "follow_up_date",
)


def _validate(plan: ImplementationPlan, *, today: dt.date) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    start, end = plan.period_start, plan.period_end
    if start is None:
        add("period_start", _("Ange när perioden börjar."))
    if end is not None and start is not None and end < start:
        add("period_end", _("Perioden kan inte sluta före den börjar."))
    if plan.established is None:
        add("established", _("Ange när planen upprättades."))
    elif plan.established > today:
        add("established", _("Datumet då planen upprättades kan inte vara i framtiden."))
    if plan.revised is not None:
        if plan.revised > today:
            add("revised", _("Datumet för revideringen kan inte vara i framtiden."))
        if plan.established is not None and plan.revised < plan.established:
            add("revised", _("Planen kan inte ha reviderats före den upprättades."))
    if plan.follow_up_date is not None and start is not None:
        if plan.follow_up_date < start:
            add("follow_up_date", _("Uppföljningen kan inte vara före periodens början."))
        elif end is not None and plan.follow_up_date > end:
            add("follow_up_date", _("Uppföljningen ska ligga inom planens period."))
    if plan.participated is None:
        add("participated", _("Ange om brukaren har varit delaktig."))
    elif plan.participated is False and not plan.participation_comment.strip():
        add(
            "participation_comment",
            _("Beskriv varför brukaren inte har varit delaktig."),
        )
    if errors:
        raise ValidationError(errors)


def _check_no_overlap(plan: ImplementationPlan) -> None:
    """One active plan per client and unit: no two periods may share a day."""
    others = ImplementationPlan.objects.filter(client=plan.client, unit=plan.unit).exclude(
        pk=plan.pk
    )
    # [start, end] overlaps [s, e] when start <= e and s <= end (open end = infinity).
    overlap = others.filter(Q(period_end__isnull=True) | Q(period_end__gte=plan.period_start))
    if plan.period_end is not None:
        overlap = overlap.filter(period_start__lte=plan.period_end)
    clash = overlap.order_by("period_start").first()
    if clash is not None:
        raise ValidationError(
            {
                "period_start": [
                    _(
                        "Brukaren har redan en genomförandeplan på %(unit)s för perioden "
                        "%(start)s – %(end)s. Avsluta den innan en ny plan läggs upp."
                    )
                    % {
                        "unit": plan.unit.name,
                        "start": clash.period_start.isoformat(),
                        "end": clash.period_end.isoformat()
                        if clash.period_end
                        else _("tillsvidare"),
                    }
                ]
            }
        )


def _lock_client(client: Client) -> None:
    # Serialises plan writes per client, so two simultaneous "new plan" posts
    # cannot both pass the overlap check.
    Client.objects.select_for_update().filter(pk=client.pk).exists()


def _fill(plan: ImplementationPlan, fields: dict[str, object], *, today: dt.date) -> None:
    """Set the fields a user fills in, tidy the texts and check the rules."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.participation_comment = (plan.participation_comment or "").strip()
    plan.important_information = (plan.important_information or "").strip()
    _validate(plan, today=today)


@transaction.atomic
def plan_create(
    *,
    client: Client,
    unit: Unit,
    by: User | None,
    today: dt.date | None = None,
    **fields: object,
) -> ImplementationPlan:
    """A new plan for the client on the unit, showing the current contacts at once."""
    today = today or timezone.localdate()
    _lock_client(client)
    plan = ImplementationPlan(client=client, unit=unit, created_by=by)
    _fill(plan, fields, today=today)
    if not Service.objects.filter(client=client, unit=unit).exists():
        raise ValidationError(
            {"unit": [_("Brukaren har ingen insats på %(unit)s.") % {"unit": unit.name}]}
        )
    _check_no_overlap(plan)
    plan.full_clean()
    plan.save()
    return plan


def _check_version(plan: ImplementationPlan, expected_version: int | None) -> None:
    """Refuse a save based on a version of the plan older than the stored one."""
    if expected_version is not None and plan.version != expected_version:
        raise edit_conflict(plan.changed_by or plan.created_by, plan.updated_at)


@transaction.atomic
def plan_update(
    *,
    plan: ImplementationPlan,
    by: User | None,
    today: dt.date | None = None,
    expected_version: int | None = None,
    **fields: object,
) -> ImplementationPlan:
    """Save the user's fields. ``expected_version`` is the version the edit form
    showed: when someone saved the plan since, EditConflict is raised."""
    today = today or timezone.localdate()
    _lock_client(plan.client)
    plan = ImplementationPlan.objects.select_for_update().get(pk=plan.pk)
    _check_version(plan, expected_version)
    _fill(plan, fields, today=today)
    _check_no_overlap(plan)
    plan.version += 1
    plan.changed_by = by
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_end(
    *,
    plan: ImplementationPlan,
    end: dt.date,
    by: User | None,
    expected_version: int | None = None,
) -> ImplementationPlan:
    """Avsluta: the plan's period ends on ``end`` (the last day it applies)."""
    _lock_client(plan.client)
    plan = ImplementationPlan.objects.select_for_update().get(pk=plan.pk)
    _check_version(plan, expected_version)
    if plan.period_end is not None:
        raise ValidationError(
            {"end": [_("Planen är redan avslutad %(date)s.") % {"date": plan.period_end}]}
        )
    if end < plan.period_start:
        raise ValidationError({"end": [_("Planen kan inte avslutas före periodens början.")]})
    plan.period_end = end
    plan.changed_by = by
    plan.version += 1
    update = ["period_end", "changed_by", "updated_at", "version"]
    if plan.follow_up_date is not None and plan.follow_up_date > end:
        # A follow-up after the end would never happen: drop it with the plan.
        plan.follow_up_date = None
        update.append("follow_up_date")
    plan.save(update_fields=update)
    return plan


def _open_plans(client: Client, unit: Unit, on: dt.date):  # type: ignore[no-untyped-def]
    # Plans that apply on ``on`` or later: the active one and any planned ahead.
    return ImplementationPlan.objects.select_for_update().filter(
        Q(period_end__isnull=True) | Q(period_end__gte=on), client=client, unit=unit
    )


def _open_on(plan: ImplementationPlan, on: dt.date) -> bool:
    """The condition of _open_plans for one plan in memory."""
    return plan.period_end is None or plan.period_end >= on


def updates_plans(change: CareContactChange) -> bool:
    """Does the change reach the client's plans on the unit (handbook 1.7)?
    A new ordinary or deputy does; a change of status alone does not."""
    return change.ordinary_changed or change.deputy_changed


@transaction.atomic
def plan_update_contacts(*, change: CareContactChange) -> list[ImplementationPlan]:
    """Handbook 1.7: the implementation plan shows the current contacts.

    Called by plans.receivers inside the care-contact change's transaction for
    a new ordinary or deputy. The contacts a plan shows are read from the
    history (plans.selectors.with_contacts); this records on every plan that
    is open on the change's date or later that its contacts were updated, and
    by which change, so the plan says "updated automatically"."""
    plans = list(_open_plans(change.client, change.unit, change.effective))
    for plan in plans:
        plan.contacts_change = change
        plan.contacts_updated_at = timezone.now()
        plan.save(update_fields=["contacts_change", "contacts_updated_at", "updated_at"])
    return plans


@transaction.atomic
def plans_update_contacts_bulk(*, changes: list[CareContactChange]) -> list[ImplementationPlan]:
    """plan_update_contacts for each change that updates_plans, in the order of
    the changes (a contact import), in two queries: each plan open on a
    change's date or later ends up recording the last such change, as it does
    after one call per change."""
    changes = [change for change in changes if updates_plans(change)]
    pairs = {(change.client_id, change.unit_id) for change in changes}
    if not pairs:
        return []
    by_pair: dict[tuple[int, int], list[ImplementationPlan]] = {}
    client_ids = sorted({client_id for client_id, _unit_id in pairs})
    unit_ids = sorted({unit_id for _client_id, unit_id in pairs})
    for start in range(0, len(client_ids), 5000):
        for plan in ImplementationPlan.objects.select_for_update().filter(
            client_id__in=client_ids[start : start + 5000], unit_id__in=unit_ids
        ):
            if (plan.client_id, plan.unit_id) in pairs:
                by_pair.setdefault((plan.client_id, plan.unit_id), []).append(plan)
    now = timezone.now()
    updated: dict[int, ImplementationPlan] = {}
    for change in changes:
        for plan in by_pair.get((change.client_id, change.unit_id), []):
            if _open_on(plan, change.effective):
                plan.contacts_change = change
                plan.contacts_updated_at = now
                plan.updated_at = now
                updated[plan.pk] = plan
    plans = list(updated.values())
    ImplementationPlan.objects.bulk_update(
        plans, ["contacts_change", "contacts_updated_at", "updated_at"]
    )
    return plans


@transaction.atomic
def plans_end_after_execution(
    *, client: Client, unit: Unit, last_day: dt.date, by: User | None = None
) -> list[ImplementationPlan]:
    """Handbook 1.11: when the execution on a unit ends, a plan still active
    there ends on the same day (plans that would start later are left alone)."""
    ended = []
    plans = ImplementationPlan.objects.select_for_update().filter(
        Q(period_end__isnull=True) | Q(period_end__gt=last_day),
        client=client,
        unit=unit,
        period_start__lte=last_day,
    )
    for plan in plans:
        plan.period_end = last_day
        plan.changed_by = by
        plan.version += 1
        update = ["period_end", "changed_by", "updated_at", "version"]
        if plan.follow_up_date is not None and plan.follow_up_date > last_day:
            plan.follow_up_date = None
            update.append("follow_up_date")
        plan.save(update_fields=update)
        ended.append(plan)
    return ended
