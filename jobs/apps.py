from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background jobs: report PDFs and CSV imports run by the task worker."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs"
    verbose_name = "Bakgrundsjobb"
