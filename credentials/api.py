"""The only module of `credentials` that other apps import (with `data.py`)."""

from uuid import UUID

from profiles import api as profiles_api


def issuer_may_issue(*, user_id: UUID, organization_id: UUID) -> bool:
    """May this person (by public id) issue credentials for this organization (by public
    id)? Issuer administrators only; False for a person or an organization that does not
    exist."""
    person = profiles_api.person_get_by_public_id(public_id=user_id)
    organization = profiles_api.organization_get(public_id=organization_id)
    if person is None or organization is None:
        return False
    return profiles_api.person_may_act_for_organization(
        user_id=person.id, organization_id=organization.id, roles={"issuer_admin"}
    )
