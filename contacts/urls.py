from django.urls import path

from .views import clients, home

urlpatterns = [
    path("", home.home, name="home"),
    path("brukare/<int:pk>/", clients.client_detail, name="client_detail"),
]
