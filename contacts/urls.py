from django.urls import path

from .views import clients, fok, lifecycle, staff
from .views import reading as reading_views

urlpatterns = [
    path("brukare/<int:pk>/", clients.client_detail, name="client_detail"),
    path("brukare/<int:pk>/fok/<int:unit_pk>/andra/", fok.fok_edit, name="fok_edit"),
    path("mina-brukare/", reading_views.my_clients, name="my_clients"),
    path("planering/", reading_views.planning, name="planning"),
    path("personal/", staff.staff_list, name="staff_list"),
    path("personal/<int:pk>/", staff.staff_detail, name="staff_detail"),
    path("personal/<int:pk>/tillganglighet/", staff.staff_availability, name="staff_availability"),
    path("personal/<int:pk>/andra/", staff.staff_edit, name="staff_edit"),
    path("personal/<int:pk>/overlamning/", staff.staff_handover, name="staff_handover"),
    path("brukare/<int:pk>/flytta/", lifecycle.client_move, name="client_move"),
    path(
        "brukare/<int:pk>/insats/<int:service_pk>/avsluta/",
        lifecycle.service_end,
        name="service_end",
    ),
    path(
        "brukare/<int:pk>/fok/<int:unit_pk>/byte/",
        lifecycle.contact_change_request,
        name="contact_change_request",
    ),
    path("brukare/<int:pk>/historik/", lifecycle.client_history, name="client_history"),
]
