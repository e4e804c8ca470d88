from django.apps import AppConfig
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_delete,
)
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Fast omsorgskontakt")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import versions, visit_team
        from .models import CareContactChange, Client, Staff, Visit
        from .roles import ensure_reference_data

        post_migrate.connect(
            ensure_reference_data, sender=self, dispatch_uid="contacts_reference_data"
        )
        # Reports reused while their data are unchanged (contacts.versions).
        for signal in (post_save, post_delete):
            signal.connect(versions.on_change_written, sender=CareContactChange)
            signal.connect(versions.on_client_written, sender=Client)
        post_save.connect(versions.on_visit_saved, sender=Visit)
        post_delete.connect(versions.on_visit_deleted, sender=Visit)
        # A staff member deleted takes their rows of visits' staff along.
        post_delete.connect(versions.on_client_written, sender=Staff)
        m2m_changed.connect(versions.on_visit_staff_changed, sender=Visit.staff.through)
        # Each visit's team kept on the visit (contacts.visit_team).
        m2m_changed.connect(visit_team.on_staff_changed, sender=Visit.staff.through)
        pre_delete.connect(visit_team.on_staff_deleting, sender=Staff)
        post_delete.connect(visit_team.on_staff_deleted, sender=Staff)
