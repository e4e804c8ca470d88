from django.urls import path

from . import views

urlpatterns = [
    path("", views.journal_search, name="journal_search"),
    path("brukare/<int:client_pk>/ny/", views.journal_note_create, name="journal_note_create"),
]
