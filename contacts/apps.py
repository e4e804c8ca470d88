from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Fast omsorgskontakt")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .roles import ensure_reference_data

        post_migrate.connect(
            ensure_reference_data, sender=self, dispatch_uid="contacts_reference_data"
        )
