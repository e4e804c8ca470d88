"""The access log: who read which personal data, when and from where.

One row per request (or command): a page that shows many clients (a report,
a list) names them all in ``client_ids``. Rows are never changed; the only
delete is the retention prune (``manage.py prune_access_log``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    CLIENT = "client", _("Brukarakt")
    HISTORY = "history", _("Historik")
    JOURNAL = "journal", _("Journal")
    PLAN = "plan", _("Genomförandeplan")
    LETTER = "letter", _("Brev")
    LIST = "list", _("Lista")
    REPORT = "report", _("Rapport")
    EXPORT = "export", _("Export (CSV/PDF)")
    COMMAND = "command", _("Kommandorad")
    ACCESS_LOG = "access_log", _("Åtkomstlogg")


class AccessLogEntry(models.Model):
    Kind = AccessKind

    at = models.DateTimeField(_("tidpunkt"), default=timezone.now)
    # Kept when the user is deleted: the name below still says who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
        verbose_name=_("användare"),
    )
    username = models.CharField(_("användarnamn"), max_length=150)
    address = models.GenericIPAddressField(_("adress"), null=True, blank=True)
    kind = models.CharField(_("typ"), max_length=16, choices=Kind.choices)
    # The page (URL name) or the command, e.g. "client_detail", "fok_statistics_csv".
    what = models.CharField(_("sida eller rapport"), max_length=100)
    # The report's parameters, the record's tab, the command's arguments.
    parameters = models.JSONField(_("parametrar"), default=dict, blank=True)
    # Client ids, not foreign keys: the log outlives a deleted client.
    client_ids = models.JSONField(_("brukare"), default=list, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("åtkomst")
        verbose_name_plural = _("åtkomstlogg")
        default_permissions = ("view",)
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AccessKind.values), name="audit_accesslogentry_kind_valid"
            ),
        ]
        indexes = [
            # The log page, newest first, filtered by period; and the prune.
            models.Index(fields=["at"], name="audit_entry_at_idx"),
            # The log page filtered by user name (kept for deleted users).
            models.Index(fields=["username", "at"], name="audit_entry_username_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.what}"
