"""Thin Celery tasks of courses."""

from celery import shared_task

from courses.services import completion, reminders


@shared_task(ignore_result=True)
def offerings_close_due_task() -> int:
    """Close the offerings that have ended and decide their learners' completion."""
    return completion.offerings_close_due()


@shared_task(ignore_result=True)
def session_reminders_plan_task() -> dict[str, int]:
    return reminders.session_reminders_plan()


@shared_task(ignore_result=True)
def inactivity_nudges_plan_task() -> int:
    return reminders.inactivity_nudges_plan()
