"""Believable demo data for a fictional municipality, Ekdala.

Everything is derived from a seed with ``random.Random`` (string seeds hash the
same in every process), so a second run finds the same natural keys and adds
nothing. Each client, each (client, unit) and each visit day gets its own
random stream, so a client looks the same whatever ``--clients`` is, and a run
on a later day only adds that day's visits.

Writes go through the services wherever one exists (units, staff, moves
between units, ended executions and implementation plans), so the history,
journal notes and plan contacts look exactly like those made in the app. For
speed (the whole demo in well under 30 seconds on SQLite), what is new is
written in bulk where the services would only add checks of data generated
valid: new clients, the services of a (client, unit) that has none, and the
contact history of a (client, unit) that has none (the same rows, with the
same care_contact_changed signal for the journal notes). Visits (tens of
thousands of rows) are bulk-created; relatives, users and the care type of the
nursing home have no service and are written directly.

No real people: personal ids are Skatteverket's test range (via
contacts.personal_id), phone numbers are PTS's ranges reserved for fiction and
e-mail addresses use example.org.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import history, services, versions, visit_team
from contacts.models import (
    CareContact,
    CareContactChange,
    CareType,
    Client,
    Relative,
    Service,
    Staff,
    Unit,
    Visit,
)
from contacts.models import ContactStatus as Status
from contacts.personal_id import luhn_check_digit, make_test_personnummer
from contacts.personal_id import parse as parse_personal_id
from contacts.roles import Role
from contacts.signals import care_contact_changed
from plans import services as plans_services
from plans.models import ImplementationPlan

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DEFAULT_CLIENTS = 300
DEFAULT_SEED = 2025
PASSWORD = "demo"
VISIT_DAYS = 28  # four weeks: always covers the last two full Monday–Sunday weeks
# Planned visits ahead of today, so "Vem kommer?" shows the coming two weeks.
PLANNED_DAYS = 14
VISIT_PREFIX = "DEMO-"
CUSTOMER_NUMBER_BASE = 4100000
# The duty to offer a care contact took effect on 1 July 2022 (SoL 4 kap. 2 b §).
LAW_START = dt.date(2022, 7, 1)

Kind = Service.Kind
Title = Staff.Title

MUNICIPAL = "Ekdala kommun, egen regi"
PRIVATE = "Omsorgshuset i Ekdala AB"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    provider: str
    care_type: str
    postal: str


UNITS = [
    UnitSpec("HT-CENTRUM", "Hemtjänst Centrum", MUNICIPAL, "hemtjanst", "123 30 Ekdala"),
    UnitSpec("HT-NORRA", "Hemtjänst Norra", MUNICIPAL, "hemtjanst", "123 45 Ekdala"),
    UnitSpec("HT-SODRA", "Hemtjänst Södra", MUNICIPAL, "hemtjanst", "123 52 Ekdala"),
    UnitSpec("HT-OSTRA", "Hemtjänst Östra", MUNICIPAL, "hemtjanst", "123 60 Ekdala"),
    UnitSpec("HT-VASTRA", "Hemtjänst Västra", PRIVATE, "hemtjanst", "123 71 Ekdala"),
    UnitSpec("SB-LINDEN", "Lindens särskilda boende", MUNICIPAL, "sarskilt-boende", ""),
]
HOME_CARE_UNITS = [u.code for u in UNITS if u.care_type == "hemtjanst"]
MUNICIPAL_HOME_CARE = [
    u.code for u in UNITS if u.care_type == "hemtjanst" and u.provider == MUNICIPAL
]
NURSING_HOME = "SB-LINDEN"
PRIVATE_UNIT = "HT-VASTRA"
# How many carers usually visit one client: continuity differs between units,
# which is what the reports are for.
POOL_SIZE = {
    "HT-CENTRUM": (4, 7),
    "HT-NORRA": (5, 9),
    "HT-SODRA": (6, 10),
    "HT-OSTRA": (5, 8),
    "HT-VASTRA": (6, 8),
}
# Staff on a second unit work in the neighbouring district.
NEIGHBOUR = {
    "HT-CENTRUM": "HT-NORRA",
    "HT-NORRA": "HT-CENTRUM",
    "HT-SODRA": "HT-OSTRA",
    "HT-OSTRA": "HT-SODRA",
    "HT-VASTRA": None,
    "SB-LINDEN": "HT-CENTRUM",
}


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str
    units: tuple[str, ...]
    first_name: str
    last_name: str
    staff_title: str | None = None  # linked to a Staff row with this title


USERS = [
    UserSpec(
        "chef",
        Role.UNIT_MANAGER,
        ("HT-CENTRUM", "HT-NORRA"),
        "Karin",
        "Lindqvist",
        Title.UNIT_MANAGER,
    ),
    UserSpec("chef2", Role.UNIT_MANAGER, ("HT-SODRA",), "Johan", "Ekström", Title.UNIT_MANAGER),
    UserSpec(
        "chef3",
        Role.UNIT_MANAGER,
        ("HT-OSTRA", "SB-LINDEN"),
        "Maria",
        "Holm",
        Title.UNIT_MANAGER,
    ),
    UserSpec("chef4", Role.UNIT_MANAGER, ("HT-VASTRA",), "Peter", "Sandberg", Title.UNIT_MANAGER),
    UserSpec(
        "statistik",
        Role.STATISTICS,
        tuple(u.code for u in UNITS if u.provider == MUNICIPAL),
        "Birgitta",
        "Falk",
    ),
    UserSpec(
        "samordnare",
        Role.COORDINATOR,
        ("HT-CENTRUM", "HT-NORRA"),
        "Lena",
        "Axelsson",
        Title.COORDINATOR,
    ),
    UserSpec(
        "personal", Role.CARE_STAFF, ("HT-CENTRUM",), "Sara", "Nilsson", Title.ASSISTANT_NURSE
    ),
    UserSpec("admin", Role.ADMINISTRATOR, (), "Anders", "Berg"),
]

FEMALE_NAMES = [
    "Anna", "Eva", "Maria", "Karin", "Kristina", "Lena", "Kerstin", "Sara", "Ingrid",
    "Emma", "Marie", "Birgitta", "Malin", "Inger", "Ulla", "Elin", "Linnéa", "Margareta",
    "Elisabeth", "Monica", "Ida", "Johanna", "Susanne", "Camilla", "Sofia", "Hanna",
    "Gunilla", "Elsa", "Astrid", "Britt", "Gunnel", "Agneta", "Maja", "Nora", "Amira",
    "Fatima", "Leila", "Aino", "Siv", "Greta", "Dagny", "Signe", "Vera", "Solveig",
]  # fmt: skip
MALE_NAMES = [
    "Lars", "Karl", "Anders", "Johan", "Per", "Erik", "Nils", "Jan", "Lennart", "Olof",
    "Bengt", "Gustav", "Hans", "Peter", "Sven", "Bo", "Mikael", "Fredrik", "Stefan",
    "Göran", "Ali", "Omar", "Mohammed", "Ahmed", "Jonas", "Magnus", "Henrik", "Oskar",
    "Axel", "Rolf", "Ture", "Åke", "Gunnar", "Ingvar", "Arne", "Yusuf", "Daniel",
    "Simon", "Kent", "Leif", "Sixten", "Evert", "Harald",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson",
    "Lindström", "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg",
    "Lind", "Lundgren", "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg",
    "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson",
    "Lundin", "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström",
    "Samuelsson", "Isaksson", "Fransson", "Bergqvist", "Nyström", "Holmberg",
    "Arvidsson", "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Claesson", "Hassan",
    "Mohammadi", "Yilmaz", "Nieminen", "Korhonen",
]  # fmt: skip
STREETS = [
    "Storgatan", "Kyrkogatan", "Skolgatan", "Ekvägen", "Björkvägen", "Lindvägen",
    "Granvägen", "Tallvägen", "Ängsvägen", "Solvägen", "Parkgatan", "Järnvägsgatan",
    "Stationsgatan", "Åsvägen", "Backvägen", "Furuvägen", "Klövervägen", "Rönnvägen",
    "Lärkvägen", "Sjövägen",
]  # fmt: skip

# PTS reserves these number ranges for use in fiction: no real subscriber.
MOBILE_NUMBERS = [f"070-174 06 {n:02d}" for n in range(5, 100)]
LANDLINE_NUMBERS = (
    [f"08-465 004 {n:02d}" for n in range(100)]
    + [f"031-390 06 {n:02d}" for n in range(100)]
    + [f"040-628 04 {n:02d}" for n in range(100)]
    + [f"0980-319 2{n:02d}" for n in range(100)]
)

DECLINE_REASONS = [
    "Brukaren är nöjd med nuvarande upplägg och vill inte ha en fast kontakt.",
    "Dottern samordnar kontakterna och brukaren ser inget behov.",
    "Brukaren vill avvakta och ta ställning senare.",
    "Brukaren vill inte att en särskild person ska ha ansvar.",
]
CHANGE_REASONS = [
    "Brukaren önskade byte av kontakt.",
    "Tidigare kontakt har gått över till nattpatrullen.",
    "Ändrat arbetsschema.",
    "Tidigare kontakt har bytt arbetsplats.",
]
PARTICIPATION = [
    "Brukaren deltog vid hembesöket.",
    "Brukaren och sonen deltog vid hembesöket.",
    "Brukaren deltog; tolk via telefon.",
    "",
]
IMPORTANT_INFORMATION = [
    "Vill ha morgonkaffe innan dusch.",
    "Behöver påminnelse om att dricka under dagen.",
    "Rollator ska stå vid sängen på natten.",
    "Tycker om att prata om trädgården; vill gärna gå ut på balkongen.",
    "",
]
RELATIONS = ["Dotter", "Son", "Make", "Maka", "Sambo", "Syster", "Bror", "Barnbarn"]
OTHER_INFORMATION = [
    "Nyckel finns i nyckelgömma vid dörren.",
    "Hörselnedsättning, tala tydligt och vänd dig mot brukaren.",
    "Hund i hemmet.",
    "Föredrar kvinnlig personal vid dusch.",
    "Talar finska; tolk vid viktiga samtal.",
    "",
    "",
    "",
]

# One block of 20 client profiles; every full block has exactly these, so a
# small --clients still gives every status and kind of client.
# (profile, contact plan, age band)
PROFILES: list[tuple[str, str, str]] = [
    *[("intensive", "accepted", "old")] * 5,
    *[("care", "accepted", "old")] * 3,
    ("care", "accepted", "around65"),
    ("care", "declined", "mixed"),
    ("care", "recent", "old"),
    ("lov", "accepted", "old"),
    ("moved", "accepted", "old"),
    ("to_nursing_home", "accepted", "old"),
    ("alarm", "no_need", "old"),
    ("alarm", "accepted", "old"),
    ("meals", "no_need", "old"),
    ("meals_alarm", "not_asked", "old"),
    ("young", "accepted", "young"),
    ("ended", "accepted", "old"),
]
assert len(PROFILES) == 20


def _fold(text: str) -> str:
    return text.lower().translate(str.maketrans("åäöé", "aaoe"))


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random("-".join([str(seed), *map(str, parts)]))


# --- specs (plain data, computed before anything is written) ---------------------------


@dataclass
class StaffSpec:
    signature: str
    first_name: str
    last_name: str
    personal_id: str
    title: str
    units: list[str]
    phone: str = ""
    email: str = ""
    hsa_id: str = ""
    available: bool = True
    fok_selectable: bool = False
    can_receive_delegation: bool = False
    title_certificate_date: dt.date | None = None
    permanent_on_2023_07_01: bool = False
    username: str | None = None
    weight: int = 1  # how often they are picked as a contact


@dataclass
class Step:
    effective: dt.date
    status: str
    ordinary: Staff | None = None
    deputy: Staff | None = None
    reason: str = ""


@dataclass
class PairPlan:
    unit: str
    services: Sequence[tuple[str, dt.date, dt.date | None]]
    steps: list[Step] = field(default_factory=list)
    visits: str = ""  # visit profile
    double: bool = False
    night: bool = False
    # How the execution here ended: by moving the client to another unit
    # (services.client_move, handbook 1.10) or by ending the services by hand
    # (services.service_end, 1.11). Services the move creates are not upserted.
    move_to: str | None = None
    ended_by_hand: bool = False
    moved_in: bool = False
    plan: dict | None = None  # implementation plan fields (plans.services.plan_create)

    @property
    def start(self) -> dt.date:
        return min(s[1] for s in self.services)

    @property
    def end(self) -> dt.date | None:
        ends = [s[2] for s in self.services]
        return None if any(e is None for e in ends) else max(e for e in ends if e)

    def ongoing(self, kind: str, on: dt.date) -> bool:
        return any(
            k == kind and start <= on and (end is None or on <= end)
            for k, start, end in self.services
        )


@dataclass
class ClientSpec:
    index: int
    customer_number: str
    fields: dict
    relatives: list[dict]
    pairs: list[PairPlan]


class _Ids:
    """Unique test personal ids (make_test_personnummer has ten per birth date and sex)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def personnummer(self, birth: dt.date, female: bool) -> str:
        while True:
            for serial in range(10):
                value = make_test_personnummer(birth, serial, female=female)
                if value not in self.used:
                    self.used.add(value)
                    return value
            birth += dt.timedelta(days=1)

    def samordningsnummer(self, birth: dt.date, female: bool) -> str:
        while True:
            for serial in range(10):
                number = 980 + serial * 2 + (0 if female else 1)
                digits = f"{birth:%y%m}{birth.day + 60:02d}{number:03d}"
                value = f"{birth:%Y%m}{birth.day + 60:02d}-{number:03d}{luhn_check_digit(digits)}"
                if value not in self.used:
                    self.used.add(value)
                    return value
            birth += dt.timedelta(days=1)

    def reservnummer(self, birth: dt.date) -> str:
        serial = 10
        while True:
            value = f"{birth:%Y%m%d}-TF{serial:02d}"
            if value not in self.used:
                self.used.add(value)
                return value
            serial += 1


