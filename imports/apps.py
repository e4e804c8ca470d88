from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """The CSV interchange import (docs/interchange.md): the importers, the
    administrators' import page and ``manage.py import_csv``."""

    name = "imports"
    verbose_name = _("Import")
    default_auto_field = "django.db.models.BigAutoField"
