"""The only module of `credentials` that other apps import (with `data.py`)."""

from profiles import api as profiles_api


def issuer_may_issue(*, user_id: int, organization_id: int) -> bool:
    """May this person issue credentials for this organization? (issuer administrators only)."""
    return profiles_api.person_may_act_for_organization(
        user_id=user_id, organization_id=organization_id, roles={"issuer_admin"}
    )