def _years_before(on: dt.date, years: int) -> dt.date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def staff_specs(seed: int, ids: _Ids) -> list[StaffSpec]:
    """About 60 staff: the users' own rows first, then a generated mix of titles."""
    rng = _rng(seed, "staff")
    used_signatures: set[str] = set()

    def signature(first: str, last: str) -> str:
        base = _fold(first)[:2] + _fold(last)[:1]
        while True:
            value = f"{base}{rng.randint(10, 99)}"
            if value not in used_signatures:
                used_signatures.add(value)
                return value

    def contact(spec: StaffSpec, index: int) -> None:
        # Most staff have a work phone and e-mail; a few newly hired do not yet.
        if index % 9 != 8:
            spec.phone = MOBILE_NUMBERS[index % len(MOBILE_NUMBERS)]
            spec.email = f"{_fold(spec.first_name)}.{_fold(spec.last_name)}@ekdala.example.org"
            spec.hsa_id = f"SE2321000099-E{index:05d}"

    def person(female: bool) -> str:
        birth = dt.date(rng.randint(1962, 2002), rng.randint(1, 12), rng.randint(1, 28))
        return ids.personnummer(birth, female)

    specs: list[StaffSpec] = []
    for user in USERS:
        if user.staff_title is None:
            continue
        spec = StaffSpec(
            signature=signature(user.first_name, user.last_name),
            first_name=user.first_name,
            last_name=user.last_name,
            personal_id=person(user.first_name in FEMALE_NAMES),
            title=user.staff_title,
            units=list(user.units),
            username=user.username,
        )
        if user.staff_title == Title.ASSISTANT_NURSE:
            # The care-staff login: an appointable undersköterska who is the
            # contact of several clients, so "Mina brukare" has content.
            spec.fok_selectable = True
            spec.title_certificate_date = dt.date(2023, 5, 10)
            spec.can_receive_delegation = True
            spec.weight = 4
        contact(spec, len(specs))
        specs.append(spec)
    specs.append(
        StaffSpec(
            signature=signature("Hanna", "Wallin"),
            first_name="Hanna",
            last_name="Wallin",
            personal_id=person(True),
            title=Title.COORDINATOR,
            units=["HT-SODRA", "HT-OSTRA"],
        )
    )
    contact(specs[-1], len(specs) - 1)

    # Undersköterskor, round robin over the units so every unit gets a mix of
    # title evidence (pattern by j % 10 below) including the transitional rule.
    titles = (
        [Title.ASSISTANT_NURSE] * 40
        + [Title.CARE_AIDE] * 8
        + [Title.NURSE] * 3
        + [Title.OCCUPATIONAL_THERAPIST, Title.PHYSIOTHERAPIST]
    )
    unit_codes = [u.code for u in UNITS]
    counters: dict[str, int] = {}
    for title in titles:
        j = counters.get(title, 0)
        counters[title] = j + 1
        female = rng.random() < 0.8
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        last = rng.choice(LAST_NAMES)
        home = unit_codes[j % len(unit_codes)]
        if title == Title.CARE_AIDE:
            home = unit_codes[(j + 2) % len(unit_codes)]
        units = [home]
        neighbour = NEIGHBOUR[home]
        if neighbour and (
            j % 4 == 1
            or title in (Title.NURSE, Title.OCCUPATIONAL_THERAPIST, Title.PHYSIOTHERAPIST)
        ):
            units.append(neighbour)
        spec = StaffSpec(
            signature=signature(first, last),
            first_name=first,
            last_name=last,
            personal_id=person(female),
            title=title,
            units=units,
        )
        if title == Title.ASSISTANT_NURSE:
            pattern = j % 10
            if pattern <= 4 or pattern == 7:
                spec.title_certificate_date = dt.date(2023, 1, 1) + dt.timedelta(
                    days=rng.randint(0, 1000)
                )
            if pattern in (5, 6, 7):
                spec.permanent_on_2023_07_01 = True
            # pattern 8 and 9: no title evidence registered yet.
            if pattern == 8:
                spec.title_certificate_date = None
            spec.fok_selectable = j not in (3, 17, 29)
            spec.available = j not in (12, 33, 38)
            spec.can_receive_delegation = rng.random() < 0.6
        elif title == Title.CARE_AIDE:
            # A vårdbiträde wrongly marked selectable: the title rule still blocks them.
            spec.fok_selectable = j == 0
        elif title == Title.NURSE:
            spec.can_receive_delegation = False
        contact(spec, len(specs))
        specs.append(spec)
    return specs


