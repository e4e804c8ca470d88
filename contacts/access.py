"""Every "may this user do or see X" decision of the app.

Two questions are answered here and nowhere else:

* **What may the user do?** Each decision asks for a permission (``Perm``),
  which the role groups get from ``contacts.roles.ROLE_PERMISSIONS``. Group
  names are never consulted, so renaming a group in the admin changes nothing.
* **Which objects may the user reach?** Units the user belongs to (all units
  for administrators), and on them a client only while the client has an
  ongoing service there or for ``OMSORG_ACCESS_GRACE_DAYS`` after the last one
  ended (need-to-know; to finish the documentation). Objects outside give 404,
  never a hint that they exist.

Views call these functions (or decorate themselves with ``requires``);
templates get their flags from ``flags`` through the context processor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Client, Service, Staff, Unit

AnyUser = User | AnonymousUser


class Perm:
    """The permissions the decisions below ask for ("app_label.codename")."""

    ALL_UNITS = "contacts.view_all_units"
    READ_CLIENTS = "contacts.view_client"
    READ_RELATIVES = "contacts.view_relative"
    READ_CONTACT_HISTORY = "contacts.view_carecontactchange"
    CHANGE_CONTACTS = "contacts.change_carecontact"
    VIEW_STAFF = "contacts.view_staff"
    READ_JOURNAL = "journal.view_journalnote"
    WRITE_JOURNAL = "journal.add_journalnote"
    READ_PLANS = "plans.view_implementationplan"
    WRITE_PLANS = "plans.change_implementationplan"
    FOK_STATISTICS = "contacts.view_fok_statistics"
    CONTINUITY_REPORTS = "contacts.view_continuity_reports"
    IMPORT = "contacts.import_data"
    ACCESS_LOG = "audit.view_accesslogentry"


def _has(user: AnyUser, perm: str) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    # A page asks about twenty of these, and each has_perm() call builds every
    # authentication backend anew (a sixth of a page's time): the answers are
    # kept on the user object, which lives for one request, like the
    # permission cache Django itself keeps there.
    decisions = user.__dict__.setdefault("_access_decisions", {})
    key = (perm, user.is_superuser)
    if key not in decisions:
        decisions[key] = user.has_perm(perm)
    return bool(decisions[key])


# --- what the user may do --------------------------------------------------------------


def sees_all_units(user: AnyUser) -> bool:
    """Administrators: every unit and every client, past or present."""
    return _has(user, Perm.ALL_UNITS)


def may_read_clients(user: AnyUser) -> bool:
    """Client records (and their tabs, history, letters). Not the statistics
    reader, who sees the client lists of handbook 1.8 only."""
    return _has(user, Perm.READ_CLIENTS)


def may_read_relatives(user: AnyUser) -> bool:
    return may_read_clients(user) and _has(user, Perm.READ_RELATIVES)


def may_read_contact_history(user: AnyUser) -> bool:
    """The history page (changes on the user's own units only, handbook 1.5)."""
    return may_read_clients(user) and _has(user, Perm.READ_CONTACT_HISTORY)


def may_change_contacts(user: AnyUser) -> bool:
    """The role part of can_change_contacts (no unit check), for showing buttons."""
    return _has(user, Perm.CHANGE_CONTACTS)


def may_view_staff(user: AnyUser) -> bool:
    """Staff pages and worklists: unit managers, coordinators, administrators."""
    return _has(user, Perm.VIEW_STAFF)


def may_read_journal(user: AnyUser) -> bool:
    return may_read_clients(user) and _has(user, Perm.READ_JOURNAL)


def may_write_journal(user: AnyUser) -> bool:
    """The roles that document: unit managers, coordinators and care staff."""
    return may_read_journal(user) and _has(user, Perm.WRITE_JOURNAL)


def may_read_plans(user: AnyUser) -> bool:
    return may_read_clients(user) and _has(user, Perm.READ_PLANS)


def may_write_plans(user: AnyUser) -> bool:
    """The role part of can_edit_plans (no unit check), for showing buttons:
    the unit manager and the coordinator (the provider routine)."""
    return may_read_plans(user) and _has(user, Perm.WRITE_PLANS)


def may_view_statistics(user: AnyUser) -> bool:
    """Handbook 1.8, "Sök fast omsorgskontakt"."""
    return _has(user, Perm.FOK_STATISTICS)


def may_view_continuity_reports(user: AnyUser) -> bool:
    """Continuity, KKiK, the visit overview and visit planning."""
    return _has(user, Perm.CONTINUITY_REPORTS)


def may_import(user: AnyUser) -> bool:
    return _has(user, Perm.IMPORT)


def may_view_access_log(user: AnyUser) -> bool:
    return _has(user, Perm.ACCESS_LOG)


def flags(user: AnyUser) -> dict[str, bool]:
    """What the menu and the pages show, for templates (context processor)."""
    return {
        "is_administrator": sees_all_units(user),
        "can_read_clients": may_read_clients(user),
        "can_read_relatives": may_read_relatives(user),
        "can_read_history": may_read_contact_history(user),
        "can_read_journal": may_read_journal(user),
        "can_write_journal": may_write_journal(user),
        "can_read_plans": may_read_plans(user),
        "can_change_contacts": may_change_contacts(user),
        "can_view_staff": may_view_staff(user),
        "can_view_statistics": may_view_statistics(user),
        "can_view_reports": may_view_continuity_reports(user),
        "can_import": may_import(user),
        "can_view_access_log": may_view_access_log(user),
        "can_open_admin": bool(user.is_authenticated and user.is_staff),
    }


View = TypeVar("View", bound=Callable[..., Any])


def requires(check: Callable[[AnyUser], bool]) -> Callable[[View], View]:
    """View decorator: 403 unless ``check(request.user)``. Put it under
    @login_required, so an anonymous visitor is sent to the login page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def require(allowed: bool) -> None:
    """403 unless ``allowed`` (for decisions that need an object)."""
    if not allowed:
        raise PermissionDenied


# --- which objects the user may reach ---------------------------------------------------


def grace_days() -> int:
    return max(0, int(settings.OMSORG_ACCESS_GRACE_DAYS))


def reachable_services_q(on: dt.date | None = None, prefix: str = "") -> Q:
    """Services that still give access on ``on`` (default today): not ended, or
    ended at most the grace period before. A service that starts later gives
    access already (the unit prepares the start)."""
    on = on or timezone.localdate()
    since = on - dt.timedelta(days=grace_days())
    return Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": since})


def units_for_user(user: AnyUser) -> QuerySet[Unit]:
    if not user.is_authenticated:
        return Unit.objects.none()
    if sees_all_units(user):
        return Unit.objects.all()
    return Unit.objects.filter(members=user)


def clients_for_user(user: AnyUser, on: dt.date | None = None) -> QuerySet[Client]:
    """Clients whose record the user may open (need-to-know, see the module)."""
    if not may_read_clients(user):
        return Client.objects.none()
    if sees_all_units(user):
        return Client.objects.all()
    services = Service.objects.filter(
        reachable_services_q(on), unit__in=units_for_user(user)
    ).values("client_id")
    return Client.objects.filter(pk__in=services)


def reachable_client_ids(user: AnyUser, ids: Any) -> set[int]:
    """Of ``ids``, the clients the user may open (to link report rows): one query."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return set()
    return set(clients_for_user(user).filter(pk__in=ids).values_list("pk", flat=True))


def reachable_units_for_client(
    user: AnyUser, client: Client, on: dt.date | None = None
) -> QuerySet[Unit]:
    """The user's units through which the user reaches the client (ongoing
    service, or ended within the grace period): where notes can be filed and
    letters and plans read. Administrators: every unit the client was ever on."""
    services = Service.objects.filter(client=client)
    if not sees_all_units(user):
        services = services.filter(reachable_services_q(on))
    return units_for_user(user).filter(pk__in=services.values("unit_id"))


def reachable_on_unit_q(user: AnyUser, client_ref: str = "client", unit_ref: str = "unit") -> Q:
    """For rows that belong to a client on a unit (plans, journal notes): the
    user belongs to the unit and reaches the client through it. Administrators:
    every row."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if sees_all_units(user):
        return Q()
    services = Service.objects.filter(
        reachable_services_q(),
        client=OuterRef(client_ref),
        unit=OuterRef(unit_ref),
        unit__members=user,
    )
    return Q(Exists(services))


def staff_for_user(user: AnyUser) -> QuerySet[Staff]:
    units = units_for_user(user)
    return Staff.objects.filter(units__in=units).distinct()


def get_unit_for_user(user: AnyUser, pk: int) -> Unit:
    return get_object_or_404(units_for_user(user), pk=pk)


def get_client_for_user(user: AnyUser, pk: int) -> Client:
    return get_object_or_404(clients_for_user(user), pk=pk)


def get_staff_for_user(user: AnyUser, pk: int) -> Staff:
    return get_object_or_404(staff_for_user(user), pk=pk)


def client_units_for_user(user: AnyUser, client: Client, on: dt.date) -> QuerySet[Unit]:
    """The user's units on which the client has an ongoing service on ``on``."""
    return units_for_user(user).filter(
        pk__in=Service.objects.filter(Service.ongoing_q(on), client=client).values("unit_id")
    )


def can_change_contacts(user: AnyUser, unit: Unit) -> bool:
    return may_change_contacts(user) and units_for_user(user).filter(pk=unit.pk).exists()


def require_change_contacts(user: AnyUser, unit: Unit) -> None:
    require(can_change_contacts(user, unit))


def can_edit_plans(user: AnyUser, unit: Unit) -> bool:
    return may_write_plans(user) and units_for_user(user).filter(pk=unit.pk).exists()


def require_edit_plans(user: AnyUser, unit: Unit) -> None:
    require(can_edit_plans(user, unit))


# --- moves (handbook 1.10) ----------------------------------------------------------------


def move_source_units(user: AnyUser, client: Client, on: dt.date) -> QuerySet[Unit]:
    """The user's units the client may be moved from: where the user may change
    contacts and the client has a service that is ongoing on ``on`` or starts
    later (a move may be dated before a service begins)."""
    if not may_change_contacts(user):
        return Unit.objects.none()
    services = Service.objects.filter(Q(end__isnull=True) | Q(end__gte=on), client=client)
    return units_for_user(user).filter(pk__in=services.values("unit_id"))


def move_target_units(user: AnyUser, from_unit: Unit | None = None) -> QuerySet[Unit]:
    """Units the user may move a client to: any unit of the organisation (the
    providers of the user's own units, and the user's own units), never the
    unit moved from. Administrators: every unit. The receiving unit's members
    are told on their start page (contacts.selectors.recent_moves_in)."""
    if not may_change_contacts(user):
        return Unit.objects.none()
    if sees_all_units(user):
        units = Unit.objects.all()
    else:
        own = units_for_user(user)
        providers = own.filter(provider__isnull=False).values("provider_id")
        units = Unit.objects.filter(Q(pk__in=own.values("pk")) | Q(provider_id__in=providers))
    if from_unit is not None:
        units = units.exclude(pk=from_unit.pk)
    return units


def may_move(user: AnyUser, from_unit: Unit, to_unit: Unit) -> bool:
    return (
        can_change_contacts(user, from_unit)
        and move_target_units(user, from_unit).filter(pk=to_unit.pk).exists()
    )


# --- staff administration (handbook 1.2) ------------------------------------------------


def may_manage_staff(user: AnyUser, staff: Staff) -> bool:
    """Handbook 1.2, the role "EC.Utförare": a unit manager keeps the staff on
    their units (availability, phone, e-mail, title evidence, selectable as
    care contact). Administrators use the Django admin as well."""
    return (
        may_change_contacts(user)
        and staff.units.filter(pk__in=units_for_user(user).values("pk")).exists()
    )


def get_job_for_user(user: AnyUser, pk: int) -> Any:
    """A background job (report PDF, import): only the user who started it
    sees its progress and its file; anyone else gets 404. The job's work
    checks the owner's permissions again when it runs (jobs.services)."""
    from jobs.models import Job  # jobs depends on this module, not the reverse

    if not user.is_authenticated or not user.is_active:
        raise Http404
    return get_object_or_404(Job.objects.defer("payload"), pk=pk, user_id=user.pk)
