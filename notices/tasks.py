"""Thin Celery tasks of notices."""

from celery import shared_task

from notices.services import notifications


@shared_task(ignore_result=True)
def notifications_dispatch_task() -> dict[str, int]:
    return notifications.notifications_dispatch()
