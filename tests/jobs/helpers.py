"""Report PDFs are made by a background job (reports.views.output): the tests
press the page's button (POST with format=pdf) and download the job's file.
The tests run tasks at once (ImmediateBackend), so the job is done when the
POST returns."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from jobs.models import Job


def pdf_from_job(http: Client, url: str, data: dict[str, Any]) -> Any:
    """POST the report's form with format=pdf; the response of the download."""
    started = http.post(url, {**data, "format": "pdf"})
    assert started.status_code == 302, started.content.decode()[:2000]
    job = Job.objects.order_by("-pk").first()
    assert job is not None and started["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE, job.error
    response = http.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response
