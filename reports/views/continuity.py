from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
@login_required
@permission_required("contacts.view_continuity_reports", raise_exception=True)
def continuity_report(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


continuity_report_csv = continuity_report_pdf = continuity_client_visits = continuity_report
continuity_kpi = continuity_kpi_csv = continuity_kpi_pdf = continuity_report
