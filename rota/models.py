from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contacts.models import Client, Unit


class RotaPrintout(models.Model):
    """One printed "Vem kommer?" sheet: what the client was handed for one week
    on one unit. The rows are a snapshot (first names and titles as printed), so
    the sheet can be shown again exactly as printed, and the next printout of
    the same week can mark what changed since."""

    # No index of its own: rota_printout_week_idx begins with it.
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        related_name="rota_printouts",
        verbose_name=_("brukare"),
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="rota_printouts", verbose_name=_("enhet")
    )
    # The Monday of the ISO week the sheet covers (local time, Europe/Stockholm).
    week_start = models.DateField(_("veckans måndag"))
    # [{"visit", "day", "start", "end", "staff": [{"id", "first_name", "title", "role"}]}]
    rows = models.JSONField(_("besök"), default=list)
    # [{"first_day", "last_day", "ordinary": {...} | null, "deputy": {...} | null}]
    contacts = models.JSONField(_("fast omsorgskontakt"), default=list)
    unit_name = models.CharField(_("enhetens namn"), max_length=200)
    unit_phone = models.CharField(_("enhetens telefon"), max_length=40, blank=True)
    # The printout of the same week this one was compared with.
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("föregående utskrift"),
    )
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("utskriven av"),
    )
    printed_at = models.DateTimeField(_("utskriven"), auto_now_add=True)

    class Meta:
        ordering = ["-printed_at", "-id"]
        verbose_name = _("utskrift av Vem kommer?")
        verbose_name_plural = _("utskrifter av Vem kommer?")
        indexes = [
            # The latest printout of a client's week on a unit (change marks,
            # "last printed" on the page).
            models.Index(
                fields=["client", "unit", "week_start", "printed_at"],
                name="rota_printout_week_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} – {self.unit_name} {self.week_start:%G-W%V}"
