"""The user's own background jobs: progress (polled by htmx, or refreshed by
a link without JavaScript), the download when done, and a list of recent jobs."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from contacts import access

from .models import Job
from .selectors import jobs_for_user, retention_days

# How often the page asks for news of a running job (htmx), and of one whose
# worker has not been heard from for long (models.Job.lost, .waiting_long).
POLL_SECONDS = 2
SILENT_POLL_SECONDS = 30


def status_context(job: Job) -> dict[str, object]:
    seconds = SILENT_POLL_SECONDS if job.lost or job.waiting_long else POLL_SECONDS
    return {
        "job": job,
        "poll": f"load delay:{seconds}s",
        # The day the job and its file go (jobs.services.prune).
        "kept_until": job.finished + dt.timedelta(days=retention_days()) if job.finished else None,
    }


def job_started_response(request: HttpRequest, job: Job) -> HttpResponse:
    """What a view answers when it has started a job: with htmx, the status
    region (to swap into the page); otherwise the job's own page."""
    if getattr(request, "htmx", False):
        return render(request, "jobs/job.html#status", status_context(job))
    return redirect(reverse("job_detail", args=[job.pk]))


@require_GET
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_job_for_user(request.user, pk)
    template = "jobs/job.html#status" if getattr(request, "htmx", False) else "jobs/job.html"
    return render(request, template, status_context(job))


@require_GET
@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_job_for_user(request.user, pk)
    if not job.downloadable:
        return redirect(reverse("job_detail", args=[job.pk]))
    response = HttpResponse(bytes(job.result), content_type=job.result_type)
    disposition = "inline" if job.result_type == "application/pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{job.result_name}"'
    return response


@require_GET
@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "jobs/list.html",
        {"jobs": jobs_for_user(request.user), "retention_days": retention_days()},
    )
