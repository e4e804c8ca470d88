from django.urls import path

from . import views

urlpatterns = [
    path("brukare/<int:pk>/", views.client_week, name="rota_client_week"),
    path("brukare/<int:pk>/skriv-ut/", views.client_week_print, name="rota_print"),
    path("utskrift/<int:pk>/", views.printout_pdf, name="rota_printout_pdf"),
]
