"""A municipality at full scale, for benchmarks and the differential tests of the
reports: ``python manage.py generate_scale_data --clients N --days D``.

The shape follows a large municipality (issue "Municipal scale"): per 20,000
clients there are 300 units, 6,000 staff and about 700,000 visits in 14 days.
Everything is written in bulk — COPY on PostgreSQL (psycopg 3), ``bulk_create``
on SQLite — with primary keys chosen here, so the many-to-many rows need no
round trip. Deterministic: the same ``seed``, sizes and first day give the same
rows (the ``random.Random`` stream is consumed in one fixed order).

What is in it, because the reports must be exercised by it:
    * contact histories: accepted with ordinary and deputy, declined, no need,
      never asked; changes inside the period (new ordinary, new deputy, a
      declined client who accepts), same-day corrections (an empty period,
      contacts.history) and changes registered afterwards with an earlier date;
    * clients moved to another unit during the period (handbook 1.10: the old
      unit's contact ends, the client is "not asked" on the new one);
    * visits: double staffing, cancelled, declined, planned (with and without
      staff), performed without staff, alarm, meal and health visits, night
      visits, visits by substitutes, clients aged 65+ with two or more daytime
      visits every day (KKiK) and others with a few visits a week.

Rows are new: codes, signatures, customer numbers and visit ids carry the
prefix ``SK{seed}-`` so a second seed can be added to the same database; the
same seed twice is refused.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

from contacts import personal_id as pid
from contacts import versions, visit_team
from contacts.models import (
    STOCKHOLM,
    CareContact,
    CareContactChange,
    CareType,
    Client,
    ContactStatus,
    Provider,
    Service,
    Staff,
    Unit,
    Visit,
)

# Per 20,000 clients: 300 units and 6,000 staff (the municipality).
CLIENTS_PER_UNIT = 20_000 / 300
STAFF_PER_UNIT = 20
FIRST_NAMES = [
    "Anna", "Astrid", "Birgitta", "Björn", "Cecilia", "Dragan", "Elin", "Erik", "Fatima",
    "Gunnel", "Göran", "Hanna", "Ingrid", "Jonas", "Karin", "Lars", "Leila", "Maj-Britt",
    "Mats", "Nils", "Olle", "Petra", "Rut", "Sven", "Tove", "Ulla", "Åsa", "Örjan", "Åke",
    "Yusuf", "Zoran", "Märta", "Ebba", "Sigvard",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Berg", "Ek", "Holm", "Johansson", "Karlsson", "Lind", "Lundqvist",
    "Nyström", "Söderholm", "Åberg", "Öst", "Ängström", "Zetterlund", "Ahmed", "Yngvesson",
    "Östlund", "Nilsson", "Persson", "Svensson",
]  # fmt: skip

Status = ContactStatus
ACCEPTED = Status.ACCEPTED


@dataclass
class Summary:
    units: int = 0
    staff: int = 0
    clients: int = 0
    services: int = 0
    changes: int = 0
    visits: int = 0
    visit_staff: int = 0
    seconds: float = 0.0
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    def line(self) -> str:
        return (
            f"{self.units} units, {self.staff} staff, {self.clients} clients, "
            f"{self.services} services, {self.changes} contact changes, {self.visits} visits "
            f"({self.visit_staff} visit-staff rows), {self.first_day}..{self.last_day}, "
            f"{self.seconds:.1f} s"
        )


# --- writing in bulk ---------------------------------------------------------------


class Writer:
    """Rows as tuples in a model's column order: COPY on PostgreSQL, bulk_create
    elsewhere. Primary keys are given by the caller (``first_id``)."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.written: list[type[models.Model]] = []
        self.unchecked = False

    def start(self) -> None:
        """On PostgreSQL, skip the foreign-key triggers while loading (a
        superuser may: session_replication_role) and check every foreign key
        afterwards with one anti-join per column (``finish``): the deferred
        per-row checks at commit cost more than the load itself."""
        if not self.postgres:
            return
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            self.unchecked = True
        except DatabaseError:
            self.unchecked = False
        if self.unchecked:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def first_id(self, model: type[models.Model]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
            return int(cursor.fetchone()[0])

    def write(
        self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> int:
        count = 0
        if self.postgres:
            # COPY leaves an unnamed column NULL: the model's defaults fill the
            # columns the generator does not set (fields added later included).
            extra = [
                (f.column, f.get_db_prep_save(f.get_default(), connection))
                for f in model._meta.concrete_fields
                if f.column not in columns and not f.primary_key and f.get_default() is not None
            ]
            defaults = tuple(value for _column, value in extra)
            names = ", ".join(
                connection.ops.quote_name(c) for c in [*columns, *(c for c, _v in extra)]
            )
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(  # type: ignore[attr-defined]  # psycopg 3
                    f"COPY {model._meta.db_table} ({names}) FROM STDIN"
                ) as copy,
            ):
                for row in rows:
                    copy.write_row((*row, *defaults) if defaults else row)
                    count += 1
        else:
            attnames = [self._attname(model, c) for c in columns]
            batch: list[models.Model] = []
            for row in rows:
                batch.append(model(**dict(zip(attnames, row, strict=True))))
                count += 1
                if len(batch) >= 5000:
                    model._default_manager.bulk_create(batch)
                    batch = []
            if batch:
                model._default_manager.bulk_create(batch)
        self.written.append(model)
        return count

    @staticmethod
    def _attname(model: type[models.Model], column: str) -> str:
        for f in model._meta.concrete_fields:
            if f.column == column:
                return f.attname
        raise LookupError(column)

    def finish(self) -> None:
        """Sequences after explicit keys (SQLite keeps its own), and fresh
        planner statistics."""
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            if self.unchecked:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
                for model in dict.fromkeys(self.written):
                    for f in model._meta.concrete_fields:
                        if not isinstance(f, models.ForeignKey):
                            continue
                        target = f.related_model._meta.db_table  # type: ignore[union-attr]
                        cursor.execute(
                            f"SELECT COUNT(*) FROM {model._meta.db_table} t "
                            f"LEFT JOIN {target} r ON r.id = t.{f.column} "
                            f"WHERE t.{f.column} IS NOT NULL AND r.id IS NULL"
                        )
                        orphans = cursor.fetchone()[0]
                        if orphans:
                            raise IntegrityError(f"{orphans} rows of {model.__name__}.{f.name}")
            for model in dict.fromkeys(self.written):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            for model in dict.fromkeys(self.written):
                cursor.execute(f"ANALYZE {model._meta.db_table}")


# --- the plan in memory ------------------------------------------------------------


@dataclass
class ClientPlan:
    pk: int
    birth: dt.date
    units: list[int]  # unit ids; a moved client has two
    move_day: dt.date | None = None  # first day on the second unit
    heavy: bool = False  # two or more daytime visits every day
    # Per unit id: [(effective, status, ordinary, deputy)] in registration order.
    changes: dict[int, list[tuple[dt.date, str, int | None, int | None]]] = field(
        default_factory=dict
    )


def _local(day: dt.date, minutes: int) -> dt.datetime:
    """A Stockholm wall-clock time on ``day`` as an aware datetime (minutes
    after midnight; values past 24 h are the next day's early hours)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=STOCKHOLM) + dt.timedelta(minutes=minutes)


def generate(
    *,
    clients: int,
    days: int,
    first_day: dt.date,
    seed: int = 1,
    log: Callable[[str], None] | None = None,
) -> Summary:
    """Write the municipality; returns what was written. One transaction."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    prefix = f"SK{seed}-"
    say = log or (lambda _text: None)
    if Unit.objects.filter(code__startswith=prefix).exists():
        raise ValueError(f"scale data with seed {seed} is already in the database")
    n_units = max(1, round(clients / CLIENTS_PER_UNIT))
    n_staff = n_units * STAFF_PER_UNIT
    last_day = first_day + dt.timedelta(days=days - 1)
    period = [first_day + dt.timedelta(days=d) for d in range(days)]
    now = timezone.now()
    summary = Summary(first_day=first_day, last_day=last_day)
    w = Writer()

    with transaction.atomic():
        w.start()
        care_type, _ = CareType.objects.get_or_create(
            code="hemtjanst", defaults={"name": "Hemtjänst"}
        )
        provider, _ = Provider.objects.get_or_create(
            code=f"{prefix}KOMMUN", defaults={"name": f"Skalkommunen {seed}, egen regi"}
        )

        # --- units ------------------------------------------------------------------
        unit0 = w.first_id(Unit)
        unit_ids = [unit0 + i for i in range(n_units)]
        summary.units = w.write(
            Unit,
            ["id", "code", "name", "provider_id", "care_type_id", "phone"],
            (
                (
                    unit_ids[i],
                    f"{prefix}U{i + 1:03d}",
                    f"Hemtjänst {rng.choice(LAST_NAMES)}området {i + 1}",
                    provider.pk,
                    care_type.pk,
                    f"0980-{i % 100:02d} 00 00",
                )
                for i in range(n_units)
            ),
        )

        # --- staff: 20 per unit; a few work on the neighbouring unit too -------------
        staff0 = w.first_id(Staff)
        staff_rows = []
        pools: dict[int, list[int]] = {u: [] for u in unit_ids}  # assistant nurses
        others: dict[int, list[int]] = {u: [] for u in unit_ids}  # care aides, substitutes
        nurses: dict[int, list[int]] = {u: [] for u in unit_ids}
        links: list[tuple[int, int]] = []
        for i in range(n_staff):
            pk = staff0 + i
            unit = unit_ids[i // STAFF_PER_UNIT]
            slot = i % STAFF_PER_UNIT
            if slot < 13:
                title, selectable = Staff.Title.ASSISTANT_NURSE, True
                pools[unit].append(pk)
            elif slot < 18:
                title, selectable = Staff.Title.CARE_AIDE, False
                others[unit].append(pk)
            else:
                title, selectable = Staff.Title.NURSE, False
                nurses[unit].append(pk)
            certificate = (
                dt.date(2015 + slot % 8, 1 + slot % 12, 1)
                if title == Staff.Title.ASSISTANT_NURSE and slot % 6
                else None
            )
            staff_rows.append(
                (
                    pk,
                    None,
                    rng.choice(FIRST_NAMES),
                    rng.choice(LAST_NAMES),
                    title,
                    "",
                    "",
                    f"{prefix.lower()}{i + 1:05d}",
                    "",
                    True,
                    title == Staff.Title.ASSISTANT_NURSE,
                    selectable,
                    certificate,
                    title == Staff.Title.ASSISTANT_NURSE and certificate is None,
                    None,
                    None,
                )
            )
            links.append((pk, unit))
            if slot in (0, 15) and n_units > 1:
                neighbour = unit_ids[(i // STAFF_PER_UNIT + 1) % n_units]
                links.append((pk, neighbour))
                others[neighbour].append(pk)
        summary.staff = w.write(
            Staff,
            [
                *("id", "personal_id", "first_name", "last_name", "title", "phone", "email"),
                *("signature", "hsa_id", "available", "can_receive_delegation"),
                *("fok_selectable", "title_certificate_date", "permanent_on_2023_07_01"),
                *("employment_end", "user_id"),
            ],
            staff_rows,
        )
        link0 = w.first_id(Staff.units.through)
        w.write(
            Staff.units.through,
            ["id", "staff_id", "unit_id"],
            ((link0 + n, s, u) for n, (s, u) in enumerate(links)),
        )

        # --- clients ----------------------------------------------------------------
        client0 = w.first_id(Client)
        # Birth dates: four clients in five are born 1922–1959 (65 or older),
        # one in five 1960–1990. A unique (birth date, serial, sex) per client:
        # make_test_personnummer has ten serials per sex and date.
        groups = [
            (dt.date(1922, 1, 1), dt.date(1959, 12, 31)),
            (dt.date(1960, 1, 1), dt.date(1990, 12, 31)),
        ]
        seen = [0, 0]
        plans: list[ClientPlan] = []
        client_rows = []
        for i in range(clients):
            group = 1 if i % 5 == 4 else 0
            born_from, born_to = groups[group]
            n_dates = (born_to - born_from).days + 1
            m = seen[group]
            seen[group] += 1
            birth = born_from + dt.timedelta(days=(m * 7919) % n_dates)
            # Two serials per seed: seeds 0–9 can share a database.
            k = (m // n_dates + 2 * (seed % 10)) % 20
            parsed = pid.parse(pid.make_test_personnummer(birth, k % 10, female=(k // 10) % 2 == 0))
            unit = unit_ids[i % n_units]
            plan = ClientPlan(pk=client0 + i, birth=parsed.birth_date, units=[unit])
            plan.heavy = rng.random() < 0.4
            if n_units > 1 and days > 2 and rng.random() < 0.03:
                plan.units.append(unit_ids[(i + 1 + rng.randrange(n_units - 1)) % n_units])
                plan.move_day = period[rng.randrange(1, days)]
            plans.append(plan)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            client_rows.append(
                (
                    plan.pk,
                    f"{prefix}{i + 1:06d}",
                    parsed.canonical,
                    first,
                    last,
                    parsed.birth_date,
                    parsed.sex,
                    "",
                    "",
                    f"Skalvägen {i % 200 + 1}",
                    rng.random() < 0.2,
                    rng.random() < 0.1,
                    "",
                )
            )
        summary.clients = w.write(
            Client,
            [
                *("id", "customer_number", "personal_id", "first_name", "last_name"),
                *("birth_date", "sex", "phone", "email", "address"),
                *("cognitive_impairment", "small_social_network", "other_information"),
            ],
            client_rows,
        )

        # --- services: a moved client has two executions, a few end in the period ----
        service0 = w.first_id(Service)
        services: list[tuple[int, int, str, dt.date, dt.date | None]] = []
        ends: dict[int, dt.date] = {}  # client id -> last service day on the home unit
        for plan in plans:
            start = first_day - dt.timedelta(days=rng.randint(20, 900))
            home = plan.units[0]
            end = None
            if plan.move_day is not None:
                end = plan.move_day - dt.timedelta(days=1)
                services.append((plan.pk, plan.units[1], "personal_care", plan.move_day, None))
            elif rng.random() < 0.02:
                end = period[rng.randrange(days)]
                ends[plan.pk] = end
            services.append((plan.pk, home, "personal_care", start, end))
            if rng.random() < 0.3:
                kind = rng.choice(["alarm", "meals"])
                services.append((plan.pk, home, kind, start + dt.timedelta(days=1), end))
        summary.services = w.write(
            Service,
            ["id", "client_id", "unit_id", "kind", "start", "end"],
            ((service0 + k, *row) for k, row in enumerate(services)),
        )
        say(f"units, staff, clients, services written ({time.perf_counter() - t0:.1f} s)")

        # --- contact histories ----------------------------------------------------------
        def pick(unit: int, avoid: Sequence[int | None] = ()) -> int:
            choices = [s for s in pools[unit] if s not in avoid]
            return rng.choice(choices)

        def inside() -> dt.date:
            return period[rng.randrange(days)]

        for plan in plans:
            home = plan.units[0]
            early = first_day - dt.timedelta(days=rng.randint(1, 400))
            history: list[tuple[dt.date, str, int | None, int | None]] = []
            roll = rng.random()
            if roll < 0.08:
                pass  # never asked
            elif roll < 0.13:
                history.append((early, Status.NO_NEED, None, None))
            elif roll < 0.20:
                history.append((early, Status.DECLINED, None, None))
                if rng.random() < 0.3:
                    ordinary = pick(home)
                    history.append((inside(), ACCEPTED, ordinary, pick(home, [ordinary])))
            else:
                ordinary = pick(home)
                deputy = pick(home, [ordinary]) if rng.random() < 0.9 else None
                history.append((early, ACCEPTED, ordinary, deputy))
                event = rng.random()
                if event < 0.08:  # a new ordinary inside the period
                    history.append((inside(), ACCEPTED, pick(home, [ordinary, deputy]), deputy))
                elif event < 0.13:  # a new deputy
                    history.append((inside(), ACCEPTED, ordinary, pick(home, [ordinary, deputy])))
                elif event < 0.16:  # the wrong ordinary, corrected the same day
                    day = inside()
                    history.append((day, ACCEPTED, pick(home, [ordinary, deputy]), deputy))
                    history.append((day, ACCEPTED, ordinary, deputy))
                elif event < 0.18:  # a change registered afterwards with an earlier date
                    later = period[rng.randrange(days // 2, days)]
                    history.append((later, ACCEPTED, ordinary, pick(home, [ordinary, deputy])))
                    earlier = period[rng.randrange(0, max(1, days // 2))]
                    history.append((earlier, ACCEPTED, pick(home, [ordinary, deputy]), deputy))
                elif event < 0.21:  # declines from a day in the period
                    history.append((inside(), Status.DECLINED, None, None))
            if plan.pk in ends and history:
                # Handbook 1.11: the contact ends the day after the last service day.
                history.append((ends[plan.pk] + dt.timedelta(days=1), Status.NOT_ASKED, None, None))
            if plan.move_day is not None:
                # Handbook 1.10: the old unit's contact ends; "not asked" on the new one.
                if history:
                    history.append((plan.move_day, Status.NOT_ASKED, None, None))
                new = plan.units[1]
                moved: list[tuple[dt.date, str, int | None, int | None]] = [
                    (plan.move_day, Status.NOT_ASKED, None, None)
                ]
                if plan.move_day < last_day and rng.random() < 0.5:
                    ordinary = pick(new)
                    moved.append((plan.move_day + dt.timedelta(days=1), ACCEPTED, ordinary, None))
                plan.changes[new] = moved
            if history:
                plan.changes[home] = history

        contact0 = w.first_id(CareContact)
        change0 = w.first_id(CareContactChange)
        contact_rows: list[tuple[Any, ...]] = []
        change_rows: list[tuple[Any, ...]] = []
        for plan in plans:
            for unit, registered in plan.changes.items():
                contact_id = contact0 + len(contact_rows)
                contact_rows.append((contact_id, plan.pk, unit, None, now))
                first_id = change0 + len(change_rows)
                ordered = sorted(
                    ((first_id + n, *row) for n, row in enumerate(registered)),
                    key=lambda c: (c[1], c[0]),
                )
                before: tuple[str, int | None, int | None] = (Status.NOT_ASKED, None, None)
                rows = []
                for n, (pk, effective, status, ordinary_id, deputy_id) in enumerate(ordered):
                    following = ordered[n + 1][1] if n + 1 < len(ordered) else None
                    rows.append(
                        (
                            *(pk, contact_id, plan.pk, unit, effective, status),
                            *(ordinary_id, deputy_id),
                            *before,
                            "Vill vänta" if status == Status.DECLINED else "",
                            CareContactChange.Source.IMPORT,
                            None,
                            now,
                            following,
                        )
                    )
                    before = (status, ordinary_id, deputy_id)
                change_rows.extend(sorted(rows))  # in id order, as registered
        w.write(
            CareContact, ["id", "client_id", "unit_id", "created_by_id", "created_at"], contact_rows
        )
        summary.changes = w.write(
            CareContactChange,
            [
                *("id", "care_contact_id", "client_id", "unit_id", "effective", "status"),
                *("ordinary_id", "deputy_id", "old_status", "old_ordinary_id", "old_deputy_id"),
                *("reason", "source", "changed_by_id", "changed_at", "valid_until"),
            ],
            change_rows,
        )
        say(f"contact histories written ({time.perf_counter() - t0:.1f} s)")

        # --- visits ---------------------------------------------------------------------
        summary.visits, summary.visit_staff = _write_visits(
            w, rng, plans, period, ends, pools, others, nurses, unit_ids, prefix
        )
        say(f"visits written ({time.perf_counter() - t0:.1f} s)")
        w.finish()
        versions.bump()  # every unit's reports (contacts.versions)
    summary.seconds = time.perf_counter() - t0
    return summary


def _state_on(
    changes: list[tuple[dt.date, str, int | None, int | None]] | None, day: dt.date
) -> tuple[int | None, int | None]:
    """(ordinary, deputy) in force at the end of ``day`` (registration order
    breaks ties, as the ids do)."""
    ordinary = deputy = None
    best: tuple[dt.date, int] | None = None
    for n, (effective, status, o, d) in enumerate(changes or ()):
        if effective <= day and (best is None or (effective, n) > best):
            best = (effective, n)
            ordinary, deputy = (o, d) if status == ACCEPTED else (None, None)
    return ordinary, deputy


DAYTIME = list(range(7 * 60, 22 * 60 + 1, 15))  # 07:00 .. 22:00 (KKiK's window)
NIGHT = [*range(22 * 60 + 15, 24 * 60, 15), *range(0, 7 * 60, 15)]
NIGHT_SET = frozenset(NIGHT)


def _write_visits(  # noqa: C901 - one loop over clients and days, read top to bottom
    w: Writer,
    rng: random.Random,
    plans: list[ClientPlan],
    period: list[dt.date],
    ends: dict[int, dt.date],
    pools: dict[int, list[int]],
    others: dict[int, list[int]],
    nurses: dict[int, list[int]],
    unit_ids: list[int],
    prefix: str,
) -> tuple[int, int]:
    visit0 = w.first_id(Visit)
    clock: dict[tuple[dt.date, int], tuple[dt.datetime, dt.date, dt.time]] = {}

    def when(day: dt.date, minute: int) -> tuple[dt.datetime, dt.date, dt.time]:
        key = (day, minute)
        if key not in clock:
            start = _local(day, minute).astimezone(dt.UTC)
            local = start.astimezone(STOCKHOLM)
            clock[key] = (start, local.date(), local.time().replace(tzinfo=None))
        return clock[key]

    visits: list[tuple[Any, ...]] = []
    performers: list[tuple[int, int]] = []
    planned: list[tuple[int, int]] = []
    for plan in plans:
        for day in period:
            if plan.move_day is not None and day >= plan.move_day:
                unit = plan.units[1]
            else:
                unit = plan.units[0]
                if plan.pk in ends and day > ends[plan.pk]:
                    break
            ordinary, deputy = _state_on(plan.changes.get(unit), day)
            if plan.heavy:
                minutes = sorted(rng.sample(DAYTIME, rng.randint(3, 6)))
                if rng.random() < 0.25:
                    minutes.append(rng.choice(NIGHT))
            elif rng.random() < 0.5:
                minutes = sorted(rng.sample(DAYTIME, rng.randint(1, 2)))
            else:
                continue
            for minute in minutes:
                pk = visit0 + len(visits)
                roll = rng.random()
                kind = (
                    Visit.Kind.MEAL
                    if roll < 0.05
                    else Visit.Kind.HEALTH
                    if roll < 0.09
                    else Visit.Kind.ALARM
                    if roll < 0.12 or (minute in NIGHT_SET and roll < 0.3)
                    else Visit.Kind.CARE
                )
                roll = rng.random()
                status = (
                    Visit.Status.CANCELLED
                    if roll < 0.03
                    else Visit.Status.DECLINED
                    if roll < 0.045
                    else Visit.Status.PLANNED
                    if roll < 0.065
                    else Visit.Status.PERFORMED
                )
                # Who: the contacts of the day often, the unit's others, now and
                # then a substitute from another unit; a nurse for health care.
                pool = pools[unit]
                if kind == Visit.Kind.HEALTH:
                    first = rng.choice(nurses[unit] or pool)
                else:
                    roll = rng.random()
                    if roll < 0.35 and ordinary is not None:
                        first = ordinary
                    elif roll < 0.5 and deputy is not None:
                        first = deputy
                    elif roll < 0.6 and others[unit]:
                        first = rng.choice(others[unit])
                    elif roll < 0.63:
                        first = rng.choice(pools[rng.choice(unit_ids)])
                    else:
                        first = rng.choice(pool)
                team = [first]
                if rng.random() < 0.06:
                    second = rng.choice(pool)
                    if second != first:
                        team.append(second)
                plan_team = list(team)
                if rng.random() < 0.1:
                    plan_team = [rng.choice(pool)]
                if (
                    status in (Visit.Status.CANCELLED, Visit.Status.DECLINED)
                    or status == Visit.Status.PLANNED
                    and rng.random() < 0.5
                ):
                    team = []
                elif status == Visit.Status.PERFORMED and rng.random() < 0.01:
                    team = []  # performed, nobody registered
                start, local_date, local_time = when(day, minute)
                performed = status == Visit.Status.PERFORMED
                receipt_roll = rng.random()
                receipt = (
                    ""
                    if not performed or receipt_roll < 0.05
                    else "incomplete"
                    if receipt_roll < 0.1
                    else "complete"
                )
                visits.append(
                    (
                        pk,
                        f"{prefix}V{pk - visit0 + 1:08d}",
                        plan.pk,
                        unit,
                        start,
                        start + dt.timedelta(minutes=rng.choice((15, 30, 45))),
                        status,
                        kind,
                        receipt,
                        performed and rng.random() < 0.03,
                        local_date,
                        local_time,
                        *visit_team.summary(team),
                    )
                )
                performers.extend((pk, s) for s in team)
                planned.extend((pk, s) for s in plan_team)
    count = w.write(
        Visit,
        [
            *("id", "visit_id", "client_id", "unit_id", "start", "end", "status", "kind"),
            *("receipt", "registered_afterwards", "local_date", "local_time"),
            *("team_size", "team_low", "team_high"),
        ],
        visits,
    )
    first = w.first_id(Visit.staff.through)
    staff_rows = w.write(
        Visit.staff.through,
        ["id", "visit_id", "staff_id"],
        ((first + n, v, s) for n, (v, s) in enumerate(performers)),
    )
    first = w.first_id(Visit.planned_staff.through)
    w.write(
        Visit.planned_staff.through,
        ["id", "visit_id", "staff_id"],
        ((first + n, v, s) for n, (v, s) in enumerate(planned)),
    )
    return count, staff_rows
