"""Issuance through the durable job pipeline.

Every request to issue is an `Issuance` row, written in the transaction that asks for it
(a completion's listener, the sweep, an administrator's batch), with a job row on the
`signing` queue; a worker signs. The row ends `issued`, `already` (a standing credential was
there) or `refused` with the reason; a transient failure leaves it `pending` and the job
retries. Exactly once holds whatever happens to workers: the credential table's unique
constraint has the last word, and the row's state moves only from `pending`.

The sweep (Celery beat) asks `courses.api` for the last 30 days' completions of each active
achievement's courses and requests those that were never requested, so nothing is missed if
the on-commit listener is. A credential that was revoked is not issued again by the sweep:
only an administrator can.
"""

import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from courses import api as courses_api
from courses.data import CompletionData
from credentials.models import Achievement, Credential, Issuance, IssuanceBatch
from credentials.services.issuance import credential_issue
from learnprofile.errors import DomainError
from learnprofile.jobs.models import Job
from learnprofile.jobs.registry import PermanentJobError, job_handler
from learnprofile.jobs.services import job_retry, jobs_enqueue_on_commit
from profiles import api as profiles_api

ISSUE = "credentials.issue"
QUEUE = "signing"
# The sweep looks at completions decided this recently; the on-commit listener handles the
# rest at once, and a completion older than this that was missed is issued by hand.
SWEEP_WINDOW = timedelta(days=30)


def issuances_enqueue_on_commit(issuances: list[Issuance]) -> None:
    """One job per (saved) issuance, published after the caller's commit."""
    if issuances:
        jobs_enqueue_on_commit(
            kind=ISSUE,
            payloads=[{"issuance": str(issuance.public_id)} for issuance in issuances],
            queue=QUEUE,
        )


def automatic_request(
    wanted: Iterable[tuple[Achievement, int, uuid.UUID | None]],
) -> list[Issuance]:
    """Request the automatic issuance of each (achievement, learner, offering) that was
    never requested; in the caller's transaction. Returns the new requests."""
    rows = [
        Issuance(achievement=achievement, learner_id=learner_id, offering_id=offering_id)
        for achievement, learner_id, offering_id in wanted
    ]
    if not rows:
        return []
    # ON CONFLICT DO NOTHING on the "automatic once" constraint; rows that were inserted
    # are found again by their public ids (bulk_create cannot tell which were skipped).
    Issuance.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Issuance.objects.filter(public_id__in=[row.public_id for row in rows]).only("public_id")
    )
    issuances_enqueue_on_commit(created)
    return created


@job_handler(ISSUE)
def issue_job(payload: dict[str, Any]) -> None:
    try:
        issuance_id = uuid.UUID(payload["issuance"])
    except (KeyError, TypeError, ValueError) as error:
        raise PermanentJobError(f"Bad payload: {payload!r}") from error
    issuance_run(issuance_id=issuance_id)


def issuance_run(*, issuance_id: uuid.UUID) -> str:
    """Carry out one request (idempotent: a request that is no longer pending is left as
    it is). Returns its status. A refusal (not eligible, no longer an issuer, gone) is an
    answer, kept with its reason; any other error propagates, so the job retries."""
    issuance = Issuance.objects.select_related("achievement").filter(public_id=issuance_id).first()
    if issuance is None:
        raise PermanentJobError(f"No issuance {issuance_id}.")
    if issuance.status != Issuance.Status.PENDING:
        return issuance.status
    # Who asked (an administrator's batch), read through profiles.api; None: the automatic
    # issuance of a completion.
    actor = (
        profiles_api.user_get(user_id=issuance.requested_by_id)
        if issuance.requested_by_id is not None
        else None
    )
    try:
        credential, created = credential_issue(
            actor=actor,
            achievement_id=issuance.achievement.public_id,
            learner_id=issuance.learner_id,
            offering_id=issuance.offering_id,
            issuance=issuance,
        )
    except DomainError as refusal:
        _finish(issuance, Issuance.Status.REFUSED, reason=str(refusal.message))
        return Issuance.Status.REFUSED
    if not created:
        _finish(issuance, Issuance.Status.ALREADY, credential=credential)
        return Issuance.Status.ALREADY
    return Issuance.Status.ISSUED  # marked in the credential's own transaction


def _finish(
    issuance: Issuance, status: str, *, reason: str = "", credential: Credential | None = None
) -> None:
    Issuance.objects.filter(pk=issuance.pk, status=Issuance.Status.PENDING).update(
        status=status, reason=reason[:300], credential=credential, finished_at=timezone.now()
    )


