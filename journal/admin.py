from django.contrib import admin

from .models import JournalNote


@admin.register(JournalNote)
class JournalNoteAdmin(admin.ModelAdmin):
    list_display = ["client", "unit", "kind", "event_date", "automatic", "written_at"]
    list_filter = ["kind", "automatic", "unit"]
    search_fields = ["client__last_name", "client__customer_number", "text"]
    raw_id_fields = ["client", "contact_change"]
