"""The user admin, accessible (issue 12): Django's UserAdmin with plain
multiple selects for groups and permissions (its two-box filter widget puts an
aria-label on a span) and the login and joining times read-only (their split
date and time inputs have no labels, and nobody should edit them); the same
plain select for a group's permissions."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, User

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    filter_horizontal = ()
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    filter_horizontal = ()
