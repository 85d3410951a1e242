"""May this person do this to this object? Deny by default: every function returns False
unless a rule below grants it."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from profiles.models import AdministrativeUnit, Membership, Organization, RegionalAdminScope

Actor = AbstractBaseUser | AnonymousUser


def has_privileged_role(user: Actor) -> bool:
    """Staff, managers, issuer administrators, regional and national administrators: the
    people who must use MFA before reaching any staff page."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    # Asked by the MFA middleware, the view and the navigation of one request: remember the
    # answer on this user object (which lives for one request).
    cached: bool | None = getattr(user, "_has_privileged_role", None)
    if cached is None:
        cached = (
            Membership.objects.filter(user_id=user.pk).exists()
            or RegionalAdminScope.objects.filter(user_id=user.pk).exists()
        )
        user.__dict__["_has_privileged_role"] = cached
    return cached


def may_view_staff_area(user: Actor) -> bool:
    return has_privileged_role(user)


def may_act_for_organization(user: Actor, organization: Organization, roles: set[str]) -> bool:
    """Does `user` hold one of `roles` at `organization`?"""
    if not user.is_authenticated or not roles:
        return False
    return Membership.objects.filter(
        user_id=user.pk, organization=organization, role__in=roles
    ).exists()


def may_manage_organization(user: Actor, organization: Organization) -> bool:
    return may_act_for_organization(user, organization, {Membership.Role.MANAGER})


def may_administer_unit(user: Actor, unit: AdministrativeUnit) -> bool:
    """A regional administrator of a province covers its wards; of a ward, only that ward."""
    if not user.is_authenticated:
        return False
    unit_ids = [unit.pk] + ([unit.parent_id] if unit.parent_id is not None else [])
    return RegionalAdminScope.objects.filter(user_id=user.pk, unit_id__in=unit_ids).exists()


def may_approve_organization(user: Actor, organization: Organization) -> bool:
    return may_administer_unit(user, organization.ward)
