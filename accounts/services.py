"""Writing user accounts: the user import and sign-in with OpenID Connect both
go through users_bulk_upsert, so a role, a unit or a deactivation means the
same whichever way it arrives.

A user is never deleted: a deactivated account (``is_active`` false) cannot
sign in and keeps everything it is named in (changes of care contacts, journal
notes, plans)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from contacts import bulk
from contacts.models import Staff, Unit
from contacts.roles import Role

User = get_user_model()

# The fields a user row may set; only those present in UserData.fields change.
USER_FIELDS = ("first_name", "last_name", "email", "is_active", "is_staff")

T = TypeVar("T")


class _Keep:
    """Leave what is stored as it is (a column left out of the file)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


@dataclass
class UserData:
    username: str
    # Subset of USER_FIELDS to set.
    fields: dict[str, Any] = field(default_factory=dict)
    # The user's roles (exactly these of the Role groups), or KEEP.
    roles: Any = KEEP
    # The units the user belongs to (exactly these), or KEEP.
    units: Any = KEEP
    # The staff record that is this user (Staff.user), None for none, or KEEP.
    staff: Any = KEEP


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # username (as given) -> the user
    users: dict[str, Any] = field(default_factory=dict)


def username_key(username: str) -> str:
    """Usernames are matched without regard to case (a provider may send
    "Anna.Ek@kommun.se" for the account imported as "anna.ek@kommun.se")."""
    return username.casefold()


def _chunks(values: Sequence[T], size: int = 900) -> Iterable[Sequence[T]]:
    # Below SQLite's older limit of 999 variables per statement.
    for start in range(0, len(values), size):
        yield values[start : start + size]


def users_by_username(usernames: Iterable[str]) -> dict[str, Any]:
    """Existing users by username_key, whatever the case of the name, in one
    query (the names as one array parameter, contacts.bulk.keys_filter: an
    import of 10,000 users spent a quarter of its time building and binding
    twelve queries of 1,800 parameters each)."""
    names = set(usernames)
    # As given, and in lower case: SQLite's LOWER() lowers ASCII letters only,
    # so "ÅSA" is found by the name as given, "Anna" by "anna".
    keys = sorted(names | {name.lower() for name in names})
    found: dict[str, Any] = {}
    if not keys:
        return found
    query = User.objects.filter(
        Q(bulk.keys_filter(User, "username", keys))
        | Q(bulk.keys_filter(User, "username", keys, lower=True))
    )
    for user in query:
        found.setdefault(username_key(user.username), user)
    return found


def role_groups() -> dict[str, Group]:
    return {group.name: group for group in Group.objects.filter(name__in=Role.values)}


