"""Reads of enrollments: a learner's courses, waitlist positions, an offering's roster."""

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from courses.models import ENROLLMENT_OPEN_STATUSES, Enrollment, Offering, Session
from courses.selectors.catalog import offerings_named


def enrollments_of_learner(*, learner_id: int) -> list[Enrollment]:
    """A learner's enrollments: open ones by start date, then the cancelled ones."""
    enrollments = offerings_named(
        Enrollment.objects.filter(learner_id=learner_id),
        via="offering__",
    ).select_related("offering__course__provider", "offering__ward", "offering__province")
    return sorted(
        enrollments,
        key=lambda enrollment: (
            enrollment.status not in ENROLLMENT_OPEN_STATUSES,
            enrollment.offering.starts_on,
            enrollment.pk,
        ),
    )


def waitlist_positions(enrollments: list[Enrollment]) -> dict[int, int]:
    """{enrollment id: place in its offering's waitlist (1 = next)} for the waitlisted ones
    among `enrollments`, in one query whatever their number."""
    waiting = [enrollment for enrollment in enrollments if enrollment.status == "waitlisted"]
    if not waiting:
        return {}
    ranked = (
        Enrollment.objects.filter(
            offering_id__in={enrollment.offering_id for enrollment in waiting},
            status="waitlisted",
        )
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("offering_id")], order_by=[F("waitlisted_at"), F("id")]
            )
        )
        .values_list("pk", "position")
    )
    # The window numbers the whole waitlist; a filter on pk would number only the kept rows.
    mine = {enrollment.pk for enrollment in waiting}
    return {pk: position for pk, position in ranked if pk in mine}


def open_enrollments_by_offering(
    *, learner_id: int, offering_ids: list[int]
) -> dict[int, Enrollment]:
    return {
        enrollment.offering_id: enrollment
        for enrollment in Enrollment.objects.filter(
            learner_id=learner_id,
            offering_id__in=offering_ids,
            status__in=ENROLLMENT_OPEN_STATUSES,
        )
    }


def roster(*, offering: Offering) -> list[Enrollment]:
    """Active learners, then the waitlist in order."""
    return list(
        offering.enrollments.filter(status__in=ENROLLMENT_OPEN_STATUSES).order_by(
            "status", "waitlisted_at", "created_at", "id"
        )
    )


def sessions_of(*, offering: Offering) -> QuerySet[Session]:
    return offering.sessions.order_by("starts_at", "id")


def learner_is_enrolled_at(organization_ids: set[int], learner_id: int) -> bool:
    """profiles asks this (through learner_relation_register) before showing a learner's
    summary to center staff."""
    return Enrollment.objects.filter(
        learner_id=learner_id, offering__course__provider_id__in=organization_ids
    ).exists()
