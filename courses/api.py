"""The only module of `courses` that other apps import (with `data.py`).

`credentials` asks here for completions (DESIGN.md): one learner's, or an offering's.
"""

from datetime import datetime
from uuid import UUID

from courses import selectors
from courses.data import CompletionData
from courses.listeners import CompletionListener, completion_listener_add
from courses.models import CompletionStatus, Enrollment
from profiles import api as profiles_api


def provider_may_publish(*, user_id: int, organization_id: int) -> bool:
    """May this person publish courses for this organization? (managers only)."""
    return profiles_api.person_may_act_for_organization(
        user_id=user_id, organization_id=organization_id, roles={"manager"}
    )


def completion_get(*, learner_id: int, offering_id: UUID) -> CompletionData | None:
    """The learner's decided result in the offering, or None if not decided (yet)."""
    enrollment = (
        Enrollment.objects.select_related("offering__course")
        .filter(learner_id=learner_id, offering__public_id=offering_id)
        .exclude(completion="")
        .order_by("-completed_at")
        .first()
    )
    return selectors.completion_data(enrollment) if enrollment is not None else None


def completions_of_offering(*, offering_id: UUID) -> list[CompletionData]:
    """Every decided result of an offering (the completers and the others), by enrollment."""
    enrollments = (
        Enrollment.objects.select_related("offering__course")
        .filter(offering__public_id=offering_id)
        .exclude(completion="")
        .order_by("id")
    )
    return [selectors.completion_data(enrollment) for enrollment in enrollments]


def completed_of_courses(
    *, course_ids: list[UUID], completed_since: datetime, limit: int = 10_000
) -> list[CompletionData]:
    """Completed enrollments of offerings of these courses decided since `completed_since`,
    newest first (the credentials sweep looks there for those without a credential)."""
    enrollments = (
        Enrollment.objects.select_related("offering__course")
        .filter(
            offering__course__public_id__in=course_ids,
            completion=CompletionStatus.COMPLETED,
            completed_at__gte=completed_since,
        )
        .order_by("-completed_at", "-id")[:limit]
    )
    return [selectors.completion_data(enrollment) for enrollment in enrollments]


def completion_listener_register(listener: CompletionListener) -> None:
    """Be told of completions decided when an offering closes, after its commit (a list of
    CompletionData, completed or not). Best effort: pair it with a periodic sweep."""
    completion_listener_add(listener)
