from django.urls import path

from .views import letters, plans

urlpatterns = [
    path("brukare/<int:client_pk>/", plans.plan_list, name="plan_list"),
    path("brukare/<int:client_pk>/ny/", plans.plan_create, name="plan_create"),
    path("<int:pk>/andra/", plans.plan_edit, name="plan_edit"),
    path("<int:pk>/avsluta/", plans.plan_end, name="plan_end"),
    path("<int:pk>/utskrift/", plans.plan_print, name="plan_print"),
    path(
        "brukare/<int:client_pk>/enhet/<int:unit_pk>/brev/",
        letters.contact_letter,
        name="contact_letter",
    ),
]
