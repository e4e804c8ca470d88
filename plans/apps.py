from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Genomförandeplaner")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contacts.signals import care_contact_changed, care_contacts_changed, execution_ended

        from . import receivers

        care_contact_changed.connect(
            receivers.on_care_contact_changed, dispatch_uid="plans_care_contact_changed"
        )
        care_contacts_changed.connect(
            receivers.on_care_contacts_changed, dispatch_uid="plans_care_contacts_changed"
        )
        execution_ended.connect(receivers.on_execution_ended, dispatch_uid="plans_execution_ended")
