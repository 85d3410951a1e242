"""Thin Celery tasks of credentials."""

from celery import shared_task
from django.db import transaction

from credentials import notices
from credentials.services import pipeline


@shared_task(ignore_result=True)
def credentials_sweep_task() -> int:
    """Queue issuances that completions call for and nobody queued yet."""
    with transaction.atomic():
        return pipeline.credentials_sweep()


@shared_task(ignore_result=True)
def credentials_expiring_plan_task() -> int:
    """Tell holders whose credential expires in 30 days."""
    return notices.credentials_expiring_plan()
