from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import home, views

admin.site.site_header = _("Omsorgskontakt – administration")
admin.site.site_title = _("Omsorgskontakt")

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("journal/", include("journal.urls")),
    path("plan/", include("plans.urls")),
    path("rapporter/", include("reports.urls")),
    path("import/", include("imports.urls")),
    path("atkomstlogg/", include("audit.urls")),
    path("", include("contacts.urls")),
]
