from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contacts.models import CareContactChange, Client, Unit


class JournalNote(models.Model):
    """A note in the client's social journal.

    Notes are never edited or deleted, neither automatic nor hand-written: the
    social journal is documentation under SoL and must show what was known and
    written at the time (a correction is a new note that refers to the old one).
    The services offer only creation; the admin is read-only."""

    class Kind(models.TextChoices):
        FOK = "fok", _("Fast omsorgskontakt")
        GENERAL = "general", _("Social dokumentation")

    # No index of their own: journal_note_client_idx begins with the client,
    # journal_note_unit_idx with the unit (tests/test_indexes.py).
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        related_name="journal_notes",
        verbose_name=_("brukare"),
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="journal_notes",
        verbose_name=_("enhet"),
        db_index=False,
    )
    kind = models.CharField(_("sökurval"), max_length=16, choices=Kind.choices)
    event_date = models.DateField(_("händelsedatum"))
    text = models.TextField(_("anteckning"))
    automatic = models.BooleanField(_("automatisk"), default=False)
    # The care-contact change an automatic note records (at most one note each).
    contact_change = models.OneToOneField(
        CareContactChange,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="journal_note",
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("skriven av"),
    )
    written_at = models.DateTimeField(_("registrerad"), auto_now_add=True)

    class Meta:
        # Newest first by the date the note is about; ties by when it was written.
        ordering = ["-event_date", "-written_at", "-id"]
        verbose_name = _("journalanteckning")
        verbose_name_plural = _("journalanteckningar")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["fok", "general"]), name="journal_note_kind_valid"
            ),
        ]
        indexes = [
            # Documentation search per client (journal.selectors.search_notes), newest first.
            models.Index(
                fields=["client", "-event_date", "-written_at"], name="journal_note_client_idx"
            ),
            # Documentation search per unit with the FOK filter, newest first.
            models.Index(
                fields=["unit", "kind", "-event_date", "-written_at"], name="journal_note_unit_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.event_date}: {self.text[:40]}"
