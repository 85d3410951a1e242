"""May this person do this to this credentials object? Deny by default."""

from typing import Any

from profiles import api as profiles_api


def issuer_organization_ids(actor: Any) -> set[int]:
    """The organizations where `actor` is an issuer administrator."""
    if not getattr(actor, "is_authenticated", False):
        return set()
    return {
        organization.id
        for organization in profiles_api.organizations_of(user_id=actor.pk, roles={"issuer_admin"})
    }
