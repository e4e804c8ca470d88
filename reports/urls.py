from django.urls import path

from .views import continuity

urlpatterns = [
    path("kontinuitet/", continuity.continuity_report, name="continuity_report"),
    path("kontinuitet/csv/", continuity.continuity_report_csv, name="continuity_report_csv"),
    path("kontinuitet/pdf/", continuity.continuity_report_pdf, name="continuity_report_pdf"),
    path(
        "kontinuitet/brukare/<int:client_pk>/",
        continuity.continuity_client_visits,
        name="continuity_client_visits",
    ),
    path("kkik/", continuity.continuity_kpi, name="continuity_kpi"),
    path("kkik/csv/", continuity.continuity_kpi_csv, name="continuity_kpi_csv"),
    path("kkik/pdf/", continuity.continuity_kpi_pdf, name="continuity_kpi_pdf"),
]
