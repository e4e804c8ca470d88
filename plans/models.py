import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contacts.models import CareContactChange, Client, Unit

# The provider routine: a new client has a plan within 14 days of the start; a plan is
# revised at least every 6 months (counted from the latest revision, or from
# the date the plan was established).
NEW_PLAN_DAYS = 14
REVISION_MONTHS = 6


class ImplementationPlan(models.Model):
    """A genomförandeplan: how the client's services are carried out on a unit.

    At most one plan per client and unit is active on any day (checked in
    plans.services; the open-ended case is also a database constraint)."""

    # No index of their own: plans_plan_active_idx begins with the client,
    # plans_plan_unit_idx with the unit (tests/test_indexes.py).
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        related_name="plans",
        verbose_name=_("brukare"),
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("enhet"),
        db_index=False,
    )
    period_start = models.DateField(_("period från"))
    period_end = models.DateField(_("period till"), null=True, blank=True)
    established = models.DateField(_("upprättad"), null=True, blank=True)
    # The date of the latest revision with the client; set by the user when a
    # revision was made (not on every edit: fixing a typo is no revision).
    revised = models.DateField(_("senast reviderad"), null=True, blank=True)
    participated = models.BooleanField(_("brukaren har varit delaktig"), null=True, blank=True)
    participation_comment = models.TextField(_("kommentar brukarens delaktighet"), blank=True)
    important_information = models.TextField(_("viktig information"), blank=True)
    follow_up_date = models.DateField(_("uppföljning"), null=True, blank=True)
    # The care contact shown on the plan (handbook 1.7) is read from the
    # contact history for the day the plan is looked at (plans.selectors.
    # with_contacts), so it is never out of date. plans.receivers records here
    # the latest change of the contacts that reached the plan while it was open.
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
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Counts the saves by users (not the automatic contact updates): the edit
    # form carries it, and a save based on an older version is refused.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("genomförandeplan")
        verbose_name_plural = _("genomförandeplaner")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=models.F("period_start")),
                name="plans_plan_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_date__isnull=True)
                | Q(follow_up_date__gte=models.F("period_start")),
                name="plans_plan_follow_up_after_start",
            ),
            # One active plan per client and unit: overlapping periods are
            # refused by plans.services; two open-ended plans cannot exist at all.
            models.UniqueConstraint(
                fields=["client", "unit"],
                condition=Q(period_end__isnull=True),
                name="plans_plan_one_open_per_client_unit",
            ),
        ]
        indexes = [
            # The active plan of a client on a unit (receivers, overlap check).
            models.Index(fields=["client", "unit", "period_start"], name="plans_plan_active_idx"),
            # Deadline flags: active plans of a unit (plans.selectors.overdue_plans).
            models.Index(fields=["unit", "period_end"], name="plans_plan_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client} – {self.unit} ({self.period_start})"

    def get_absolute_url(self) -> str:
        return reverse("plan_list", args=[self.client_id]) + f"#plan-{self.pk}"

    def active_on(self, on: dt.date) -> bool:
        return self.period_start <= on and (self.period_end is None or on <= self.period_end)

    @staticmethod
    def active_q(on: dt.date) -> Q:
        return Q(period_start__lte=on) & (Q(period_end__isnull=True) | Q(period_end__gte=on))

    @property
    def last_revision(self) -> dt.date:
        """The date the 6-month revision period runs from."""
        return self.revised or self.established or self.period_start

    @property
    def revision_due(self) -> dt.date:
        return add_months(self.last_revision, REVISION_MONTHS)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))
