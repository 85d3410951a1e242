"""Thin Celery tasks of notices."""

from celery import shared_task

from notices.services import outbox


@shared_task(ignore_result=True)
def notifications_dispatch_task() -> dict[str, int]:
    return outbox.notifications_dispatch()
