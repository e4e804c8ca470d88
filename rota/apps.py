from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RotaConfig(AppConfig):
    """ "Vem kommer?": the client's own week of planned visits, and its printouts."""

    name = "rota"
    verbose_name = _("Vem kommer?")
    default_auto_field = "django.db.models.BigAutoField"
