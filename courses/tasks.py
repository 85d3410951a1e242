"""Thin Celery tasks of courses."""

from celery import shared_task

from courses.services import completion


@shared_task(ignore_result=True)
def offerings_close_due_task() -> int:
    """Close the offerings that have ended and decide their learners' completion."""
    return completion.offerings_close_due()
