"""Thin Celery tasks: wake-ups for rows in the jobs table."""

from uuid import UUID

from celery import shared_task

from learnprofile.jobs import services


@shared_task(ignore_result=True)
def job_run_task(job_id: str) -> str:
    return services.job_run(job_id=UUID(job_id))


@shared_task(ignore_result=True)
def jobs_reconcile_task() -> dict[str, int]:
    return services.jobs_reconcile()


@shared_task(ignore_result=True)
def jobs_purge_finished_task() -> int:
    from django.conf import settings

    return services.jobs_purge_finished(older_than_days=settings.JOBS_KEEP_FINISHED_DAYS)
