"""The only module of `courses` that other apps import (with `data.py`).

`credentials` asks here for completions (DESIGN.md): one learner's, or an offering's.
"""

from typing import Any
from uuid import UUID

from courses.data import CompletionData
from courses.models import CompletionStatus, Enrollment
from profiles import api as profiles_api


def provider_may_publish(*, user_id: int, organization_id: int) -> bool:
    """May this person publish courses for this organization? (managers only)."""
    return profiles_api.person_may_act_for_organization(
        user_id=user_id, organization_id=organization_id, roles={"manager"}
    )


def _completion_data(enrollment: Any) -> CompletionData:
    offering = enrollment.offering
    return CompletionData(
        enrollment_id=enrollment.public_id,
        offering_id=offering.public_id,
        course_id=offering.course.public_id,
        course_title=offering.course.title,
        provider_organization_id=offering.course.provider_id,
        learner_id=enrollment.learner_id,
        is_completed=enrollment.completion == CompletionStatus.COMPLETED,
        reason=enrollment.completion_reason,
        attendance_percent=enrollment.attendance_percent,
        attended_hours=enrollment.attended_hours,
        completed_at=enrollment.completed_at,
        starts_on=offering.starts_on,
        ends_on=offering.ends_on,
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
    return _completion_data(enrollment) if enrollment is not None else None


def completions_of_offering(*, offering_id: UUID) -> list[CompletionData]:
    """Every decided result of an offering (the completers and the others), by enrollment."""
    enrollments = (
        Enrollment.objects.select_related("offering__course")
        .filter(offering__public_id=offering_id)
        .exclude(completion="")
        .order_by("id")
    )
    return [_completion_data(enrollment) for enrollment in enrollments]


def completed_of_courses(*, course_ids: list[UUID], limit: int = 10_000) -> list[CompletionData]:
    """Completed enrollments of offerings of these courses, oldest decision first (the
    credentials sweep looks for those without a credential)."""
    enrollments = (
        Enrollment.objects.select_related("offering__course")
        .filter(offering__course__public_id__in=course_ids, completion=CompletionStatus.COMPLETED)
        .order_by("completed_at", "id")[:limit]
    )
    return [_completion_data(enrollment) for enrollment in enrollments]
