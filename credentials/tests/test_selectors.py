"""One permission-checked getter per object type (achievement, batch, credential), shared by
the issuer's pages and the API: the same answer from both, 403 for someone who issues for no
organization, 404 for another organization's object."""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from credentials import selectors
from credentials.models import IssuanceBatch
from learnprofile.errors import NotFound, NotPermitted
from profiles.tests.factories import with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(issued, personas):
    return IssuanceBatch.objects.create(
        achievement=issued.achievement,
        source=IssuanceBatch.Source.SINGLE,
        created_by=personas.issuer_admin,
    )


@pytest.fixture
def stranger(issued, personas):
    """An issuer administrator of another organization."""
    Organization = apps.get_model("profiles", "Organization")
    Membership = apps.get_model("profiles", "Membership")
    other = Organization.objects.exclude(pk=issued.achievement.organization_id).first()
    Membership.objects.create(user=personas.other_learner, organization=other, role="issuer_admin")
    with_mfa(personas.other_learner)
    return personas.other_learner


def test_each_getter_returns_the_issuers_own_object(issued, batch, personas) -> None:
    admin = personas.issuer_admin

    assert selectors.achievement_for_issuer(
        actor=admin, achievement_id=issued.achievement.public_id
    ) == (issued.achievement)
    assert selectors.batch_for_issuer(actor=admin, batch_id=batch.public_id) == batch
    assert selectors.credential_for_issuer(actor=admin, credential_id=issued.public_id) == issued


def test_each_getter_refuses_someone_who_issues_for_no_organization(
    issued, batch, personas
) -> None:
    staff = personas.center_staff

    with pytest.raises(NotPermitted):
        selectors.achievement_for_issuer(actor=staff, achievement_id=issued.achievement.public_id)
    with pytest.raises(NotPermitted):
        selectors.batch_for_issuer(actor=staff, batch_id=batch.public_id)
    with pytest.raises(NotPermitted):
        selectors.credential_for_issuer(actor=staff, credential_id=issued.public_id)


def test_each_getter_hides_another_organizations_object(issued, batch, stranger) -> None:
    with pytest.raises(NotFound):
        selectors.achievement_for_issuer(
            actor=stranger, achievement_id=issued.achievement.public_id
        )
    with pytest.raises(NotFound):
        selectors.batch_for_issuer(actor=stranger, batch_id=batch.public_id)
    with pytest.raises(NotFound):
        selectors.credential_for_issuer(actor=stranger, credential_id=issued.public_id)


def test_the_page_and_the_api_answer_404_for_another_organizations_batch_and_credential(
    issued, batch, stranger
) -> None:
    client = Client()
    client.force_login(stranger)

    assert client.get(reverse("issuer_batch", args=[batch.public_id])).status_code == 404
    assert client.get(reverse("api_issuance_batch", args=[batch.public_id])).status_code == 404
    assert client.get(reverse("issuer_credential", args=[issued.public_id])).status_code == 404
    revoke = client.post(
        reverse("api_credential_revoke", args=[issued.public_id]),
        {"reason": "Nhầm người"},
        content_type="application/json",
    )
    assert revoke.status_code == 404
    assert revoke.json()["error"]["code"] == "not_found"


def test_the_api_looks_the_credential_up_before_it_reads_the_body(issued, stranger) -> None:
    client = Client()
    client.force_login(stranger)

    revoke = client.post(
        reverse("api_credential_revoke", args=[issued.public_id]),
        {},
        content_type="application/json",
    )

    assert revoke.status_code == 404
    assert revoke.json()["error"]["code"] == "not_found"
