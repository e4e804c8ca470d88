from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operating the installation: backup and restore (docs/operations.md)."""

    name = "ops"
    verbose_name = _("Drift")
    default_auto_field = "django.db.models.BigAutoField"
