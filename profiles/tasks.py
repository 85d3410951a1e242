"""Thin Celery tasks of profiles."""

from celery import shared_task

from profiles.services.privacy.data_requests import data_requests_process


@shared_task(ignore_result=True)
def data_requests_process_task() -> dict[str, int]:
    return data_requests_process()
