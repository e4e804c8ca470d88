import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contacts.models import CareContactChange, Client, Staff, Unit

# Seed 003: a new client has a plan within 14 days of the start; a plan is
# revised at least every 6 months.
NEW_PLAN_DAYS = 14
REVISION_MONTHS = 6


class ImplementationPlan(models.Model):
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="plans", verbose_name=_("brukare")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="plans", verbose_name=_("enhet")
    )
    period_start = models.DateField(_("period från"))
    period_end = models.DateField(_("period till"), null=True, blank=True)
    established = models.DateField(_("upprättad"), null=True, blank=True)
    participated = models.BooleanField(_("brukaren har varit delaktig"), null=True, blank=True)
    participation_comment = models.TextField(_("kommentar brukarens delaktighet"), blank=True)
    important_information = models.TextField(_("viktig information"), blank=True)
    follow_up_date = models.DateField(_("uppföljning"), null=True, blank=True)
    # Kept current by plans.receivers when contacts changes a care contact.
    fok_ordinary = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("fast omsorgskontakt"),
    )
    fok_deputy = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("vice fast omsorgskontakt"),
    )
    contacts_change = models.ForeignKey(
        CareContactChange, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    contacts_updated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("genomförandeplan")
        verbose_name_plural = _("genomförandeplaner")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=models.F("period_start")),
                name="plans_plan_end_after_start",
            ),
        ]
        indexes = [
            # The active plan of a client on a unit.
            models.Index(fields=["client", "unit", "period_start"], name="plans_plan_active_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client} – {self.unit} ({self.period_start})"

    def active_on(self, on: dt.date) -> bool:
        return self.period_start <= on and (self.period_end is None or on <= self.period_end)

    @staticmethod
    def active_q(on: dt.date) -> Q:
        return Q(period_start__lte=on) & (Q(period_end__isnull=True) | Q(period_end__gte=on))
