"""Durable jobs: write a row in the business transaction, wake a worker after commit.

The contract, in order:
1. `job_enqueue_on_commit` inserts the row inside the caller's transaction and registers an
   on-commit publish; if the transaction rolls back, neither the row nor the message exists.
2. `job_publish` sends a Celery message with short timeouts; if Redis is down it logs and
   returns at once (the row stays pending).
3. `job_run` claims the row with a conditional UPDATE (pending and due -> running), runs the
   handler, and marks it done; a transient error puts it back to pending with backoff, up to
   `max_attempts`, then failed.
4. `jobs_reconcile` (Celery beat) publishes again rows pending for too long and gives back
   rows claimed by a worker that died.
A message delivered twice finds the row already claimed or done and does nothing.
"""

import logging
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from learnprofile.jobs.models import Job
from learnprofile.jobs.registry import PermanentJobError, job_handler_get

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
# A request publishes this many wake-ups itself; a larger batch's are sent by a worker.
PUBLISH_INLINE_MAX = 200


def job_enqueue_on_commit(
    *,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str | None = None,
    queue: str = "default",
    max_attempts: int = 8,
    available_at: datetime | None = None,
) -> Job:
    """Create a pending job in the current transaction; publish it after commit.

    Idempotent on `dedupe_key`: with an existing key the existing job is returned and
    nothing new is published. Raises PermanentJobError for an unknown kind, before writing.
    A job due later (`available_at`) is published by the reconciler when it comes due.
    """
    job_handler_get(kind)  # fail fast on a typo, before anything is written
    now = timezone.now()
    due = available_at or now
    if dedupe_key is not None:
        job, created = Job.objects.get_or_create(
            dedupe_key=dedupe_key,
            defaults={
                "kind": kind,
                "payload": payload,
                "queue": queue,
                "max_attempts": max_attempts,
                "available_at": due,
            },
        )
        if not created:
            return job
    else:
        job = Job.objects.create(
            kind=kind, payload=payload, queue=queue, max_attempts=max_attempts, available_at=due
        )
    job_id = job.id
    if due <= now:
        transaction.on_commit(lambda: job_publish(job_id=job_id, queue=queue))
    return job


def jobs_enqueue_on_commit(
    *, kind: str, payloads: list[dict[str, Any]], queue: str = "default", max_attempts: int = 8
) -> list[Job]:
    """Create many pending jobs in one INSERT in the current transaction; after commit,
    publish them until the broker refuses one (the reconciler sends the rest). More than
    PUBLISH_INLINE_MAX jobs are published by a worker, from one message, so that the request
    that asked for 10,000 does not wait for 10,000 messages."""
    job_handler_get(kind)
    now = timezone.now()
    jobs = Job.objects.bulk_create(
        [
            Job(
                kind=kind, payload=payload, queue=queue, max_attempts=max_attempts, available_at=now
            )
            for payload in payloads
        ]
    )
    job_ids = [job.id for job in jobs]
    if len(job_ids) <= PUBLISH_INLINE_MAX:
        transaction.on_commit(lambda: jobs_publish(job_ids=job_ids, queue=queue))
    else:
        transaction.on_commit(lambda: _jobs_publish_later(job_ids=job_ids, queue=queue))
    return jobs


def _jobs_publish_later(*, job_ids: list[UUID], queue: str) -> None:
    from learnprofile.jobs.tasks import jobs_publish_task

    try:
        # On the jobs' own queue: whoever works on these jobs can publish them.
        jobs_publish_task.apply_async(
            args=([str(job_id) for job_id in job_ids], queue), queue=queue, retry=False
        )
    except Exception:
        logger.warning("jobs.publish_failed", extra={"jobs": len(job_ids)}, exc_info=True)


def jobs_publish(*, job_ids: list[UUID], queue: str) -> int:
    """Send the wake-up messages of many jobs; stop at the first the broker refuses, so a
    broker that is down costs one timeout, not one per job. Returns how many were sent."""
    sent: list[UUID] = []
    for job_id in job_ids:
        if not _job_send(job_id=job_id, queue=queue):
            break
        sent.append(job_id)
    Job.objects.filter(id__in=sent).update(last_published_at=timezone.now())
    return len(sent)


def job_publish(*, job_id: UUID, queue: str) -> bool:
    """Send the wake-up message; never raises and never blocks for long.

    Returns whether the broker accepted it. On failure the reconciler publishes again.
    """
    if not _job_send(job_id=job_id, queue=queue):
        return False
    Job.objects.filter(id=job_id).update(last_published_at=timezone.now())
    return True


def _job_send(*, job_id: UUID, queue: str) -> bool:
    from learnprofile.jobs.tasks import job_run_task

    try:
        job_run_task.apply_async(args=(str(job_id),), queue=queue, retry=False)
    except Exception:
        logger.warning("job.publish_failed", extra={"job_id": str(job_id)}, exc_info=True)
        return False
    return True