def _unusable_password() -> str:
    """What make_password(None) stores (the prefix that makes it unusable and
    a random suffix of 40 characters), from one read of the system's random
    source instead of one per character: an import creates thousands."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


@dataclass(slots=True)
class _NewUser:
    """A user this call inserts: what the rest of it needs (the id, once
    inserted), without a model instance for each of thousands of rows."""

    username: str
    password: str
    fields: dict[str, Any]
    pk: int | None = None
    date_joined: Any = None


@transaction.atomic
def users_bulk_upsert(
    *,
    items: Sequence[UserData],
    existing: dict[str, Any] | None = None,
    return_users: bool = True,
) -> UpsertResult:
    """Create or update users, their roles, units and staff record, in a fixed
    number of queries whatever the number of items. Callers check the data
    first (unique usernames, known units, staff records free to link).
    ``existing``: what users_by_username gave for these items, when the
    caller has read it already (it is not changed). ``return_users``: fill
    ``result.users`` (the sign-in needs its user; an import only the counts).

    New users and new memberships go in with contacts.bulk (COPY on
    PostgreSQL), and the memberships of users created here are not looked up:
    they have none. No signals are sent, as with bulk_create."""
    result = UpsertResult()
    existing = (
        dict(existing)
        if existing is not None
        else users_by_username(item.username for item in items)
    )
    changed: set[str] = set()

    # Users: new ones in one insert, changed ones in one update.
    new_users: list[_NewUser] = []
    updates: dict[str, set[str]] = {}
    for item in items:
        key = username_key(item.username)
        user = existing.get(key)
        if user is None:
            new = _NewUser(item.username, _unusable_password(), item.fields)
            new_users.append(new)
            existing[key] = new
            continue
        for name, value in item.fields.items():
            if getattr(user, name) != value:
                setattr(user, name, value)
                updates.setdefault(key, set()).add(name)
    _insert_users(new_users)
    if updates:
        fields = sorted(set().union(*updates.values()))
        User.objects.bulk_update([existing[key] for key in updates], fields, batch_size=500)
        changed.update(updates)
    users = {username_key(item.username): existing[username_key(item.username)] for item in items}
    created_ids = {user.pk for user in new_users if user.pk is not None}

    changed |= _set_roles(items, users, created_ids)
    changed |= _set_units(items, users, created_ids)
    changed |= _set_staff(items, users)

    created_keys = {username_key(user.username) for user in new_users}
    for item in items:
        key = username_key(item.username)
        if return_users:
            result.users[item.username] = _model(users[key])
        if key in created_keys:
            result.created += 1
        elif key in changed:
            result.updated += 1
        else:
            result.unchanged += 1
    return result


# The columns of a new user, as User() fills them in.
_USER_COLUMNS = (
    "username",
    "password",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "is_superuser",
    "date_joined",
    "last_login",
)


def _user_defaults() -> dict[str, Any]:
    """What User() fills in for the columns a row does not give."""
    return {
        field.name: field.get_default()
        for field in User._meta.concrete_fields
        if field.name in _USER_COLUMNS[2:8]
    }


def _insert_users(new_users: list[_NewUser]) -> None:
    """Insert the new users (one time of joining for the whole call) and give
    each its id."""
    if not new_users:
        return
    joined = timezone.now()
    stored_joined = bulk.db_datetime(joined, connection.vendor)
    defaults = _user_defaults()
    rows = []
    for new in new_users:
        values = {**defaults, **new.fields} if new.fields else defaults
        rows.append(
            (
                new.username,
                new.password,
                *(values[name] for name in _USER_COLUMNS[2:8]),
                stored_joined,
                None,
            )
        )
    with connection.cursor() as cursor:
        ids = bulk.insert_new(cursor, User._meta.db_table, "username", _USER_COLUMNS, rows)
    for new in new_users:
        new.pk = ids[new.username]
        new.date_joined = joined


def _model(user: Any) -> Any:
    """The User of a user this call inserted (or the stored one as it is)."""
    if not isinstance(user, _NewUser):
        return user
    instance = User(
        pk=user.pk,
        username=user.username,
        password=user.password,
        date_joined=user.date_joined,
        last_login=None,
        **{**_user_defaults(), **user.fields},
    )
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def _memberships(through: Any, column: str, user_ids: list[int]) -> Iterable[tuple[int, int, int]]:
    """(row id, user id, ``column``) of the through table ``through`` for the users."""
    if not user_ids:
        return []
    return (
        through.objects.filter(bulk.keys_filter(through, "user", user_ids))
        .order_by()
        .values_list("pk", "user_id", column)
    )


def _apply_memberships(
    through: Any, column: str, remove: list[int], add: list[tuple[int, int]]
) -> None:
    for chunk in _chunks(remove):
        through.objects.filter(pk__in=chunk).delete()
    if add:
        with connection.cursor() as cursor:
            bulk.insert_rows(cursor, through._meta.db_table, ("user_id", column), add)


def _set_roles(items: Sequence[UserData], users: dict[str, Any], created_ids: set[int]) -> set[str]:
    wanted_by_user = {
        users[username_key(item.username)].pk: set(item.roles)
        for item in items
        if item.roles is not KEEP
    }
    if not wanted_by_user:
        return set()
    groups = role_groups()
    group_names = {group.pk: name for name, group in groups.items()}
    Through = User.groups.through
    current: dict[int, dict[str, int]] = {pk: {} for pk in wanted_by_user}
    for pk, user_id, group_id in _memberships(
        Through, "group_id", [pk for pk in wanted_by_user if pk not in created_ids]
    ):
        if group_id in group_names:
            current[user_id][group_names[group_id]] = pk
    remove: list[int] = []
    add: list[tuple[int, int]] = []
    touched: set[int] = set()
    for user_id, wanted in wanted_by_user.items():
        have = current[user_id]
        for name, through_pk in have.items():
            if name not in wanted:
                remove.append(through_pk)
                touched.add(user_id)
        for name in wanted - have.keys():
            add.append((user_id, groups[name].pk))
            touched.add(user_id)
    _apply_memberships(Through, "group_id", remove, add)
    return _keys_of(touched, users)


def _set_units(items: Sequence[UserData], users: dict[str, Any], created_ids: set[int]) -> set[str]:
    wanted_by_user = {
        users[username_key(item.username)].pk: {unit.pk for unit in item.units}
        for item in items
        if item.units is not KEEP
    }
    if not wanted_by_user:
        return set()
    Through = Unit.members.through
    current: dict[int, dict[int, int]] = {pk: {} for pk in wanted_by_user}
    for pk, user_id, unit_id in _memberships(
        Through, "unit_id", [pk for pk in wanted_by_user if pk not in created_ids]
    ):
        current[user_id][unit_id] = pk
    remove: list[int] = []
    add: list[tuple[int, int]] = []
    touched: set[int] = set()
    for user_id, wanted in wanted_by_user.items():
        have = current[user_id]
        for unit_id, through_pk in have.items():
            if unit_id not in wanted:
                remove.append(through_pk)
                touched.add(user_id)
        for unit_id in wanted - have.keys():
            add.append((user_id, unit_id))
            touched.add(user_id)
    _apply_memberships(Through, "unit_id", remove, add)
    return _keys_of(touched, users)


def _set_staff(items: Sequence[UserData], users: dict[str, Any]) -> set[str]:
    wanted_by_user = {
        users[username_key(item.username)].pk: (item.staff.pk if item.staff else None)
        for item in items
        if item.staff is not KEEP
    }
    if not wanted_by_user:
        return set()
    user_ids = list(wanted_by_user)
    current: dict[int, int] = {}  # user -> staff
    for chunk in _chunks(user_ids):
        for staff_pk, user_id in Staff.objects.filter(user_id__in=chunk).values_list(
            "pk", "user_id"
        ):
            current[user_id] = staff_pk
    touched = {pk for pk, staff in wanted_by_user.items() if current.get(pk) != staff}
    # Unlink first: Staff.user is one-to-one.
    unlink = [current[pk] for pk in touched if pk in current]
    for chunk in _chunks(unlink):
        Staff.objects.filter(pk__in=chunk).update(user=None)
    link = [Staff(pk=wanted_by_user[pk], user_id=pk) for pk in touched if wanted_by_user[pk]]
    Staff.objects.bulk_update(link, ["user"], batch_size=500)
    return _keys_of(touched, users)


def _keys_of(user_ids: set[int], users: dict[str, Any]) -> set[str]:
    return {key for key, user in users.items() if user.pk in user_ids}
