"""The only module of `profiles` that other apps import (with `data.py`)."""

from uuid import UUID

from profiles import permissions
from profiles.data import AdministrativeUnitData, OrganizationData, PersonData
from profiles.models import AdministrativeUnit, Organization, User


def _unit_data(unit: AdministrativeUnit) -> AdministrativeUnitData:
    return AdministrativeUnitData(
        id=unit.pk,
        code=unit.code,
        level=unit.level,
        name=unit.name,
        province_name=unit.parent.name if unit.parent is not None else None,
    )


def organization_get(*, public_id: UUID) -> OrganizationData | None:
    organization = (
        Organization.objects.select_related("ward__parent").filter(public_id=public_id).first()
    )
    if organization is None:
        return None
    return OrganizationData(
        id=organization.pk,
        public_id=organization.public_id,
        name=organization.name,
        kind=organization.kind,
        ward=_unit_data(organization.ward),
        is_approved=organization.is_approved,
    )


def person_get(*, user_id: int) -> PersonData | None:
    user = User.objects.select_related("citizen_profile").filter(pk=user_id).first()
    if user is None:
        return None
    profile = getattr(user, "citizen_profile", None)
    return PersonData(
        id=user.pk,
        public_id=user.public_id,
        email=user.email,
        full_name=profile.full_name if profile is not None else "",
        preferred_language=user.preferred_language,
    )


def person_may_act_for_organization(*, user_id: int, organization_id: int, roles: set[str]) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    organization = Organization.objects.filter(pk=organization_id).first()
    if user is None or organization is None:
        return False
    return permissions.may_act_for_organization(user, organization, roles)
