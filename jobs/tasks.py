"""The task the worker runs (`manage.py db_worker`); see jobs.services."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def run_job(job_id: int) -> str:
    return services.job_run(job_id)
