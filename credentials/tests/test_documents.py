"""An Open Badges 3.0 credential as the platform builds it: valid against the published schema,
canonical in safe mode (every term defined), signed and verified with an issuer key."""

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import cryptosuite, documents
from credentials.jsonld import canonize

ISSUER = documents.IssuerInfo(
    id="did:web:hoctap.gov.vn:issuers:tthtcd-hoan-kiem",
    name="Trung tâm học tập cộng đồng phường Hoàn Kiếm",
    url="https://hoctap.gov.vn/",
)
ACHIEVEMENT = documents.AchievementInfo(
    id="https://hoctap.gov.vn/achievements/2b1c5d3e-0000-4000-8000-000000000001",
    name="Chứng nhận hoàn thành: Tin học cơ bản",
    description="Hoàn thành khóa Tin học cơ bản (24 giờ) tại trung tâm.",
    criteria="Tham gia ít nhất 80% số buổi học.",
    credits=Decimal("1.5"),
)


def _credential(**changes) -> dict:
    values = {
        "credential_id": "urn:uuid:7f0c2a9e-0000-4000-8000-000000000042",
        "issuer": ISSUER,
        "achievement": ACHIEVEMENT,
        "subject": documents.SubjectInfo(
            identity_kind="email",
            identity="lan@example.vn",
            salt="8a2f0c",
            attendance_percent=Decimal("93.3"),
        ),
        "valid_from": datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
        "valid_until": datetime(2031, 11, 23, 1, 0, tzinfo=UTC),
        "evidence_url": "https://hoctap.gov.vn/courses/offerings/7c4d2e1f-2222-4b8a-9e3f-1d5c6b7a8e02",
        "status": documents.StatusInfo(
            list_credential="https://hoctap.gov.vn/credentials/status/3", index=94567
        ),
    }
    values.update(changes)
    return documents.credential_build(**values)


def test_a_built_credential_is_valid_against_the_ob_schema() -> None:
    assert documents.schema_errors(_credential()) == []


def test_the_schema_check_names_what_is_wrong() -> None:
    credential = _credential()
    del credential["issuer"]
    credential["validFrom"] = "hôm nay"

    errors = documents.schema_errors(credential)

    assert any("'issuer' is a required property" in error for error in errors)
    assert any(error.startswith("validFrom:") for error in errors)


def test_every_term_of_a_built_credential_is_defined_and_it_signs_and_verifies() -> None:
    key = Ed25519PrivateKey.generate()
    method = f"{ISSUER.id}#{cryptosuite.public_key_multibase(key.public_key())}"
    credential = _credential()

    canonize(credential)  # safe mode: raises on any undefined term
    signed = cryptosuite.proof_create(
        document=credential,
        private_key=key,
        options=cryptosuite.ProofOptions(
            verification_method=method, created="2026-11-23T01:00:00Z"
        ),
    )

    assert documents.schema_errors(signed) == []
    assert cryptosuite.proof_verify(document=signed, public_key=key.public_key())
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["result"][0]["value"] = "100.0"
    with pytest.raises(cryptosuite.ProofError):
        cryptosuite.proof_verify(document=tampered, public_key=key.public_key())


def test_the_learner_is_named_only_by_a_salted_hash() -> None:
    credential = _credential()

    identifier = credential["credentialSubject"]["identifier"][0]
    assert "lan@example.vn" not in str(credential)
    assert identifier["identityHash"] == documents.identity_hash("lan@example.vn", "8a2f0c")
    assert identifier["identityHash"] != documents.identity_hash("lan@example.vn", "other")
    assert identifier["identityType"] == "emailAddress"


def test_a_phone_identity_uses_an_extension_type_the_schema_allows() -> None:
    credential = _credential(
        subject=documents.SubjectInfo(identity_kind="phone", identity="+84912345678", salt="s")
    )

    assert credential["credentialSubject"]["identifier"][0]["identityType"] == "ext:phoneNumber"
    assert documents.schema_errors(credential) == []
