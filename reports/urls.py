from django.urls import path

from .views import continuity
from .views import kolada as kolada_views
from .views import statistics as statistics_views
from .views import visits as visit_views
from .views import worklists as worklist_views

# One view per report serves the page, CSV (?format=csv) and PDF (format=pdf,
# made by the task worker); the /csv/ and /pdf/ addresses of earlier versions
# stay, served by the same view with the format preset.
CSV = {"format": "csv"}
PDF = {"format": "pdf"}

urlpatterns = [
    path("kontinuitet/", continuity.continuity_report, name="continuity_report"),
    path("kontinuitet/csv/", continuity.continuity_report_as, CSV, name="continuity_report_csv"),
    path("kontinuitet/pdf/", continuity.continuity_report_as, PDF, name="continuity_report_pdf"),
    path(
        "kontinuitet/brukare/<int:client_pk>/",
        continuity.continuity_client_visits,
        name="continuity_client_visits",
    ),
    path("kkik/", continuity.continuity_kpi, name="continuity_kpi"),
    path("kkik/csv/", continuity.continuity_kpi_as, CSV, name="continuity_kpi_csv"),
    path("kkik/pdf/", continuity.continuity_kpi_as, PDF, name="continuity_kpi_pdf"),
    path("kolada/", kolada_views.kolada_report, name="kolada_report"),
    path("kolada/csv/", kolada_views.kolada_csv, name="kolada_csv"),
    path("fok-statistik/", statistics_views.fok_statistics_page, name="fok_statistics"),
    path("fok-statistik/csv/", statistics_views.fok_statistics_as, CSV, name="fok_statistics_csv"),
    path("fok-statistik/pdf/", statistics_views.fok_statistics_as, PDF, name="fok_statistics_pdf"),
    path("besok/", visit_views.visit_overview, name="visit_overview"),
    path("besok/csv/", visit_views.visit_overview_as, CSV, name="visit_overview_csv"),
    path("besok/pdf/", visit_views.visit_overview_as, PDF, name="visit_overview_pdf"),
    path("arbetslistor/", worklist_views.worklists, name="worklists"),
]
