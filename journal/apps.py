from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = _("Social journal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contacts.signals import care_contact_appointed, consent_status_changed

        from . import receivers

        consent_status_changed.connect(
            receivers.on_contact_change, dispatch_uid="journal_consent_status_changed"
        )
        care_contact_appointed.connect(
            receivers.on_contact_change, dispatch_uid="journal_care_contact_appointed"
        )
