from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for the fictional municipality Ekdala (``manage.py seed_demo``)."""

    name = "demo"
    verbose_name = _("Demodata")
    default_auto_field = "django.db.models.BigAutoField"
