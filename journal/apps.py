from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = _("Social journal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contacts.signals import (
            care_contact_changed,
            care_contacts_changed,
            client_moved,
            contact_change_requested,
        )

        from . import receivers

        care_contact_changed.connect(
            receivers.on_contact_change, dispatch_uid="journal_care_contact_changed"
        )
        care_contacts_changed.connect(
            receivers.on_contact_changes, dispatch_uid="journal_care_contacts_changed"
        )
        client_moved.connect(receivers.on_client_moved, dispatch_uid="journal_client_moved")
        contact_change_requested.connect(
            receivers.on_contact_change_requested, dispatch_uid="journal_contact_change_requested"
        )