def _birth_date(rng: random.Random, band: str, today: dt.date) -> dt.date:
    if band == "mixed":
        band = "young" if rng.random() < 0.3 else "old"
    if band == "around65":
        # Turning 65 within a few weeks either side of today.
        return _years_before(today, 65) + dt.timedelta(days=rng.randint(-25, 25))
    if band == "young":
        age = rng.randint(22, 63)
    else:
        age = min(101, max(66, int(rng.triangular(66, 100, 85))))
    return _years_before(today, age) - dt.timedelta(days=rng.randint(1, 360))


def _offer_date(rng: random.Random, start: dt.date) -> dt.date:
    offer = start + dt.timedelta(days=rng.randint(5, 25))
    if offer < LAW_START:
        offer = LAW_START + dt.timedelta(days=rng.randint(0, 150))
    return offer


class _Planner:
    def __init__(self, seed: int, today: dt.date, staff: dict[str, Staff], specs: list[StaffSpec]):
        self.seed = seed
        self.today = today
        self.unit_staff: dict[str, list[Staff]] = {u.code: [] for u in UNITS}
        self.weight: dict[int, int] = {}
        for spec in specs:
            obj = staff[spec.signature]
            self.weight[id(obj)] = spec.weight
            for code in spec.units:
                self.unit_staff[code].append(obj)
        self.carers = {
            code: [
                s
                for s in members
                if s.title in (Title.ASSISTANT_NURSE, Title.CARE_AIDE) and s.available
            ]
            for code, members in self.unit_staff.items()
        }
        self.nurses = {
            code: [s for s in members if s.title == Title.NURSE]
            for code, members in self.unit_staff.items()
        }

    def candidates(self, unit: str, on: dt.date, exclude: tuple = ()) -> list[Staff]:
        return [
            s
            for s in self.unit_staff[unit]
            if s.may_be_appointed(on) and all(s is not e for e in exclude)
        ]

    def pick(self, rng: random.Random, people: list[Staff]) -> Staff:
        return rng.choices(people, weights=[self.weight[id(s)] for s in people])[0]

    def contact_steps(
        self, rng: random.Random, pair: PairPlan, plan: str, simple_reason: str = ""
    ) -> list[Step]:
        """The history of one (client, unit): effective-dated, as a manager would
        have registered it, with only staff who may be appointed on each date."""
        last = min(pair.end or self.today, self.today)
        offer = _offer_date(rng, pair.start)
        if plan in ("not_asked", "recent") or offer > last:
            return []
        if plan == "no_need":
            return [Step(offer, Status.NO_NEED, reason=simple_reason)]
        if plan == "declined":
            return [Step(offer, Status.DECLINED, reason=rng.choice(DECLINE_REASONS))]
        steps: list[Step] = []
        accept = offer
        if rng.random() < 0.15:
            later = offer + dt.timedelta(days=rng.randint(40, 300))
            if later <= last:
                steps.append(Step(offer, Status.DECLINED, reason=rng.choice(DECLINE_REASONS)))
                accept = later
        people = self.candidates(pair.unit, accept)
        if not people:
            return steps
        ordinary = self.pick(rng, people)
        deputies = self.candidates(pair.unit, accept, exclude=(ordinary,))
        deputy = self.pick(rng, deputies) if deputies and rng.random() < 0.85 else None
        reason = "Brukaren har ändrat sig och tackar ja." if steps else ""
        steps.append(Step(accept, Status.ACCEPTED, ordinary, deputy, reason))
        # Some changed their ordinary contact during the last year.
        if rng.random() < 0.25:
            when = self.today - dt.timedelta(days=rng.randint(8, 340))
            if accept + dt.timedelta(days=30) <= when <= last:
                new_ordinary: Staff | None
                if deputy is not None and deputy.may_be_appointed(when) and rng.random() < 0.5:
                    new_ordinary = deputy
                else:
                    others = self.candidates(pair.unit, when, exclude=(ordinary, deputy))
                    new_ordinary = self.pick(rng, others) if others else None
                if new_ordinary is not None:
                    new_deputy = deputy if deputy is not new_ordinary else None
                    if new_deputy is not None and not new_deputy.may_be_appointed(when):
                        new_deputy = None
                    if new_deputy is None:
                        rest = self.candidates(pair.unit, when, exclude=(new_ordinary, ordinary))
                        new_deputy = self.pick(rng, rest) if rest else None
                    steps.append(
                        Step(
                            when,
                            Status.ACCEPTED,
                            new_ordinary,
                            new_deputy,
                            rng.choice(CHANGE_REASONS),
                        )
                    )
        return steps


