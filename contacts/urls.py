from django.urls import path

from .views import clients, fok, home
from .views import imports as import_views
from .views import reading as reading_views

urlpatterns = [
    path("", home.home, name="home"),
    path("brukare/<int:pk>/", clients.client_detail, name="client_detail"),
    path("brukare/<int:pk>/fok/<int:unit_pk>/andra/", fok.fok_edit, name="fok_edit"),
    path("mina-brukare/", reading_views.my_clients, name="my_clients"),
    path("planering/", reading_views.planning, name="planning"),
    path("import/", import_views.import_csv, name="import_csv"),
]
