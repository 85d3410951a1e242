"""May this person do this to this catalog object? Deny by default."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from courses.models import Course, Enrollment, Offering, WalkInLearner
from profiles import api as profiles_api

Actor = AbstractBaseUser | AnonymousUser

MANAGER_ROLES = {"manager"}
CENTER_ROLES = {"manager", "staff"}


def managed_organization_ids(user: Actor) -> set[int]:
    """Organizations whose catalog the person manages (cached on the request's user)."""
    if not user.is_authenticated:
        return set()
    cached: set[int] | None = getattr(user, "_managed_organization_ids", None)
    if cached is None:
        cached = {
            organization.id
            for organization in profiles_api.organizations_of(user_id=user.pk, roles=MANAGER_ROLES)
        }
        user.__dict__["_managed_organization_ids"] = cached
    return cached


def center_organization_ids(user: Actor) -> set[int]:
    """Organizations where the person works (staff or manager): who may read rosters and
    take attendance (cached on the request's user)."""
    if not user.is_authenticated:
        return set()
    cached: set[int] | None = getattr(user, "_center_organization_ids", None)
    if cached is None:
        cached = {
            organization.id
            for organization in profiles_api.organizations_of(user_id=user.pk, roles=CENTER_ROLES)
        }
        user.__dict__["_center_organization_ids"] = cached
    return cached


def may_manage_course(user: Actor, course: Course) -> bool:
    return course.provider_id in managed_organization_ids(user)


def may_manage_offering(user: Actor, offering: Offering) -> bool:
    return offering.course.provider_id in managed_organization_ids(user)


def may_view_roster(user: Actor, offering: Offering) -> bool:
    return offering.course.provider_id in center_organization_ids(user)


def may_cancel_enrollment(user: Actor, enrollment: Enrollment) -> bool:
    """The learner themself, or a manager of the course's center."""
    if not user.is_authenticated:
        return False
    return enrollment.learner_id == user.pk or may_manage_offering(user, enrollment.offering)


def may_take_attendance(user: Actor, offering: Offering) -> bool:
    """Staff and managers of the course's center: mark, import, export, close."""
    return offering.course.provider_id in center_organization_ids(user)


def may_register_walk_ins(user: Actor, organization_id: int) -> bool:
    return organization_id in center_organization_ids(user)


def may_manage_walk_in(user: Actor, walk_in: WalkInLearner) -> bool:
    """The center that registered the walk-in learner (new code, undo a claim)."""
    return walk_in.organization_id in center_organization_ids(user)


def may_enroll_for(user: Actor, offering: Offering) -> bool:
    """Staff enroll walk-in and assisted learners into their own center's offerings."""
    return offering.course.provider_id in center_organization_ids(user)
