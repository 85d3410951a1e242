"""May this person do this to this credentials object? Deny by default: every function
returns False unless a rule below grants it. The issuer's pages and the API ask these
(through the getters of credentials.selectors), never a query of their own."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from credentials.models import Achievement
from profiles import api as profiles_api
from profiles.data import OrganizationData

Actor = AbstractBaseUser | AnonymousUser

ISSUER_ROLES = {"issuer_admin"}


def issuer_organizations(actor: Actor) -> dict[int, OrganizationData]:
    """The organizations where `actor` is an issuer administrator, by id in name order
    (empty for anyone else)."""
    if not actor.is_authenticated or actor.pk is None:
        return {}
    return {
        organization.id: organization
        for organization in profiles_api.organizations_of(user_id=actor.pk, roles=ISSUER_ROLES)
    }


def issuer_organization_ids(actor: Actor) -> set[int]:
    """The ids of `issuer_organizations(actor)`."""
    return set(issuer_organizations(actor))


def may_issue_for(actor: Actor, organization_id: int) -> bool:
    """May `actor` create certificate templates and issue credentials for this organization?"""
    return organization_id in issuer_organization_ids(actor)


def may_manage_achievement(actor: Actor, achievement: Achievement) -> bool:
    """May `actor` edit this certificate template, issue it, and revoke what it issued?"""
    return may_issue_for(actor, achievement.organization_id)
