"""Issuance through the durable job pipeline: a job row per (achievement, learner, offering),
written in the transaction that asks for it; a worker signs. A refusal (not eligible) fails the
job permanently with its reason in `last_error`, so administrators can see why.

The sweep (Celery beat) asks `courses.api` for the last 30 days' completions of each active
achievement's courses and queues those that never had a credential, so nothing is missed if
the on-commit listener is.
A credential that was revoked is not issued again by the sweep: only an administrator can.
"""

import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from courses import api as courses_api
from courses.data import CompletionData
from credentials.models import Achievement, Credential
from credentials.services.issuance import NotEligible, credential_issue
from learnprofile.jobs.models import Job
from learnprofile.jobs.registry import PermanentJobError, job_handler
from learnprofile.jobs.services import job_enqueue_on_commit

ISSUE = "credentials.issue"
# The sweep looks at completions decided this recently; the on-commit listener handles the
# rest at once, and a completion older than this that was missed is issued by hand.
SWEEP_WINDOW = timedelta(days=30)


def _dedupe_key(achievement_id: uuid.UUID, learner_id: int, offering_id: uuid.UUID | None) -> str:
    return f"{ISSUE}:{achievement_id}:{learner_id}:{offering_id or '-'}"


def issuance_enqueue_on_commit(
    *, achievement_id: uuid.UUID, learner_id: int, offering_id: uuid.UUID | None
) -> Job:
    """Queue one issuance; idempotent on (achievement, learner, offering)."""
    return job_enqueue_on_commit(
        kind=ISSUE,
        payload={
            "achievement": str(achievement_id),
            "learner_id": learner_id,
            "offering": str(offering_id) if offering_id else None,
        },
        dedupe_key=_dedupe_key(achievement_id, learner_id, offering_id),
    )


@job_handler(ISSUE)
def issue_job(payload: dict[str, Any]) -> None:
    try:
        achievement_id = uuid.UUID(payload["achievement"])
        learner_id = int(payload["learner_id"])
        offering_id = uuid.UUID(payload["offering"]) if payload.get("offering") else None
    except (KeyError, TypeError, ValueError) as error:
        raise PermanentJobError(f"Bad payload: {payload!r}") from error
    try:
        credential_issue(
            actor=None,
            achievement_id=achievement_id,
            learner_id=learner_id,
            offering_id=offering_id,
        )
    except NotEligible as refusal:
        raise PermanentJobError(f"Not eligible: {refusal.message}") from refusal


def credentials_sweep() -> int:
    """Queue an issuance for every completion of a linked course that never had a credential
    of that achievement. Returns how many were queued."""
    queued = 0
    since = timezone.now() - SWEEP_WINDOW
    for achievement in Achievement.objects.filter(is_active=True).exclude(course_ids=[]):
        completions = courses_api.completed_of_courses(
            course_ids=list(achievement.course_ids), completed_since=since
        )
        had = set(
            Credential.objects.filter(
                achievement=achievement,
                learner_id__in={completion.learner_id for completion in completions},
            ).values_list("learner_id", "offering_id")
        )
        wanted = {
            _dedupe_key(achievement.public_id, completion.learner_id, completion.offering_id): (
                completion
            )
            for completion in completions
            if (completion.learner_id, completion.offering_id) not in had
        }
        queued_before = set(
            Job.objects.filter(dedupe_key__in=list(wanted)).values_list("dedupe_key", flat=True)
        )
        for key, completion in wanted.items():
            if key in queued_before:
                continue
            issuance_enqueue_on_commit(
                achievement_id=achievement.public_id,
                learner_id=completion.learner_id,
                offering_id=completion.offering_id,
            )
            queued += 1
    return queued


def completions_queue(completions: list[CompletionData]) -> int:
    """Listener of `courses`: queue an issuance for each new completion of a course that an
    active achievement rewards (called after the completion's commit). Returns how many."""
    completed = [completion for completion in completions if completion.is_completed]
    if not completed:
        return 0
    course_ids = {completion.course_id for completion in completed}
    achievements = Achievement.objects.filter(is_active=True, course_ids__overlap=list(course_ids))
    queued = 0
    with transaction.atomic():
        for achievement in achievements:
            for completion in completed:
                if completion.course_id in achievement.course_ids:
                    issuance_enqueue_on_commit(
                        achievement_id=achievement.public_id,
                        learner_id=completion.learner_id,
                        offering_id=completion.offering_id,
                    )
                    queued += 1
    return queued