def client_specs(
    seed: int, count: int, today: dt.date, ids: _Ids, planner: _Planner
) -> list[ClientSpec]:
    specs: list[ClientSpec] = []
    landlines = iter(LANDLINE_NUMBERS * (1 + count // len(LANDLINE_NUMBERS)))
    mobiles_offset = 0
    for index in range(count):
        block, position = divmod(index, len(PROFILES))
        order = list(range(len(PROFILES)))
        _rng(seed, "block", block).shuffle(order)
        profile, plan, band = PROFILES[order[position]]
        rng = _rng(seed, "client", index)

        female = rng.random() < 0.62
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        last = rng.choice(LAST_NAMES)
        if profile == "intensive":
            # Clients of the national 14-day measure: 65 or over on any first day.
            band = "old"
        birth = _birth_date(rng, band, today)
        if index % 37 == 11:
            personal_id = ids.samordningsnummer(birth, female)
        elif index % 53 == 29:
            personal_id = ids.reservnummer(birth)
        else:
            personal_id = ids.personnummer(birth, female)

        # Home district: the private provider has about one client in seven.
        home = rng.choice(MUNICIPAL_HOME_CARE) if rng.random() < 0.85 else PRIVATE_UNIT
        postal = next(u.postal for u in UNITS if u.code == home)
        cognitive = rng.random() < 0.15 or (profile == "alarm" and plan == "accepted")
        small_network = rng.random() < 0.15
        parsed = parse_personal_id(personal_id)
        fields = {
            "personal_id": personal_id,
            # Client.save derives these too, but the upsert validates before saving.
            "birth_date": parsed.birth_date,
            "sex": parsed.sex,
            "first_name": first,
            "last_name": last,
            "phone": next(landlines) if rng.random() < 0.9 else "",
            "address": f"{rng.choice(STREETS)} {rng.randint(1, 60)}, {postal}",
            "cognitive_impairment": cognitive,
            "small_social_network": small_network,
            "other_information": rng.choice(OTHER_INFORMATION),
        }

        relatives: list[dict] = []
        for n in range(rng.choice([0, 0, 1, 1, 1, 2])):
            relation = rng.choice(RELATIONS)
            rel_female = relation in ("Dotter", "Maka", "Syster") or (
                relation in ("Sambo", "Barnbarn") and rng.random() < 0.5
            )
            rel_last = last if relation not in ("Dotter", "Barnbarn") else rng.choice(LAST_NAMES)
            name = f"{rng.choice(FEMALE_NAMES if rel_female else MALE_NAMES)} {rel_last}"
            relatives.append(
                {
                    "name": name,
                    "relation": relation,
                    "phone": MOBILE_NUMBERS[(index * 3 + n + mobiles_offset) % len(MOBILE_NUMBERS)],
                    "email": f"{_fold(name).replace(' ', '.')}@example.org"
                    if rng.random() < 0.5
                    else "",
                    "consent_to_contact": rng.random() < 0.8,
                    "legal_representative": False,
                }
            )
        if cognitive and rng.random() < 0.5:
            relatives.append(
                {
                    "name": f"{rng.choice(FEMALE_NAMES + MALE_NAMES)} {rng.choice(LAST_NAMES)}",
                    "relation": "God man",
                    "phone": MOBILE_NUMBERS[(index * 7) % len(MOBILE_NUMBERS)],
                    "email": "",
                    "consent_to_contact": True,
                    "legal_representative": True,
                }
            )

        pairs = _pairs(rng, "recent" if plan == "recent" else profile, home, today)
        for pair in pairs:
            care_type = next(u.care_type for u in UNITS if u.code == pair.unit)
            if care_type != "hemtjanst":
                continue
            pair_plan = plan
            if profile == "lov" and pair.unit == PRIVATE_UNIT:
                pair_plan = "no_need"  # only cleaning from the private provider
            # After a move the new unit asks again (handbook 1.10): not yet if recent.
            if (
                profile in ("to_nursing_home", "moved")
                and pair.end is None
                and pair.start > today - dt.timedelta(days=30)
            ):
                pair_plan = "recent"
            simple = ""
            if pair_plan == "no_need":
                kinds = {Kind(k).label.lower() for k, _s, _e in pair.services}
                simple = (
                    f"Har endast {' och '.join(sorted(kinds))}; "
                    "fast omsorgskontakt bedöms uppenbart obehövlig."
                )
            pair.plan = _plan_fields(_rng(seed, "plan", index, pair.unit), pair, today)
            pair.steps = planner.contact_steps(
                _rng(seed, "contact", index, pair.unit), pair, pair_plan, simple
            )
        specs.append(
            ClientSpec(
                index=index,
                customer_number=str(CUSTOMER_NUMBER_BASE + index),
                fields=fields,
                relatives=relatives,
                pairs=pairs,
            )
        )
    return specs


def _plan_fields(rng: random.Random, pair: PairPlan, today: dt.date) -> dict | None:
    """An implementation plan for most ongoing home-care executions (the provider routine:
    established within 14 days, revised at least every 6 months). Some are
    missing, late or due for revision, so the start page has work to show."""
    if pair.end is not None or pair.start > today - dt.timedelta(days=10) or rng.random() < 0.1:
        return None
    delay = rng.randint(3, 13) if rng.random() < 0.9 else rng.randint(15, 40)
    established = min(pair.start + dt.timedelta(days=delay), today)
    revised = None
    if (today - established).days > 150:
        revised = today - dt.timedelta(days=rng.randint(20, 170 if rng.random() < 0.85 else 240))
        revised = max(revised, established)
    participated = rng.random() < 0.88
    return {
        "period_start": pair.start,
        "established": established,
        "revised": revised,
        "participated": participated,
        "participation_comment": rng.choice(PARTICIPATION)
        if participated
        else "Brukaren orkade inte delta; dottern deltog i stället.",
        "important_information": rng.choice(IMPORTANT_INFORMATION),
        "follow_up_date": (revised or established) + dt.timedelta(days=182),
    }


def _pairs(rng: random.Random, profile: str, home: str, today: dt.date) -> list[PairPlan]:
    def ago(low: int, high: int) -> dt.date:
        return today - dt.timedelta(days=rng.randint(low, high))

    def care_services(start: dt.date, end: dt.date | None = None) -> list:
        result = [(Kind.PERSONAL_CARE, start, end)]
        for kind, share in (
            (Kind.CLEANING, 0.6),
            (Kind.SHOPPING, 0.4),
            (Kind.LAUNDRY, 0.3),
            (Kind.ALARM, 0.5),
            (Kind.MEALS, 0.2),
        ):
            if rng.random() < share:
                added = start + dt.timedelta(days=rng.randint(0, 200))
                if added > today or (end is not None and added > end):
                    added = start
                kind_end = end
                # A few add-ons were temporary (after a hospital stay, say).
                if end is None and kind == Kind.MEALS and rng.random() < 0.4:
                    kind_end = min(today - dt.timedelta(days=1), added + dt.timedelta(days=60))
                    kind_end = max(kind_end, added)
                result.append((kind, added, kind_end))
        return result

    if profile == "intensive":
        start = ago(90, 2000)
        services = [
            (Kind.PERSONAL_CARE, start, None),
            (Kind.ALARM, start, None),
            (Kind.LAUNDRY, start, None),
        ]
        if rng.random() < 0.5:
            services.append((Kind.MEALS, start, None))
        return [
            PairPlan(
                home,
                services,
                visits="intensive",
                double=rng.random() < 0.25,
                night=rng.random() < 0.35,
            )
        ]
    if profile == "care":
        start = ago(60, 2200)
        return [PairPlan(home, care_services(start), visits="care", double=rng.random() < 0.05)]
    if profile == "lov":
        start = ago(100, 1500)
        municipal = home if home != PRIVATE_UNIT else MUNICIPAL_HOME_CARE[0]
        return [
            PairPlan(municipal, [(Kind.PERSONAL_CARE, start, None)], visits="care"),
            PairPlan(
                PRIVATE_UNIT,
                [
                    (Kind.CLEANING, start + dt.timedelta(days=14), None),
                    (Kind.SHOPPING, start + dt.timedelta(days=14), None),
                ],
                visits="cleaning",
            ),
        ]
    if profile == "moved":
        moved = ago(10, 300)
        old_start = moved - dt.timedelta(days=rng.randint(300, 1500))
        old = rng.choice([c for c in HOME_CARE_UNITS if c != home])
        kinds = [Kind.PERSONAL_CARE, Kind.ALARM] + ([Kind.CLEANING] if rng.random() < 0.5 else [])
        last_day = moved - dt.timedelta(days=1)
        return [
            PairPlan(old, [(k, old_start, last_day) for k in kinds], visits="care", move_to=home),
            PairPlan(home, [(k, moved, None) for k in kinds], visits="care", moved_in=True),
        ]
    if profile == "to_nursing_home":
        moved = ago(15, 250)
        old_start = moved - dt.timedelta(days=rng.randint(400, 1800))
        return [
            PairPlan(
                home,
                care_services(old_start, moved - dt.timedelta(days=1)),
                visits="care",
                ended_by_hand=True,
            ),
            PairPlan(NURSING_HOME, [(Kind.OTHER, moved, None)]),
        ]
    if profile == "alarm":
        return [PairPlan(home, [(Kind.ALARM, ago(30, 1500), None)], visits="alarm")]
    if profile == "meals":
        return [PairPlan(home, [(Kind.MEALS, ago(30, 1500), None)], visits="meals")]
    if profile == "meals_alarm":
        start = ago(30, 1500)
        return [
            PairPlan(home, [(Kind.MEALS, start, None), (Kind.ALARM, start, None)], visits="meals")
        ]
    if profile == "young":
        start = ago(60, 1500)
        extra = Kind.RELIEF if rng.random() < 0.5 else Kind.OTHER
        return [
            PairPlan(
                home,
                [
                    (Kind.PERSONAL_CARE, start, None),
                    (Kind.ESCORT, start, None),
                    (extra, start, None),
                ],
                visits="young",
            )
        ]
    if profile == "ended":
        end = ago(20, 300)
        start = end - dt.timedelta(days=rng.randint(300, 2000))
        return [PairPlan(home, care_services(start, end), visits="care", ended_by_hand=True)]
    # "recent": personal care that started days ago, waiting to be asked.
    return [PairPlan(home, [(Kind.PERSONAL_CARE, ago(2, 20), None)], visits="care")]


# --- visits ---------------------------------------------------------------------------


@dataclass
class VisitRow:
    visit_id: str
    unit: str
    start: dt.datetime
    end: dt.datetime
    status: str
    kind: str
    staff: list[Staff]
    planned: list[Staff]
    receipt: str = ""
    afterwards: bool = False


@dataclass
class _Slot:
    at: dt.time
    kind: str
    minutes: int
    guaranteed: bool = False  # always performed with staff (the 14-day measure's clients)
    double: bool = False
    by: Staff | None = None  # fixed performer (nurse, alarm responder)


def _state_on(steps: list[Step], on: dt.date) -> Step | None:
    state = None
    for step in steps:
        if step.effective <= on:
            state = step
    return state


def _slots(
    rng: random.Random, pair: PairPlan, day: dt.date, index: int, planner: _Planner
) -> list[_Slot]:
    slots: list[_Slot] = []
    care = pair.ongoing(Kind.PERSONAL_CARE, day)
    if pair.visits == "intensive" and care:
        count = 4 if rng.random() < 0.6 else 3
        for n, (hour, minute) in enumerate([(7, 30), (12, 0), (16, 30), (20, 30)][:count]):
            jitter = rng.randint(-20, 20)
            at = dt.datetime.combine(day, dt.time(hour, minute)) + dt.timedelta(minutes=jitter)
            slots.append(
                _Slot(
                    at.time(),
                    Visit.Kind.CARE,
                    rng.choice([25, 30, 45]),
                    n < 2,
                    double=pair.double and n == 0,
                )
            )
        if pair.night:
            # Night patrol check; outside 07–22, so not part of the 14-day measure.
            slots.append(
                _Slot(dt.time(rng.choice([0, 1, 4]), rng.randint(0, 59)), Visit.Kind.CARE, 15)
            )
        nurses = planner.nurses[pair.unit]
        if nurses and day.weekday() == index % 5:
            slots.append(
                _Slot(
                    dt.time(10, rng.randint(0, 59)),
                    Visit.Kind.HEALTH,
                    30,
                    by=nurses[index % len(nurses)],
                )
            )
    elif pair.visits == "care" and care:
        count = rng.choices([0, 1, 2, 3], weights=[1, 3, 4, 2])[0]
        times = sorted(rng.sample([(8, 0), (12, 30), (18, 0)], count))
        for hour, minute in times:
            slots.append(
                _Slot(
                    dt.time(hour, minute + rng.randint(0, 25)),
                    Visit.Kind.CARE,
                    rng.choice([20, 30, 45]),
                    double=pair.double and hour == 8,
                )
            )
    elif pair.visits == "young" and care and day.weekday() in (1, 3, 5):
        slots.append(_Slot(dt.time(rng.choice([10, 14]), 0), Visit.Kind.CARE, 120))
    elif (
        pair.visits == "cleaning"
        and pair.ongoing(Kind.CLEANING, day)
        and (day - pair.start).days % 14 == 0
    ):
        slots.append(_Slot(dt.time(9, 30), Visit.Kind.CARE, 120))
    if pair.ongoing(Kind.MEALS, day):
        slots.append(_Slot(dt.time(11, rng.randint(0, 59)), Visit.Kind.MEAL, 10))
    if pair.ongoing(Kind.ALARM, day) and rng.random() < 0.12:
        hour = rng.choice([0, 1, 3, 5, 8, 10, 13, 15, 17, 19, 21, 23])
        responders = planner.carers[pair.unit]
        slots.append(
            _Slot(
                dt.time(hour, rng.randint(0, 59)),
                Visit.Kind.ALARM,
                20,
                by=rng.choice(responders) if responders else None,
            )
        )
    return sorted(slots, key=lambda s: s.at)


def _choose(
    rng: random.Random,
    ordinary: Staff | None,
    deputy: Staff | None,
    pool: list[Staff],
    everyone: list[Staff],
    exclude: Staff | None,
) -> Staff:
    """The ordinary contact a good share, the deputy some, else the client's
    usual pool, now and then anyone on the unit (a stand-in)."""
    r = rng.random()
    if ordinary is not None and ordinary is not exclude and r < 0.45:
        return ordinary
    if deputy is not None and deputy is not exclude and r < 0.62:
        return deputy
    if r > 0.9:
        pool = everyone
    choices = [s for s in pool if s is not exclude] or pool
    return rng.choice(choices)


def visit_rows(
    seed: int,
    spec: ClientSpec,
    pair: PairPlan,
    planner: _Planner,
    today: dt.date,
    now: dt.datetime,
) -> list[VisitRow]:
    """A pair's visits over the last VISIT_DAYS days, and the ones planned for
    the next PLANNED_DAYS: a small pool of staff per client, the ordinary
    contact doing a good share, and the usual exceptions."""
    carers = planner.carers[pair.unit]
    if not pair.visits or not carers:
        return []
    pool_rng = _rng(seed, "pool", spec.index, pair.unit)
    low, high = POOL_SIZE.get(pair.unit, (3, 6))
    pool = pool_rng.sample(carers, k=min(len(carers), pool_rng.randint(low, high)))
    first = max(today - dt.timedelta(days=VISIT_DAYS - 1), pair.start)
    ahead = today + dt.timedelta(days=PLANNED_DAYS)
    last = min(ahead, pair.end or ahead)
    rows: list[VisitRow] = []
    day = first
    while day <= last:
        rng = _rng(seed, "visits", spec.customer_number, pair.unit, day.isoformat())
        state = _state_on(pair.steps, day)
        accepted = state is not None and state.status == Status.ACCEPTED
        ordinary = state.ordinary if accepted and state else None
        deputy = state.deputy if accepted and state else None

        def choose(exclude: Staff | None = None) -> Staff:
            return _choose(rng, ordinary, deputy, pool, carers, exclude)  # noqa: B023 (used at once)

        for number, slot in enumerate(_slots(rng, pair, day, spec.index, planner)):
            start = dt.datetime.combine(day, slot.at, tzinfo=STOCKHOLM)
            performer = slot.by or choose()
            staff = [performer]
            if slot.double or (slot.kind == Visit.Kind.CARE and rng.random() < 0.03):
                staff.append(choose(exclude=performer))
                if staff[1] is performer:
                    staff.pop()
            planned = list(staff)
            if rng.random() < 0.07:
                # Someone else was planned (sick leave, rescheduling).
                substitute = rng.choice(pool)
                if all(substitute is not s for s in staff):
                    planned[0] = substitute
            status = Visit.Status.PERFORMED
            r = rng.random()
            if slot.kind == Visit.Kind.CARE and not slot.guaranteed:
                if r < 0.03:
                    status, staff = Visit.Status.CANCELLED, []
                elif r < 0.05:
                    status, staff = Visit.Status.DECLINED, []
                elif r < 0.06:
                    staff = []  # performed, but nobody registered on it
            r = rng.random()
            receipt: str = Visit.Receipt.COMPLETE
            afterwards = False
            if status != Visit.Status.PERFORMED:
                receipt = Visit.Receipt.NONE
            elif r < 0.06 or not staff:
                receipt, afterwards = Visit.Receipt.NONE, True
            elif r < 0.12:
                receipt = Visit.Receipt.INCOMPLETE
            if start > now:
                status, staff, receipt, afterwards = Visit.Status.PLANNED, [], "", False
            rows.append(
                VisitRow(
                    visit_id=f"{VISIT_PREFIX}{spec.customer_number}-{pair.unit}-{day:%Y%m%d}-{number}",
                    unit=pair.unit,
                    start=start,
                    end=start + dt.timedelta(minutes=slot.minutes),
                    status=status,
                    kind=slot.kind,
                    staff=staff,
                    planned=planned,
                    receipt=receipt,
                    afterwards=afterwards,
                )
            )
        day += dt.timedelta(days=1)
    return rows


# --- writing --------------------------------------------------------------------------


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def anything_created(self) -> bool:
        return any(self.created.values())


def _add(report: Report, key: str, n: int = 1) -> None:
    report.created[key] = report.created.get(key, 0) + n


def _new_services(
    client: Client, pair: PairPlan, unit: Unit
) -> list[tuple[Service, dt.date | None]]:
    """The services of a (client, unit) that has none yet, unsaved, each with
    the end it is to get. The service that ends an execution closed by a move
    or by hand is open for now: services.client_move or services.service_end
    ends it after the history is written, so their rules end the contacts.

    Written in bulk instead of by services.service_upsert: before the history
    and the plans exist, the follow-ups of a service change (ending contacts
    and plans when the execution ends) have nothing to act on."""
    closing = pair.move_to is not None or pair.ended_by_hand
    rows = []
    for kind, start, end in pair.services:
        ends_execution = closing and end is not None and end == pair.end
        service = Service(
            client=client, unit=unit, kind=kind, start=start, end=None if ends_execution else end
        )
        rows.append((service, end))
    return rows


def _write_history(client: Client, unit: Unit, steps: list[Step], by: Any) -> None:
    """services.care_contact_change for each step, on a (client, unit) without
    history, in one insert: the same rows (old values, the period each change
    is in force, a step that changes nothing is left out) and the same
    care_contact_changed signal per change (the automatic journal notes)."""
    care_contact, _created = CareContact.objects.get_or_create(
        client=client, unit=unit, defaults={"created_by": by}
    )
    before = history.NOT_ASKED
    changes: list[CareContactChange] = []
    for step in sorted(steps, key=lambda s: s.effective):
        ordinary_id = step.ordinary.pk if step.ordinary else None
        deputy_id = step.deputy.pk if step.deputy else None
        reason = (step.reason or "").strip()
        if (
            before.status == step.status
            and before.ordinary_id == ordinary_id
            and before.deputy_id == deputy_id
            and (step.status != Status.DECLINED or before.reason == reason)
        ):
            continue
        changes.append(
            CareContactChange(
                care_contact=care_contact,
                client=client,
                unit=unit,
                effective=step.effective,
                status=step.status,
                ordinary=step.ordinary,
                deputy=step.deputy,
                old_status=before.status,
                old_ordinary_id=before.ordinary_id,
                old_deputy_id=before.deputy_id,
                reason=reason,
                source=CareContactChange.Source.BROWSER,
                changed_by=by,
            )
        )
        before = history.ContactState(step.status, ordinary_id, deputy_id, reason)
    for change, following in zip(changes, [*changes[1:], None], strict=True):
        change.valid_until = following.effective if following is not None else None
    CareContactChange.objects.bulk_create(changes)
    if any(change.pk is None for change in changes):
        # Databases without RETURNING: read the rows back, in the same order.
        changes = list(
            CareContactChange.objects.filter(client=client, unit=unit).order_by("effective", "id")
        )
    for change in changes:
        care_contact_changed.send(
            sender=CareContact, change=change, care_contact=care_contact, by=by
        )


def _write_pair(
    client: Client,
    pair: PairPlan,
    unit: Unit,
    units: dict[str, Unit],
    managers: dict,
    new_services: dict,
    with_history: set,
    with_plans: set,
    today: dt.date,
) -> None:
    """The contact history as the unit manager registered it (the services are
    written before, for all clients at once), then the end of the execution
    (by a move or by hand) so the services' own rules remove the contact links."""
    by = managers.get(pair.unit)
    key = (client.pk, unit.pk)
    # Natural keys make each call idempotent; the pair checks also keep a run
    # on a later day (other dates relative to today) from adding a second set.
    to_end = [
        (service, end)
        for service, end in new_services.get(key, [])
        if end is not None and service.end is None
    ]
    if pair.steps and key not in with_history:
        if CareContactChange.objects.filter(client=client, unit=unit).exists():
            # A move into this unit wrote its first change: add to that history.
            for step in pair.steps:
                services.care_contact_change(
                    client=client,
                    unit=unit,
                    status=step.status,
                    ordinary=step.ordinary,
                    deputy=step.deputy,
                    effective=step.effective,
                    reason=step.reason,
                    by=by,
                )
        else:
            _write_history(client, unit, pair.steps, by)
    if pair.plan is not None and key not in with_plans:
        plans_services.plan_create(client=client, unit=unit, by=by, today=today, **pair.plan)
    if to_end and pair.move_to is not None:
        services.client_move(
            client=client,
            from_unit=unit,
            to_unit=units[pair.move_to],
            on=to_end[0][1] + dt.timedelta(days=1),
            by=by,
        )
    else:
        for service, end in to_end:
            services.service_end(service=service, end=end, by=by)


def _insert_pairs(through: Any, pairs: list[tuple[int, int]]) -> None:
    """Rows (visit id, staff id) of a many-to-many table of Visit, in one
    executemany: tens of thousands of two-integer rows, where building a
    model instance for each would take most of the demo's time."""
    if not pairs:
        return
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}, {}) VALUES (%s, %s)".format(
        quote(through._meta.db_table),
        quote(through._meta.get_field("visit").column),
        quote(through._meta.get_field("staff").column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, pairs)