def job_claim(*, job_id: UUID) -> Job | None:
    """Atomically move a due pending job to running; None if someone else has it or it is done."""
    now = timezone.now()
    claimed = Job.objects.filter(
        id=job_id, status=Job.Status.PENDING, available_at__lte=now
    ).update(status=Job.Status.RUNNING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return None
    return Job.objects.get(id=job_id)


def job_run(*, job_id: UUID) -> str:
    """Claim and run one job. Returns its status afterwards (or 'skipped' if not claimed)."""
    job = job_claim(job_id=job_id)
    if job is None:
        return "skipped"
    try:
        handler = job_handler_get(job.kind)
        handler(job.payload)
    except PermanentJobError as error:
        _job_finish(job=job, status=Job.Status.FAILED, error=str(error))
        logger.error("job.failed_permanently", extra={"job_id": str(job.id), "kind": job.kind})
        return Job.Status.FAILED
    except Exception as error:
        if job.attempts >= job.max_attempts:
            _job_finish(job=job, status=Job.Status.FAILED, error=repr(error))
            logger.exception("job.failed", extra={"job_id": str(job.id), "kind": job.kind})
            return Job.Status.FAILED
        delay = min(BACKOFF_BASE_SECONDS * 2 ** (job.attempts - 1), BACKOFF_MAX_SECONDS)
        Job.objects.filter(id=job.id, status=Job.Status.RUNNING).update(
            status=Job.Status.PENDING,
            claimed_at=None,
            available_at=timezone.now() + timedelta(seconds=delay),
            last_error=repr(error)[:2000],
        )
        logger.warning(
            "job.retry_later",
            extra={"job_id": str(job.id), "kind": job.kind, "delay_seconds": delay},
            exc_info=True,
        )
        return Job.Status.PENDING
    _job_finish(job=job, status=Job.Status.DONE, error="")
    return Job.Status.DONE


def _job_finish(*, job: Job, status: str, error: str) -> None:
    Job.objects.filter(id=job.id, status=Job.Status.RUNNING).update(
        status=status, finished_at=timezone.now(), last_error=error[:2000]
    )


def job_retry(*, job_id: UUID) -> bool:
    """Give a failed job another round of attempts (an administrator's action)."""
    failed = Job.objects.filter(id=job_id, status=Job.Status.FAILED)
    queue = failed.values_list("queue", flat=True).first()
    updated = failed.update(
        status=Job.Status.PENDING,
        attempts=0,
        available_at=timezone.now(),
        finished_at=None,
    )
    if updated and queue is not None:
        transaction.on_commit(lambda: job_publish(job_id=job_id, queue=queue))
    return bool(updated)


def jobs_reconcile(*, limit: int = 1000) -> dict[str, int]:
    """Publish again due jobs that have waited too long; release jobs whose worker died.

    Safe to run concurrently and repeatedly: publishing twice is harmless because running
    claims the row first.
    """
    now = timezone.now()
    dead_claims = Job.objects.filter(
        status=Job.Status.RUNNING,
        claimed_at__lt=now - timedelta(seconds=settings.JOBS_STALE_RUNNING_SECONDS),
    )
    released_ids = list(dead_claims.values_list("id", flat=True)[:limit])
    released = dead_claims.filter(id__in=released_ids).update(
        status=Job.Status.PENDING, claimed_at=None, available_at=now, last_published_at=None
    )

    stale_before = now - timedelta(seconds=settings.JOBS_STALE_PENDING_SECONDS)
    due = list(
        Job.objects.filter(status=Job.Status.PENDING, available_at__lte=now)
        .filter(
            Q(id__in=released_ids)
            | Q(last_published_at__isnull=True, created_at__lt=stale_before)
            | Q(last_published_at__lt=stale_before)
            # Jobs that backed off: due again, and their last message was before they came due.
            | Q(last_published_at__lt=F("available_at"))
        )
        .order_by("available_at")
        .values_list("id", "queue")[:limit]
    )
    # One message per job, then one UPDATE for all that the broker accepted.
    sent = [job_id for job_id, queue in due if _job_send(job_id=job_id, queue=queue)]
    Job.objects.filter(id__in=sent).update(last_published_at=timezone.now())
    published = len(sent)
    if released or due:
        logger.info(
            "jobs.reconciled",
            extra={"released": released, "due": len(due), "published": published},
        )
    return {"released": released, "due": len(due), "published": published}


def jobs_purge_finished(*, older_than_days: int) -> int:
    """Delete done jobs older than the retention; failed ones stay for administrators."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Job.objects.filter(status=Job.Status.DONE, finished_at__lt=cutoff).delete()
    return deleted
