from django.contrib import admin
from django.http import HttpRequest

from .models import JournalNote


@admin.register(JournalNote)
class JournalNoteAdmin(admin.ModelAdmin):
    """Read-only: journal notes are never edited or deleted (see JournalNote)."""

    list_display = ["client", "unit", "kind", "event_date", "automatic", "written_at"]
    list_filter = ["kind", "automatic", "unit"]
    search_fields = ["client__last_name", "client__customer_number", "text"]
    raw_id_fields = ["client", "contact_change"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
