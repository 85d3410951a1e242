"""credentials.api, what other apps may ask: public ids in, never integer keys."""

import uuid

import pytest

from credentials import api

pytestmark = pytest.mark.django_db


def test_the_issuer_administrator_may_issue_for_their_organization_by_public_ids(
    personas,
) -> None:
    organization = personas.issuer_admin.memberships.get().organization

    assert api.issuer_may_issue(
        user_id=personas.issuer_admin.public_id, organization_id=organization.public_id
    )


@pytest.mark.parametrize("persona", ["center_staff", "center_manager", "learner"])
def test_no_one_else_of_the_organization_may_issue(personas, persona) -> None:
    organization = personas.issuer_admin.memberships.get().organization

    assert not api.issuer_may_issue(
        user_id=getattr(personas, persona).public_id, organization_id=organization.public_id
    )


def test_an_unknown_person_or_organization_may_not_issue(personas) -> None:
    organization = personas.issuer_admin.memberships.get().organization

    assert not api.issuer_may_issue(user_id=uuid.uuid4(), organization_id=organization.public_id)
    assert not api.issuer_may_issue(
        user_id=personas.issuer_admin.public_id, organization_id=uuid.uuid4()
    )
