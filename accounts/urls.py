from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    # Register https://<host>/oidc/callback/ as the redirect URI at the provider.
    path(
        "oidc/authenticate/",
        views.AuthenticationRequestView.as_view(),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        views.AuthenticationCallbackView.as_view(),
        name="oidc_authentication_callback",
    ),
]