def credentials_sweep() -> int:
    """Request an issuance for every recent completion of a linked course that was never
    requested and never had a credential of that achievement. Returns how many."""
    since = timezone.now() - SWEEP_WINDOW
    wanted: list[tuple[Achievement, int, uuid.UUID | None]] = []
    for achievement in Achievement.objects.filter(is_active=True).exclude(course_ids=[]):
        completions = courses_api.completed_of_courses(
            course_ids=list(achievement.course_ids), completed_since=since
        )
        learner_ids = {completion.learner_id for completion in completions}
        known = set(
            Credential.objects.filter(
                achievement=achievement, learner_id__in=learner_ids
            ).values_list("learner_id", "offering_id")
        ) | set(
            Issuance.objects.filter(
                achievement=achievement, batch__isnull=True, learner_id__in=learner_ids
            ).values_list("learner_id", "offering_id")
        )
        wanted.extend(
            (achievement, completion.learner_id, completion.offering_id)
            for completion in completions
            if (completion.learner_id, completion.offering_id) not in known
        )
    return len(automatic_request(wanted))


def completions_queue(completions: list[CompletionData]) -> int:
    """Listener of `courses`: request an issuance for each new completion of a course that an
    active achievement rewards (called after the completion's commit). Returns how many."""
    completed = [completion for completion in completions if completion.is_completed]
    if not completed:
        return 0
    course_ids = {completion.course_id for completion in completed}
    achievements = Achievement.objects.filter(is_active=True, course_ids__overlap=list(course_ids))
    with transaction.atomic():
        return len(
            automatic_request(
                (achievement, completion.learner_id, completion.offering_id)
                for achievement in achievements
                for completion in completed
                if completion.course_id in achievement.course_ids
            )
        )


def batch_progress(batch: IssuanceBatch) -> dict[str, int]:
    """How many of the batch's issuances are in each state, and in all."""
    counts = dict.fromkeys(Issuance.Status.values, 0)
    for status, count in (
        Issuance.objects.filter(batch=batch)
        .values_list("status")
        .annotate(count=Count("id"))
        .order_by()
    ):
        counts[status] = count
    counts["total"] = sum(counts.values())
    return counts


def issuances_resubmit(
    *, stuck_for: timedelta, refused: bool = False, batch_id: uuid.UUID | None = None
) -> int:
    """Send again the requests that are stuck (pending for longer than `stuck_for` and their
    job failed or gone) and, with `refused`, those refused (the learner may have become
    eligible since). Returns how many were resubmitted."""
    now = timezone.now()
    selected = Q(status=Issuance.Status.PENDING, created_at__lt=now - stuck_for)
    if refused:
        selected |= Q(status=Issuance.Status.REFUSED)
    issuances = Issuance.objects.filter(selected)
    if batch_id is not None:
        issuances = issuances.filter(batch__public_id=batch_id)
    with transaction.atomic():
        chosen = list(issuances.select_for_update(skip_locked=True).order_by("id")[:10_000])
        # Each request's latest job, in one query (not one per request).
        latest_jobs: dict[str, tuple[uuid.UUID, str]] = {}
        for job_id, job_status, issuance_ref in (
            Job.objects.filter(kind=ISSUE, payload__issuance__in=[str(i.public_id) for i in chosen])
            .order_by("created_at")
            .values_list("id", "status", "payload__issuance")
        ):
            latest_jobs[issuance_ref] = (job_id, job_status)
        to_retry: list[uuid.UUID] = []
        to_send: list[Issuance] = []
        for issuance in chosen:
            job = latest_jobs.get(str(issuance.public_id))
            if issuance.status == Issuance.Status.PENDING and job is not None:
                if job[1] in (Job.Status.PENDING, Job.Status.RUNNING):
                    continue  # on its way: the reconciler looks after it
                if job[1] == Job.Status.FAILED:
                    to_retry.append(job[0])
                    continue
            to_send.append(issuance)
        for job_id in to_retry:
            job_retry(job_id=job_id)
        Issuance.objects.filter(pk__in=[issuance.pk for issuance in to_send]).update(
            status=Issuance.Status.PENDING, reason="", finished_at=None
        )
        issuances_enqueue_on_commit(to_send)
        resubmitted = len(to_retry) + len(to_send)
    return resubmitted
