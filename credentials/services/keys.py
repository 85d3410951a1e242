"""Issuer identity: Ed25519 signing keys per organization and its did:web DID.

Each issuing organization is `did:web:<SITE_DOMAIN>:issuers:<slug>`, its document served at
`/issuers/<slug>/did.json`, listing every key it ever had as a Multikey under `assertionMethod`.
Private keys are encrypted at rest with Fernet under a key derived (HKDF-SHA256) from
CREDENTIAL_KEY_ENCRYPTION_KEY, so the database alone cannot sign.
"""

import base64
from functools import cache
from typing import Any
from urllib.parse import quote

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from credentials.cryptosuite import public_key_from_multibase, public_key_multibase
from credentials.models import SigningKey
from learnprofile.audit.services import audit_record
from profiles import api as profiles_api
from profiles.api import User
from profiles.data import OrganizationData

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


class SigningKeyUnreadable(Exception):
    """The stored private key cannot be decrypted: CREDENTIAL_KEY_ENCRYPTION_KEY changed."""


@cache
def _fernet(secret: str) -> Fernet:
    if not secret:
        raise ImproperlyConfigured("CREDENTIAL_KEY_ENCRYPTION_KEY is not set.")
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"learnprofile", info=b"credential signing keys"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _encrypt(private_key: Ed25519PrivateKey) -> str:
    raw = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return _fernet(settings.CREDENTIAL_KEY_ENCRYPTION_KEY).encrypt(raw).decode()


def signing_key_private(key: SigningKey) -> Ed25519PrivateKey:
    try:
        raw = _fernet(settings.CREDENTIAL_KEY_ENCRYPTION_KEY).decrypt(key.private_key_encrypted)
    except InvalidToken as error:
        raise SigningKeyUnreadable(
            f"Signing key {key.pk} cannot be decrypted with CREDENTIAL_KEY_ENCRYPTION_KEY."
        ) from error
    return Ed25519PrivateKey.from_private_bytes(raw)


def issuer_did(organization: OrganizationData) -> str:
    # did:web encodes a port's colon as %3A (DID Web method, section 3.2).
    return f"did:web:{quote(settings.SITE_DOMAIN, safe='')}:issuers:{organization.slug}"


def verification_method_id(organization: OrganizationData, key: SigningKey) -> str:
    return f"{issuer_did(organization)}#{key.public_key_multibase}"


@transaction.atomic
def signing_key_rotate(*, actor: User | None, organization: OrganizationData) -> SigningKey:
    """Give the organization a new active key; the previous one is retired (still published).
    Locks the organization's keys. Audited."""
    previous = list(
        SigningKey.objects.select_for_update()
        .filter(organization_id=organization.id, retired_at__isnull=True)
        .order_by("id")
    )
    now = timezone.now()
    SigningKey.objects.filter(pk__in=[key.pk for key in previous]).update(retired_at=now)
    private_key = Ed25519PrivateKey.generate()
    key = SigningKey.objects.create(
        organization_id=organization.id,
        public_key_multibase=public_key_multibase(private_key.public_key()),
        private_key_encrypted=_encrypt(private_key),
    )
    audit_record(
        actor=actor,
        action="signing_key.rotated",
        object_type="organization",
        object_id=organization.public_id,
        details={"key": key.public_key_multibase, "retired": len(previous)},
    )
    return key


def signing_key_active(*, organization: OrganizationData) -> SigningKey:
    """The key that signs now; one is created on first use."""
    key = SigningKey.objects.filter(
        organization_id=organization.id, retired_at__isnull=True
    ).first()
    return key if key is not None else signing_key_rotate(actor=None, organization=organization)


def did_document(*, organization: OrganizationData) -> dict[str, Any]:
    """The organization's DID document: every key, active or retired, as a Multikey."""
    did = issuer_did(organization)
    keys = SigningKey.objects.filter(organization_id=organization.id).order_by("created_at", "id")
    methods = [
        {
            "id": f"{did}#{key.public_key_multibase}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys
    ]
    return {
        "@context": DID_CONTEXT,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def did_web_resolve(did: str, multibase: str) -> Ed25519PublicKey | None:
    """The public key if `did` is an issuer of this platform that lists this key (active or
    retired) under assertionMethod; no network, the database is the DID document."""
    prefix = f"did:web:{quote(settings.SITE_DOMAIN, safe='')}:issuers:"
    if not did.startswith(prefix):
        return None
    organization = profiles_api.organization_get_by_slug(slug=did.removeprefix(prefix))
    if organization is None:
        return None
    key = SigningKey.objects.filter(
        organization_id=organization.id, public_key_multibase=multibase
    ).first()
    return public_key_from_multibase(key.public_key_multibase) if key is not None else None