def _write_clients(client_plans: list[ClientSpec], report: Report) -> dict[int, Client]:
    """The clients, by customer number: existing ones through
    services.client_upsert (which updates what differs), new ones in one
    insert (with what Client.save() derives from the personal id)."""
    existing = {
        c.customer_number: c
        for c in Client.objects.filter(
            customer_number__in=[cspec.customer_number for cspec in client_plans]
        )
    }
    client_objs: dict[int, Client] = {}
    new: list[Client] = []
    for cspec in client_plans:
        if cspec.customer_number in existing:
            result = services.client_upsert(
                customer_number=cspec.customer_number, fields=cspec.fields
            )
            client_objs[cspec.index] = result.obj
            continue
        client = Client(customer_number=cspec.customer_number, **cspec.fields)
        parsed = parse_personal_id(client.personal_id)
        client.personal_id = parsed.canonical
        client.birth_date = parsed.birth_date
        client.sex = parsed.sex
        new.append(client)
        client_objs[cspec.index] = client
    Client.objects.bulk_create(new, batch_size=500)
    if any(client.pk is None for client in new):
        # Databases without RETURNING: look the new primary keys up.
        pks = dict(
            Client.objects.filter(customer_number__in=[c.customer_number for c in new]).values_list(
                "customer_number", "pk"
            )
        )
        for client in new:
            client.pk = pks[client.customer_number]
    _add(report, "clients", len(new))
    return client_objs


