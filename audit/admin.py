from django.contrib import admin
from django.http import HttpRequest

from .models import AccessLogEntry


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """Read-only: nobody edits or deletes the access log in the app; rows leave
    it only through the retention prune (manage.py prune_access_log)."""

    list_display = ["at", "username", "address", "kind", "what", "client_ids"]
    list_filter = ["kind"]
    search_fields = ["username", "what"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
