"""The only module of `courses` that other apps import (with `data.py`).

`credentials` asks here for completions (DESIGN.md): one learner's, or an offering's.
"""

from datetime import datetime
from uuid import UUID

from django.db.models import Count, Q

from courses import selectors
from courses.data import CompletionData, CourseSummary, OfferingSummary, OpenOffering
from courses.listeners import CompletionListener, completion_listener_add
from courses.models import (
    CompletionStatus,
    Course,
    Enrollment,
    EnrollmentStatus,
    Offering,
    OfferingStatus,
)
from learnprofile.absolute_urls import absolute_url
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


def completions_of_learners(
    *, pairs: set[tuple[int, UUID]]
) -> dict[tuple[int, UUID], CompletionData]:
    """The decided results of these (learner, offering) pairs, in one query."""
    if not pairs:
        return {}
    enrollments = (
        Enrollment.objects.select_related("offering__course")
        .filter(
            learner_id__in={learner_id for learner_id, _offering in pairs},
            offering__public_id__in={offering_id for _learner, offering_id in pairs},
        )
        .exclude(completion="")
        .order_by("completed_at")
    )
    found = {}
    for enrollment in enrollments:
        key = (enrollment.learner_id, enrollment.offering.public_id)
        if key in pairs:
            found[key] = selectors.completion_data(enrollment)  # the latest wins
    return found


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


def learners_of_organization(*, organization_id: int, learner_ids: set[int]) -> set[int]:
    """Those of these people who hold or held a seat in a class of a course the organization
    provides: an active enrollment, or one whose result was decided (a cancelled enrollment or
    a place on a waitlist is no tie). One query; an empty set for no ids."""
    if not learner_ids:
        return set()
    return set(
        Enrollment.objects.filter(
            learner_id__in=learner_ids, offering__course__provider_id=organization_id
        )
        .filter(Q(status=EnrollmentStatus.ACTIVE) | ~Q(completion=""))
        .values_list("learner_id", flat=True)
        .distinct()
    )


def offerings_of_organization(
    *, organization_id: int, course_ids: list[UUID], offering_ids: set[UUID]
) -> set[UUID]:
    """Those of these offerings (public ids) that are classes of a course the organization
    provides and that is one of `course_ids` (public ids): an issuer's scope for an offering
    named in a request. One query; an empty set for no ids."""
    if not offering_ids or not course_ids:
        return set()
    return set(
        Offering.objects.filter(
            public_id__in=offering_ids,
            course__provider_id=organization_id,
            course__public_id__in=course_ids,
        ).values_list("public_id", flat=True)
    )


def courses_of_organization(*, organization_id: int) -> list[CourseSummary]:
    """The courses an organization provides, by title."""
    return [
        CourseSummary(id=course.public_id, title=course.title)
        for course in Course.objects.filter(provider_id=organization_id).order_by("title", "id")
    ]


def offerings_of_courses(*, course_ids: list[UUID], limit: int = 200) -> list[OfferingSummary]:
    """The latest offerings of these courses (newest first) with how many completed."""
    offerings = (
        Offering.objects.select_related("course")
        .filter(course__public_id__in=course_ids)
        .exclude(status=OfferingStatus.DRAFT)
        .annotate(
            completed=Count("enrollments", filter=Q(enrollments__completion="completed")),
        )
        .order_by("-starts_on", "-id")[:limit]
    )
    return [
        OfferingSummary(
            id=offering.public_id,
            course_id=offering.course.public_id,
            course_title=offering.course.title,
            starts_on=offering.starts_on,
            ends_on=offering.ends_on,
            is_closed=offering.status == OfferingStatus.FINISHED,
            completed=offering.completed,
        )
        for offering in offerings
    ]


def open_offerings_near(
    *, learner_id: int, course_ids: list[UUID] | None = None, limit: int = 1
) -> list[OpenOffering]:
    """Classes taking enrollments (of these courses, if given) nearest the learner's home:
    their ward, then their province, then elsewhere, each soonest first."""
    person = profiles_api.person_get(user_id=learner_id)
    place = selectors.Place(
        ward_id=person.residence_ward_id if person else None,
        province_id=person.residence_province_id if person else None,
    )
    courses = None
    if course_ids is not None:
        courses = set(Course.objects.filter(public_id__in=course_ids).values_list("pk", flat=True))
    return [
        OpenOffering(
            course_title=offering.course.title,
            starts_on=offering.starts_on,
            venue=offering.venue,
            link=absolute_url("course_detail", kwargs={"course_id": offering.course.public_id}),
        )
        for offering in selectors.open_offerings_near(place=place, limit=limit, course_ids=courses)
    ]


def completion_listener_register(listener: CompletionListener) -> None:
    """Be told of completions decided when an offering closes, after its commit (a list of
    CompletionData, completed or not). Best effort: pair it with a periodic sweep."""
    completion_listener_add(listener)
