"""Issuer keys: encrypted at rest, rotated with the old ones still published, served as did:web."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from credentials import cryptosuite
from credentials.models import SigningKey
from credentials.services import keys
from profiles import api as profiles_api

pytestmark = pytest.mark.django_db


@pytest.fixture
def issuer(personas):
    organization = personas.issuer_admin.memberships.get().organization
    return profiles_api.organization_get(public_id=organization.public_id)


def test_a_private_key_is_stored_encrypted_and_signs_after_decryption(issuer) -> None:
    key = keys.signing_key_active(organization=issuer)
    private = keys.signing_key_private(key)
    raw = private.private_bytes(keys.Encoding.Raw, keys.PrivateFormat.Raw, keys.NoEncryption())

    assert raw.hex() not in key.private_key_encrypted
    assert raw not in key.private_key_encrypted.encode()
    assert cryptosuite.public_key_multibase(private.public_key()) == key.public_key_multibase


def test_another_encryption_key_cannot_read_the_private_key(issuer, settings) -> None:
    key = keys.signing_key_active(organization=issuer)
    settings.CREDENTIAL_KEY_ENCRYPTION_KEY = "another-secret"

    with pytest.raises(keys.SigningKeyUnreadable):
        keys.signing_key_private(key)


def test_rotation_signs_with_the_new_key_and_keeps_the_old_one_published(
    client, issuer, settings
) -> None:
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    old = keys.signing_key_active(organization=issuer)

    call_command("credentials_rotate_key", issuer.slug, stdout=io.StringIO())

    new = keys.signing_key_active(organization=issuer)
    assert new.pk != old.pk
    old.refresh_from_db()
    assert old.retired_at is not None
    document = client.get(reverse("issuer_did_document", args=[issuer.slug])).json()
    did = keys.issuer_did(issuer)
    assert document["id"] == did == f"did:web:hoctap.gov.vn:issuers:{issuer.slug}"
    assert document["assertionMethod"] == [
        f"{did}#{old.public_key_multibase}",
        f"{did}#{new.public_key_multibase}",
    ]
    assert {method["type"] for method in document["verificationMethod"]} == {"Multikey"}


def test_an_organization_has_one_active_key_at_most(issuer) -> None:
    keys.signing_key_active(organization=issuer)

    with pytest.raises(IntegrityError):
        SigningKey.objects.create(
            organization_id=issuer.id, public_key_multibase="z6Mkx", private_key_encrypted="x"
        )


def test_an_organization_without_keys_has_no_did_document(client, issuer) -> None:
    response = client.get(reverse("issuer_did_document", args=[issuer.slug]))

    assert response.status_code == 404


def test_a_port_in_the_site_domain_is_percent_encoded_in_the_did(issuer, settings) -> None:
    settings.SITE_DOMAIN = "localhost:8000"

    assert keys.issuer_did(issuer) == f"did:web:localhost%3A8000:issuers:{issuer.slug}"
