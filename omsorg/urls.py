from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import accessibility, home, views

admin.site.site_header = _("Omsorgskontakt – administration")
admin.site.site_title = _("Omsorgskontakt")

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("journal/", include("journal.urls")),
    path("plan/", include("plans.urls")),
    path("rapporter/", include("reports.urls")),
    path("import/", include("imports.urls")),
    path("jobb/", include("jobs.urls")),
    path("vem-kommer/", include("rota.urls")),
    path("tillganglighet/", accessibility.statement, name="accessibility_statement"),
    path("atkomstlogg/", include("audit.urls")),
    path("", include("contacts.urls")),
]