@transaction.atomic
def seed_demo(
    *,
    clients: int = DEFAULT_CLIENTS,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    log: Callable[[str], None] | None = None,
) -> Report:
    """Create (or find) the demo municipality. Returns what was created."""
    today = today or timezone.localdate()
    # Visits later than this are still planned; for a given ``today`` in the
    # past, the whole day has been.
    end_of_today = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=STOCKHOLM)
    now = min(timezone.now(), end_of_today)
    report = Report()

    def say(line: str) -> None:
        report.lines.append(line)
        if log is not None:
            log(line)

    # Units ---------------------------------------------------------------------------
    care_types = {c.code: c for c in CareType.objects.all()}
    units: dict[str, Unit] = {}
    for unit_spec in UNITS:
        result = services.unit_upsert(
            code=unit_spec.code, name=unit_spec.name, provider=unit_spec.provider
        )
        unit = result.obj
        care_type = care_types.get(unit_spec.care_type)
        if care_type is not None and unit.care_type_id != care_type.pk:
            # No service sets a unit's care type: the nursing home is not hemtjänst.
            unit.care_type = care_type
            unit.save(update_fields=["care_type"])
        phone = f"0470-{40 + len(units)}0 00"
        if unit.phone != phone:
            unit.phone = phone
            unit.save(update_fields=["phone"])
        units[unit_spec.code] = unit
        _add(report, "units", int(result.created))
    say(
        _("Enheter: %(total)d (%(new)d nya)")
        % {"total": len(units), "new": report.created["units"]}
    )

    # Users ---------------------------------------------------------------------------
    User = get_user_model()
    users: dict[str, object] = {}
    # One (deliberately slow) hash shared by all new demo users.
    password_hash = make_password(PASSWORD)
    for user_spec in USERS:
        user, created = User.objects.get_or_create(
            username=user_spec.username,
            defaults={
                "first_name": user_spec.first_name,
                "last_name": user_spec.last_name,
                "email": f"{user_spec.username}@ekdala.example.org",
            },
        )
        if created:
            user.password = password_hash
            if user_spec.role == Role.ADMINISTRATOR:
                user.is_staff = True
                user.is_superuser = True
            user.save()
        user.groups.add(Group.objects.get(name=user_spec.role))
        for code in user_spec.units:
            units[code].members.add(user)
        users[user_spec.username] = user
        _add(report, "users", int(created))
        report.logins.append(
            (
                user_spec.username,
                PASSWORD,
                str(Role(user_spec.role).label),
                ", ".join(units[c].name for c in user_spec.units) or _("alla enheter"),
            )
        )
    managers = {
        code: users[user_spec.username]
        for user_spec in USERS
        if user_spec.role == Role.UNIT_MANAGER
        for code in user_spec.units
    }
    say(
        _("Användare: %(total)d (%(new)d nya)")
        % {"total": len(users), "new": report.created["users"]}
    )

    # Staff ---------------------------------------------------------------------------
    ids = _Ids()
    specs = staff_specs(seed, ids)
    staff: dict[str, Staff] = {}
    for staff_spec in specs:
        fields = {
            "personal_id": staff_spec.personal_id,
            "first_name": staff_spec.first_name,
            "last_name": staff_spec.last_name,
            "title": staff_spec.title,
            "phone": staff_spec.phone,
            "email": staff_spec.email,
            "hsa_id": staff_spec.hsa_id,
            "available": staff_spec.available,
            "fok_selectable": staff_spec.fok_selectable,
            "can_receive_delegation": staff_spec.can_receive_delegation,
            "title_certificate_date": staff_spec.title_certificate_date,
            "permanent_on_2023_07_01": staff_spec.permanent_on_2023_07_01,
        }
        if staff_spec.username:
            fields["user"] = users[staff_spec.username]
        result = services.staff_upsert(
            signature=staff_spec.signature,
            units=[units[c] for c in staff_spec.units],
            fields=fields,
        )
        staff[staff_spec.signature] = result.obj
        _add(report, "staff", int(result.created))
    say(
        _("Personal: %(total)d (%(new)d nya)")
        % {"total": len(staff), "new": report.created["staff"]}
    )

    # Clients, relatives, services, care contacts ---------------------------------------
    planner = _Planner(seed, today, staff, specs)
    client_plans = client_specs(seed, clients, today, ids, planner)
    with_services = set(Service.objects.values_list("client_id", "unit_id"))
    with_history = set(CareContactChange.objects.values_list("client_id", "unit_id"))
    with_relatives = set(Relative.objects.values_list("client_id", "name"))
    with_plans = set(ImplementationPlan.objects.values_list("client_id", "unit_id"))
    plans_before = ImplementationPlan.objects.count()
    services_before = Service.objects.count()
    changes_before = CareContactChange.objects.count()
    client_objs = _write_clients(client_plans, report)
    say(
        _("Brukare: %(total)d (%(new)d nya)")
        % {"total": len(client_objs), "new": report.created["clients"]}
    )
    # The services of every (client, unit) that has none, in one insert.
    new_services: dict[tuple[int, int], list[tuple[Service, dt.date | None]]] = {}
    for cspec in client_plans:
        client = client_objs[cspec.index]
        for pair in cspec.pairs:
            key = (client.pk, units[pair.unit].pk)
            if key not in with_services and not pair.moved_in:
                new_services[key] = _new_services(client, pair, units[pair.unit])
    Service.objects.bulk_create(
        [service for rows in new_services.values() for service, _end in rows], batch_size=500
    )
    if any(s.pk is None for rows in new_services.values() for s, _end in rows):
        # Databases without RETURNING: look the new primary keys up.
        service_pks = {
            (s.client_id, s.unit_id, s.kind, s.start): s.pk
            for s in Service.objects.filter(client__in=[c.pk for c in client_objs.values()]).only(
                "client_id", "unit_id", "kind", "start"
            )
        }
        for rows in new_services.values():
            for service, _end in rows:
                service.pk = service_pks[
                    (service.client_id, service.unit_id, service.kind, service.start)
                ]
    new_relatives: list[Relative] = []
    for done, cspec in enumerate(client_plans, start=1):
        client = client_objs[cspec.index]
        for relative in cspec.relatives:
            if (client.pk, relative["name"]) not in with_relatives:
                with_relatives.add((client.pk, relative["name"]))
                new_relatives.append(Relative(client=client, **relative))
        for pair in cspec.pairs:
            _write_pair(
                client,
                pair,
                units[pair.unit],
                units,
                managers,
                new_services,
                with_history,
                with_plans,
                today,
            )
        if done % 50 == 0 or done == len(client_plans):
            say(
                _("  kontakthistorik och planer: %(done)d av %(total)d brukare")
                % {"done": done, "total": len(client_plans)}
            )
    Relative.objects.bulk_create(new_relatives)
    _add(report, "relatives", len(new_relatives))
    _add(report, "services", Service.objects.count() - services_before)
    _add(report, "changes", CareContactChange.objects.count() - changes_before)
    _add(report, "plans", ImplementationPlan.objects.count() - plans_before)
    say(
        _(
            "Insatser och kontakter: %(services)d nya insatser, "
            "%(relatives)d nya närstående, %(changes)d nya kontaktändringar, "
            "%(plans)d nya genomförandeplaner"
        )
        % {
            "services": report.created["services"],
            "relatives": report.created["relatives"],
            "changes": report.created["changes"],
            "plans": report.created["plans"],
        }
    )

    # Visits --------------------------------------------------------------------------
    existing = set(
        Visit.objects.filter(visit_id__startswith=VISIT_PREFIX).values_list("visit_id", flat=True)
    )
    new_visits: list[Visit] = []
    links: list[tuple[Visit, list[Staff], list[Staff]]] = []
    total = 0
    for cspec in client_plans:
        client = client_objs[cspec.index]
        for pair in cspec.pairs:
            for row in visit_rows(seed, cspec, pair, planner, today, now):
                total += 1
                if row.visit_id in existing:
                    continue
                visit = Visit(
                    visit_id=row.visit_id,
                    client=client,
                    unit=units[row.unit],
                    start=row.start,
                    end=row.end,
                    status=row.status,
                    kind=row.kind,
                    receipt=row.receipt,
                    registered_afterwards=row.afterwards,
                )
                # Its team (contacts.visit_team): the staff rows go in below.
                visit.team_size, visit.team_low, visit.team_high = visit_team.summary(
                    s.pk for s in row.staff
                )
                new_visits.append(visit)
                links.append((visit, row.staff, row.planned))
    Visit.objects.bulk_create(new_visits, batch_size=1000)
    if any(v.pk is None for v in new_visits):
        # Databases without RETURNING: look the new primary keys up.
        pks = dict(
            Visit.objects.filter(visit_id__startswith=VISIT_PREFIX).values_list("visit_id", "pk")
        )
        for visit in new_visits:
            visit.pk = pks[visit.visit_id]
    _insert_pairs(Visit.staff.through, [(v.pk, s.pk) for v, done, _p in links for s in done])
    _insert_pairs(
        Visit.planned_staff.through, [(v.pk, s.pk) for v, _d, plan in links for s in plan]
    )
    _add(report, "visits", len(new_visits))
    say(_("Besök: %(total)d (%(new)d nya)") % {"total": total, "new": len(new_visits)})
    if not report.anything_created:
        say(_("Demodata fanns redan: inget nytt har lagts till."))
    versions.bump()  # written in bulk: every unit's reports (contacts.versions)
    return report
