"""May this person do this to this object? Deny by default: every function returns False
unless a rule below grants it."""

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from profiles.models import (
    AdministrativeUnit,
    EvidenceFile,
    LearningRecord,
    Membership,
    Organization,
    RegionalAdminScope,
)

Actor = AbstractBaseUser | AnonymousUser
# "Is this learner known at one of these organizations?" Other apps add their answer
# (courses: enrolled there) through profiles.api.learner_relation_register.
LearnerRelation = Callable[[set[int], int], bool]
_learner_relations: list[LearnerRelation] = []

CENTER_ROLES = {Membership.Role.STAFF, Membership.Role.MANAGER}


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


def staff_second_factor_missing(user: Actor) -> bool:
    """Does this person hold a staff role without two-step verification (TOTP)? They may
    reach no staff page, endpoint or learner's file until they set it up."""
    if not has_privileged_role(user):
        return False
    # Asked by the middleware and the view of one request: remember it on this user object.
    cached: bool | None = getattr(user, "_has_totp", None)
    if cached is None:
        cached = is_mfa_enabled(user, [Authenticator.Type.TOTP])
        user.__dict__["_has_totp"] = cached
    return not cached


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


def center_organization_ids(user: Actor) -> set[int]:
    """Organizations where `user` works as staff or manager (the center roles)."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user_id=user.pk, role__in=CENTER_ROLES).values_list(
            "organization_id", flat=True
        )
    )


def may_verify_record(user: Actor, record: LearningRecord) -> bool:
    """Staff of the organization the citizen asked to verify a self-reported record."""
    return (
        record.verifier_organization_id is not None
        and record.citizen_id != user.pk
        and record.verifier_organization_id in center_organization_ids(user)
    )


def may_download_evidence(user: Actor, evidence: EvidenceFile) -> bool:
    if not user.is_authenticated:
        return False
    if evidence.owner_id == user.pk:
        return True
    return may_verify_record(user, evidence.record) and not staff_second_factor_missing(user)


def learner_relation_register(relation: LearnerRelation) -> None:
    if relation not in _learner_relations:
        _learner_relations.append(relation)


def _learner_has_records_at(organization_ids: set[int], learner_id: int) -> bool:
    return LearningRecord.objects.filter(
        Q(provider_organization_id__in=organization_ids)
        | Q(verifier_organization_id__in=organization_ids),
        citizen_id=learner_id,
    ).exists()


def may_view_learner(user: Actor, learner_id: int) -> bool:
    """Center staff see a read-only summary of learners known at their center: learning
    recorded there, a record they were asked to verify, or (from courses) an enrollment."""
    if not user.is_authenticated or user.pk == learner_id:
        return False
    organization_ids = center_organization_ids(user)
    if not organization_ids:
        return False
    relations = [_learner_has_records_at, *_learner_relations]
    return any(relation(organization_ids, learner_id) for relation in relations)
