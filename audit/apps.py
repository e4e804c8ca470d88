from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Åtkomstlogg")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from omsorg.security import session_started

        # The session timeouts count from the login (who was signed in, and since
        # when, is part of what the log answers).
        user_logged_in.connect(session_started, dispatch_uid="omsorg_session_started")
