"""Thin Celery tasks: wake-ups for rows in the jobs table."""

from uuid import UUID

from celery import shared_task

from learnprofile.jobs import services


@shared_task(ignore_result=True)
def job_run_task(job_id: str) -> str:
    return services.job_run(job_id=UUID(job_id))


@shared_task(ignore_result=True)
def jobs_publish_task(job_ids: list[str], queue: str) -> int:
    """Publish the wake-ups of a large batch of jobs (sent here by the request that made them)."""
    return services.jobs_publish(job_ids=[UUID(job_id) for job_id in job_ids], queue=queue)


@shared_task(ignore_result=True)
def jobs_reconcile_task() -> dict[str, int]:
    return services.jobs_reconcile()


@shared_task(ignore_result=True)
def jobs_purge_finished_task() -> int:
    from django.conf import settings

    return services.jobs_purge_finished(older_than_days=settings.JOBS_KEEP_FINISHED_DAYS)
