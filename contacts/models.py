from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import personal_id as pid

# SoL 3 kap. 3 d § and patientsäkerhetslagen 4 kap. 5 a §: from 1 July 2023 only a
# person entitled to the protected title undersköterska may be appointed. The
# transitional rule covers those permanently employed with the title on that day,
# for ten years: valid up to and including 30 June 2033.
TITLE_RULE_START = dt.date(2023, 7, 1)
TRANSITIONAL_RULE_END = dt.date(2033, 7, 1)  # first day the transitional rule no longer covers

# Dates and times users and reports speak of are Swedish wall-clock time.
STOCKHOLM = ZoneInfo("Europe/Stockholm")


class Provider(models.Model):
    code = models.CharField(_("kod"), max_length=64, unique=True)
    name = models.CharField(_("namn"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("utförare")
        verbose_name_plural = _("utförare")

    def __str__(self) -> str:
        return self.name


class CareType(models.Model):
    """Kind of care a unit gives (hemtjänst, särskilt boende, ...): data, not code,
    since the duty to offer a care contact may extend to more care types."""

    code = models.SlugField(_("kod"), max_length=64, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    offers_care_contact = models.BooleanField(_("fast omsorgskontakt erbjuds"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("omsorgsform")
        verbose_name_plural = _("omsorgsformer")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    code = models.CharField(_("kod"), max_length=64, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("utförare"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    care_type = models.ForeignKey(
        CareType,
        verbose_name=_("omsorgsform"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    # Shown to clients (the letter about their care contact) and on reports.
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("användare"),
        blank=True,
        related_name="units",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")

    def __str__(self) -> str:
        return self.name


class StaffTitle(models.TextChoices):
    ASSISTANT_NURSE = "assistant_nurse", _("Undersköterska")
    CARE_AIDE = "care_aide", _("Vårdbiträde")
    NURSE = "nurse", _("Sjuksköterska")
    OCCUPATIONAL_THERAPIST = "occupational_therapist", _("Arbetsterapeut")
    PHYSIOTHERAPIST = "physiotherapist", _("Fysioterapeut")
    UNIT_MANAGER = "unit_manager", _("Enhetschef")
    COORDINATOR = "coordinator", _("Samordnare")
    OTHER = "other", _("Övrig")


class Staff(models.Model):
    Title = StaffTitle

    personal_id = models.CharField(
        _("personnummer"), max_length=13, null=True, blank=True, unique=True
    )
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    title = models.CharField(_("titel"), max_length=32, choices=Title.choices)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    # Stored without the leading "@"; shown as "@signature".
    signature = models.CharField(_("signatur"), max_length=32, unique=True)
    hsa_id = models.CharField(_("HSA-id"), max_length=64, blank=True)
    available = models.BooleanField(_("tillgänglig"), default=True)
    can_receive_delegation = models.BooleanField(_("kan ta emot delegering"), default=False)
    fok_selectable = models.BooleanField(_("valbar som fast omsorgskontakt"), default=False)
    title_certificate_date = models.DateField(
        _("datum för bevis om skyddad yrkestitel"), null=True, blank=True
    )
    permanent_on_2023_07_01 = models.BooleanField(
        _("tillsvidareanställd som undersköterska 2023-07-01"),
        default=False,
        help_text=_("Övergångsregeln: får utses till och med 2033-06-30."),
    )
    employment_end = models.DateField(_("anställning upphör"), null=True, blank=True)
    units = models.ManyToManyField(Unit, verbose_name=_("enheter"), related_name="staff")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inloggning"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("personal")
        verbose_name_plural = _("personal")
        constraints = [
            models.CheckConstraint(
                condition=Q(title__in=StaffTitle.values),
                name="contacts_staff_title_valid",
            ),
            models.CheckConstraint(
                condition=~Q(signature=""), name="contacts_staff_signature_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} (@{self.signature})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def handle(self) -> str:
        return f"@{self.signature}"

    def title_evidence_valid_on(self, on: dt.date) -> bool:
        """Is the right to the protected title undersköterska shown for ``on``?
        Not asked for before the rule applied (TITLE_RULE_START): a history of
        appointments from 2022–2023 stays valid whenever the certificate came."""
        if on < TITLE_RULE_START:
            return True
        if self.title_certificate_date is not None and self.title_certificate_date <= on:
            return True
        return self.permanent_on_2023_07_01 and on < TRANSITIONAL_RULE_END

    def employed_on(self, on: dt.date) -> bool:
        return self.employment_end is None or on <= self.employment_end

    def may_be_appointed(self, on: dt.date) -> bool:
        """May this person be appointed fast omsorgskontakt on ``on``?

        The one rule used everywhere: title undersköterska, marked selectable,
        available, employed, and with title evidence valid on the date."""
        return (
            self.title == self.Title.ASSISTANT_NURSE
            and self.fok_selectable
            and self.available
            and self.employed_on(on)
            and self.title_evidence_valid_on(on)
        )

    def appointment_obstacles(self, on: dt.date, *, evidence: bool = True) -> list[str]:
        """Why ``may_be_appointed(on)`` is false, in Swedish, for error messages.
        ``evidence=False`` leaves out the title evidence (the worklists list it
        once per staff member)."""
        reasons: list[str] = []
        if self.title != self.Title.ASSISTANT_NURSE:
            reasons.append(str(_("har inte titeln undersköterska")))
        if not self.fok_selectable:
            reasons.append(str(_("är inte valbar som fast omsorgskontakt")))
        if not self.available:
            reasons.append(str(_("är inte tillgänglig")))
        if not self.employed_on(on):
            reasons.append(str(_("är inte anställd på datumet")))
        if (
            evidence
            and self.title == self.Title.ASSISTANT_NURSE
            and not self.title_evidence_valid_on(on)
        ):
            reasons.append(str(_("saknar giltigt bevis om skyddad yrkestitel på datumet")))
        return reasons

    @classmethod
    def appointable_q(cls, on: dt.date) -> Q:
        """``may_be_appointed`` as a query, so lists and pickers agree with it."""
        evidence = Q(title_certificate_date__lte=on)
        if on < TRANSITIONAL_RULE_END:
            evidence |= Q(permanent_on_2023_07_01=True)
        if on < TITLE_RULE_START:
            evidence = Q()  # the title rule did not apply yet
        return (
            Q(title=cls.Title.ASSISTANT_NURSE, fok_selectable=True, available=True)
            & (Q(employment_end__isnull=True) | Q(employment_end__gte=on))
            & evidence
        )


class Client(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Kvinna")
        MALE = "M", _("Man")
        UNKNOWN = "", _("Okänt")

    customer_number = models.CharField(_("kundnummer"), max_length=32, unique=True)
    personal_id = models.CharField(_("personnummer"), max_length=13, unique=True)
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    birth_date = models.DateField(_("födelsedatum"))
    sex = models.CharField(_("kön"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    address = models.CharField(_("adress"), max_length=300, blank=True)
    cognitive_impairment = models.BooleanField(_("kognitiv svikt"), default=False)
    small_social_network = models.BooleanField(_("begränsat socialt nätverk"), default=False)
    other_information = models.TextField(_("övrig information"), blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("brukare")
        verbose_name_plural = _("brukare")
        indexes = [
            # Client lists and searches sorted by name.
            models.Index(fields=["last_name", "first_name"], name="contacts_client_name_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        parsed = pid.parse(self.personal_id)
        self.personal_id = parsed.canonical
        self.birth_date = parsed.birth_date
        self.sex = parsed.sex
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("client_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, on: dt.date) -> int:
        return pid.age_on(self.birth_date, on)


class Relative(models.Model):
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="relatives", verbose_name=_("brukare")
    )
    name = models.CharField(_("namn"), max_length=200)
    relation = models.CharField(_("relation"), max_length=100, blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    consent_to_contact = models.BooleanField(_("samtycke till kontakt"), default=False)
    legal_representative = models.BooleanField(_("legal företrädare"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("närstående")
        verbose_name_plural = _("närstående")

    def __str__(self) -> str:
        return self.name


class ServiceKind(models.TextChoices):
    PERSONAL_CARE = "personal_care", _("Personlig omvårdnad")
    ALARM = "alarm", _("Trygghetslarm")
    MEALS = "meals", _("Matdistribution")
    SHOPPING = "shopping", _("Inköp")
    CLEANING = "cleaning", _("Städ")
    LAUNDRY = "laundry", _("Tvätt")
    ESCORT = "escort", _("Ledsagning")
    RELIEF = "relief", _("Avlösning")
    OTHER = "other", _("Övrigt")


class Service(models.Model):
    """An insats under SoL executed at a unit (verkställighet). A client is on a
    unit while a service there is ongoing."""

    Kind = ServiceKind

    # Services that alone may make a care contact obviously unnecessary.
    SIMPLE_KINDS = frozenset(
        {ServiceKind.ALARM, ServiceKind.MEALS, ServiceKind.SHOPPING, ServiceKind.CLEANING}
    )

    # No index of their own: contacts_service_natural_key begins with the
    # client, contacts_service_unit_idx with the unit (tests/test_indexes.py).
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("brukare"),
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("enhet"),
        db_index=False,
    )
    kind = models.CharField(_("insats"), max_length=32, choices=Kind.choices)
    start = models.DateField(_("startdatum"))
    end = models.DateField(_("slutdatum"), null=True, blank=True)
    # Handbook 1.10: the move that ended this service (its last day is the day
    # before the move). A move dated on or before the start ends the service
    # before it began (end < start: never given on this unit), so the client's
    # execution here ends on the move date like any other end (handbook 1.11).
    move = models.ForeignKey(
        "ClientMove",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ended_services",
        verbose_name=_("avslutad genom flytt"),
    )

    class Meta:
        ordering = ["start"]
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "unit", "kind", "start"], name="contacts_service_natural_key"
            ),
            # Only a move may end a service before it began (see ``move``).
            models.CheckConstraint(
                condition=Q(end__isnull=True)
                | Q(end__gte=models.F("start"))
                | Q(move__isnull=False),
                name="contacts_service_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ServiceKind.values), name="contacts_service_kind_valid"
            ),
        ]
        indexes = [
            # "Clients on unit U on date D": services by unit and period.
            models.Index(fields=["unit", "start", "end"], name="contacts_service_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.unit})"

    def ongoing_on(self, on: dt.date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)

    @property
    def never_given(self) -> bool:
        """Moved away before it began (handbook 1.10): an empty period."""
        return self.end is not None and self.end < self.start

    @staticmethod
    def ongoing_q(on: dt.date, prefix: str = "") -> Q:
        return Q(**{f"{prefix}start__lte": on}) & (
            Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": on})
        )


class ClientMove(models.Model):
    """Handbook 1.10: a client moved from one unit to another from a date (the
    first day on the new unit). The services it ended point to it; the
    receiving unit's start page lists recent moves still to be handled."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="moves", verbose_name=_("brukare")
    )
    from_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="moves_out", verbose_name=_("från enhet")
    )
    # No index of its own: contacts_move_to_unit_idx begins with it.
    to_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="moves_in",
        verbose_name=_("till enhet"),
        db_index=False,
    )
    on = models.DateField(_("flyttdatum"))
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("flyttad av"),
    )
    moved_at = models.DateTimeField(_("registrerad"), auto_now_add=True)

    class Meta:
        ordering = ["-moved_at", "-id"]
        verbose_name = _("flytt av brukare")
        verbose_name_plural = _("flyttar av brukare")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_unit=models.F("to_unit")),
                name="contacts_clientmove_other_unit",
            ),
        ]
        indexes = [
            # The receiving unit's start page: moves into the user's units
            # registered lately (contacts.selectors.recent_moves_in).
            models.Index(fields=["to_unit", "moved_at"], name="contacts_move_to_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client}: {self.from_unit} → {self.to_unit} ({self.on})"


class ContactStatus(models.TextChoices):
    NOT_ASKED = "not_asked", _("Brukaren ej tillfrågad")
    NO_NEED = "no_need", _("Brukaren saknar behov")
    DECLINED = "declined", _("Brukaren tackar nej")
    ACCEPTED = "accepted", _("Brukaren tackar ja")


class CareContact(models.Model):
    """A client's fast omsorgskontakt on one unit: the anchor of its history.

    The status and the contacts are not stored here. Every change is a
    ``CareContactChange`` row with the date it takes effect, and the state on
    any date — today included — is read from those rows by ``contacts.history``,
    so nothing has to be refreshed when a future-dated change comes into force.
    This row records who started the client's contact on the unit, and is the
    row a change locks so two changes of one client and unit never interleave."""

    Status = ContactStatus

    # No index of its own: the unique constraint on (client, unit) begins with it.
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        related_name="care_contacts",
        verbose_name=_("brukare"),
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="care_contacts", verbose_name=_("enhet")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("skapad av"),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("fast omsorgskontakt")
        verbose_name_plural = _("fasta omsorgskontakter")
        permissions = [
            ("view_fok_statistics", _("Får söka statistik för fast omsorgskontakt")),
            ("view_continuity_reports", _("Får läsa kontinuitetsrapporter")),
            ("import_data", _("Får importera data")),
            # contacts.access: administrators reach every unit and client.
            ("view_all_units", _("Får se alla enheter och brukare")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "unit"], name="contacts_carecontact_one_per_client_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} – {self.unit}"


class CareContactChange(models.Model):
    """One change of a care contact, effective from a date: the full state after
    the change plus the state before it. The history is the source of truth for
    every "as of date D" question."""

    class Source(models.TextChoices):
        BROWSER = "browser", _("Webbläsare")
        IMPORT = "import", _("Import")
        SYSTEM = "system", _("Automatiskt")

    care_contact = models.ForeignKey(CareContact, on_delete=models.CASCADE, related_name="changes")
    # Denormalised from care_contact so reports can filter the history directly.
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    # No index of its own: contacts_ccc_asof_idx begins with it.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    effective = models.DateField(_("gäller från"))
    status = models.CharField(_("status"), max_length=16, choices=CareContact.Status.choices)
    ordinary = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ordinarie"),
    )
    deputy = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("vice"),
    )
    old_status = models.CharField(
        _("tidigare status"), max_length=16, choices=CareContact.Status.choices
    )
    old_ordinary = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tidigare ordinarie"),
    )
    old_deputy = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tidigare vice"),
    )
    reason = models.TextField(_("anledning"), blank=True)
    # "Saknar behov" registered although the form warned against it (the
    # exception is only for a contact obviously unnecessary): the warnings the
    # user confirmed, one a line; the reason says why.
    overridden_warnings = models.TextField(_("bekräftat trots varning"), blank=True)
    source = models.CharField(
        _("källa"), max_length=16, choices=Source.choices, default=Source.BROWSER
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ändrad av"),
    )
    changed_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    # The first day this change no longer applies: the effective date of the
    # next change of the client on the unit in (effective, id) order, or None
    # while it is the latest. A change corrected later the same day gets its
    # own date (an empty period: it was never in force at the end of a day).
    # Kept by contacts.history.link_periods on every write; it makes "in force
    # on D" a range condition that SQL can join on (contacts.history.in_force_q).
    valid_until = models.DateField(_("gäller till"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["effective", "id"]
        verbose_name = _("ändring av fast omsorgskontakt")
        verbose_name_plural = _("ändringar av fast omsorgskontakt")
        constraints = [
            models.CheckConstraint(
                condition=Q(deputy__isnull=True) | ~Q(deputy=models.F("ordinary")),
                name="contacts_carecontactchange_deputy_not_ordinary",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(ordinary__isnull=False),
                name="contacts_carecontactchange_accepted_has_ordinary",
            ),
            models.CheckConstraint(
                condition=Q(status="accepted") | Q(ordinary__isnull=True, deputy__isnull=True),
                name="contacts_carecontactchange_contacts_only_when_accepted",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ContactStatus.values),
                name="contacts_carecontactchange_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("effective")),
                name="contacts_carecontactchange_period_not_reversed",
            ),
        ]
        indexes = [
            # The state of one client on one unit as of D, and reports joining a
            # unit's visits to the change in force on the visit's date.
            models.Index(fields=["unit", "client", "effective"], name="contacts_ccc_asof_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.effective}: {self.get_status_display()}"

    @property
    def decline_reason(self) -> str:
        return self.reason if self.status == ContactStatus.DECLINED else ""

    @property
    def accepted(self) -> bool:
        return self.status == ContactStatus.ACCEPTED and self.ordinary_id is not None

    def in_force_on(self, on: dt.date) -> bool:
        return self.effective <= on and (self.valid_until is None or on < self.valid_until)

    @property
    def ordinary_changed(self) -> bool:
        return self.ordinary_id != self.old_ordinary_id

    @property
    def deputy_changed(self) -> bool:
        return self.deputy_id != self.old_deputy_id

    @property
    def status_changed(self) -> bool:
        return self.status != self.old_status


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planerat")
    PERFORMED = "performed", _("Utfört")
    CANCELLED = "cancelled", _("Inställt")
    DECLINED = "declined", _("Avböjt")


class VisitKind(models.TextChoices):
    CARE = "care", _("Omsorg")
    ALARM = "alarm", _("Larm")
    MEAL = "meal", _("Måltid")
    HEALTH = "health", _("Hälso- och sjukvård")


def _set_local_start(visit: Visit) -> None:
    local = timezone.localtime(visit.start, STOCKHOLM) if visit.start else None
    visit.local_date = local.date() if local else None  # type: ignore[assignment]
    visit.local_time = local.time().replace(tzinfo=None) if local else None  # type: ignore[assignment]


class VisitQuerySet(models.QuerySet["Visit"]):
    """Keeps the stored local date and time of a visit in step with its start
    on bulk writes too (save() does it for single rows)."""

    def bulk_create(self, objs, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        objs = list(objs)
        for visit in objs:
            _set_local_start(visit)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        objs = list(objs)
        fields = list(fields)
        if "start" in fields:
            for visit in objs:
                _set_local_start(visit)
            fields += [name for name in ("local_date", "local_time") if name not in fields]
        return super().bulk_update(objs, fields, *args, **kwargs)


class Visit(models.Model):
    Status = VisitStatus

    Kind = VisitKind

    class Receipt(models.TextChoices):
        COMPLETE = "complete", _("Fullständig")
        INCOMPLETE = "incomplete", _("Ofullständig")
        NONE = "", _("Ingen")

    visit_id = models.CharField(_("besöks-id"), max_length=64, unique=True)
    # No index of their own: contacts_visit_client_idx begins with the client,
    # contacts_visit_unit_start_idx and contacts_visit_unit_date_idx with the
    # unit (tests/test_indexes.py): two indexes fewer to keep on every visit
    # written.
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        related_name="visits",
        verbose_name=_("brukare"),
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("enhet"),
        db_index=False,
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("slut"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    kind = models.CharField(_("typ"), max_length=16, choices=Kind.choices, default=Kind.CARE)
    staff = models.ManyToManyField(
        Staff, blank=True, related_name="visits", verbose_name=_("utförd av")
    )
    planned_staff = models.ManyToManyField(
        Staff, blank=True, related_name="planned_visits", verbose_name=_("planerad personal")
    )
    receipt = models.CharField(_("kvittens"), max_length=16, choices=Receipt.choices, blank=True)
    registered_afterwards = models.BooleanField(_("efterregistrerat"), default=False)
    # The start in Europe/Stockholm wall-clock time, stored when the visit is
    # written (save, bulk_create, bulk_update): reports group and filter by the
    # local day and the KKiK day window (07:00–22:00) without time-zone
    # arithmetic in SQL, and the planner sees real values to estimate with.
    local_date = models.DateField(_("datum"), editable=False)
    local_time = models.TimeField(_("klockslag"), editable=False)
    # The visit's team in ``staff``: how many, and the lowest and highest
    # staff id (plain integers: a summary, not references). The
    # organisation-wide continuity report compares within the visit's row
    # where a team has one or two members instead of reading a row per staff
    # member. Kept by every writer of ``staff`` (contacts.visit_team).
    team_size = models.PositiveSmallIntegerField(
        _("antal utförare"), default=0, db_default=0, editable=False
    )
    team_low = models.IntegerField(null=True, blank=True, editable=False)
    team_high = models.IntegerField(null=True, blank=True, editable=False)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        verbose_name = _("besök")
        verbose_name_plural = _("besök")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="contacts_visit_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VisitStatus.values),
                name="contacts_visit_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=VisitKind.values), name="contacts_visit_kind_valid"
            ),
        ]
        indexes = [
            # Continuity reports and visit overview: a unit's visits in a period.
            models.Index(fields=["unit", "start"], name="contacts_visit_unit_start_idx"),
            # A client's visits in time order (SECON, client drill-down).
            models.Index(fields=["client", "start"], name="contacts_visit_client_idx"),
            # Organisation-wide reports over a period (continuity, KKiK): every
            # visit whose local date is in the period, whatever the unit.
            models.Index(fields=["local_date"], name="contacts_visit_local_date_idx"),
            # One unit's visits in a period of local dates: the continuity report
            # and KKiK of a unit (reports.continuity), the visit overview
            # (reports.visits) and the planning week view (contacts.reading).
            models.Index(fields=["unit", "local_date"], name="contacts_visit_unit_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.start:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        _set_local_start(self)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            fields = set(kwargs["update_fields"])
            if "start" in fields:
                kwargs["update_fields"] = fields | {"local_date", "local_time"}
        elif not self._state.adding and not args and not kwargs.get("force_insert"):
            # The team columns are the staff rows' (contacts.visit_team), kept
            # by whoever writes those: an instance read before its staff
            # changed must not write its stale copy back.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in TEAM_FIELDS
            ]
        super().save(*args, **kwargs)


# Visit's columns that summarise its staff rows (contacts.visit_team).
TEAM_FIELDS = frozenset({"team_size", "team_low", "team_high"})


class ContactChangeRequest(models.Model):
    """A client's request for another care contact (the guidance for providers: the client may ask
    to change contact). Recorded first, then resolved by a change."""

    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        related_name="contact_requests",
        verbose_name=_("brukare"),
    )
    # No index of its own: contacts_ccr_unit_client_idx begins with it.
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="contact_requests",
        verbose_name=_("enhet"),
        db_index=False,
    )
    requested_on = models.DateField(_("önskemål framfört"))
    reason = models.TextField(_("anledning"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registrerat av"),
    )
    recorded_at = models.DateTimeField(_("registrerat"), auto_now_add=True)
    resolved_by_change = models.OneToOneField(
        CareContactChange,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="request",
        verbose_name=_("åtgärdat genom"),
    )

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("önskemål om byte av fast omsorgskontakt")
        verbose_name_plural = _("önskemål om byte av fast omsorgskontakt")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="contacts_contactchangerequest_reason_required"
            ),
        ]
        indexes = [
            # Open requests per unit (worklist) and per client (FOK tab).
            models.Index(fields=["unit", "client"], name="contacts_ccr_unit_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client} – {self.unit} ({self.requested_on})"


class DataVersion(models.Model):
    """A version per unit (``unit:<id>``) and one for every unit (``all``),
    renewed inside each transaction that writes what a unit's reports read:
    its visits and their staff, its contact changes, and (``all``) clients.
    A report computed under the versions it read first stays valid while
    they are unchanged (contacts.versions, reports.continuity)."""

    name = models.CharField(max_length=40, primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("dataversion")
        verbose_name_plural = _("dataversioner")

    def __str__(self) -> str:
        return f"{self.name}: {self.version}"
