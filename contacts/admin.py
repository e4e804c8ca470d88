from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models

# Accessibility (WCAG 2.1 AA, issue 12): no filter_horizontal (Django's two-box
# widget labels its icons with aria-label on a span, which screen readers
# ignore) and stacked rather than tabular inlines (a tabular inline's fields
# have no labels). A plain multiple select has its label. Date and time in one
# labelled field instead of Django's split date and time inputs without labels.
from .models import (
    CareContact,
    CareContactChange,
    CareType,
    Client,
    ClientMove,
    Provider,
    Relative,
    Service,
    Staff,
    Unit,
    Visit,
)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(CareType)
class CareTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "offers_care_contact"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "provider", "care_type", "phone"]
    list_filter = ["provider", "care_type"]
    search_fields = ["code", "name"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = [
        "signature",
        "last_name",
        "first_name",
        "title",
        "available",
        "fok_selectable",
        "title_certificate_date",
        "permanent_on_2023_07_01",
    ]
    list_filter = ["title", "available", "fok_selectable", "permanent_on_2023_07_01", "units"]
    search_fields = ["signature", "first_name", "last_name", "hsa_id"]
    raw_id_fields = ["user"]


class RelativeInline(admin.StackedInline):
    model = Relative
    extra = 0


class ServiceInline(admin.StackedInline):
    model = Service
    extra = 0
    # Set by services.client_move only (handbook 1.10).
    readonly_fields = ["move"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["customer_number", "last_name", "first_name", "personal_id", "birth_date"]
    search_fields = ["customer_number", "personal_id", "first_name", "last_name"]
    readonly_fields = ["birth_date", "sex"]
    inlines = [RelativeInline, ServiceInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Contacts change only through the services (with history and journal
    notes), never by editing rows here."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CareContact)
class CareContactAdmin(ReadOnlyAdmin):
    list_display = ["client", "unit", "created_by", "created_at"]
    list_filter = ["unit"]
    search_fields = ["client__last_name", "client__customer_number"]


@admin.register(CareContactChange)
class CareContactChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "client",
        "unit",
        "effective",
        "valid_until",
        "status",
        "ordinary",
        "deputy",
        "changed_by",
    ]
    list_filter = ["status", "source", "unit"]
    search_fields = ["client__last_name", "client__customer_number"]


ONE_DATETIME_FIELD: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.DateTimeField: {
        "form_class": forms.DateTimeField,
        "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    }
}


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    formfield_overrides = ONE_DATETIME_FIELD
    list_display = ["visit_id", "client", "unit", "start", "status", "kind"]
    list_filter = ["status", "kind", "unit"]
    search_fields = ["visit_id", "client__customer_number"]
    raw_id_fields = ["client"]


@admin.register(ClientMove)
class ClientMoveAdmin(ReadOnlyAdmin):
    list_display = ["client", "from_unit", "to_unit", "on", "moved_by", "moved_at"]
    list_filter = ["to_unit", "from_unit"]
    search_fields = ["client__last_name", "client__customer_number"]
