"""Completions as courses.api returns them to other apps."""

from courses.data import CompletionData
from courses.models import CompletionStatus, Enrollment


def completion_data(enrollment: Enrollment) -> CompletionData:
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


def completions_of_enrollments(*, enrollment_ids: list[int]) -> list[CompletionData]:
    """Decided completions of these enrollments (internal ids: for courses' own listeners)."""
    enrollments = (
        Enrollment.objects.select_related("offering__course")
        .filter(pk__in=enrollment_ids)
        .exclude(completion="")
        .order_by("id")
    )
    return [completion_data(enrollment) for enrollment in enrollments]
