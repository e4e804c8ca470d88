from django.contrib import admin

from .models import ImplementationPlan


@admin.register(ImplementationPlan)
class ImplementationPlanAdmin(admin.ModelAdmin):
    list_display = ["client", "unit", "period_start", "period_end", "follow_up_date"]
    list_filter = ["unit"]
    raw_id_fields = ["client", "contacts_change"]
