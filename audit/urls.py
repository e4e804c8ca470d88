from django.urls import path

from . import views

urlpatterns = [
    path("", views.access_log, name="access_log"),
    path("csv/", views.access_log_csv, name="access_log_csv"),
]
