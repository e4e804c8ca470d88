from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-in (OpenID Connect, local passwords) and user provisioning."""

    name = "accounts"
    verbose_name = "Inloggning och användare"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
