"""The verifier: every check of a credential signed here (did:web) or elsewhere (did:key), and
each way a credential can fail, including a status list that cannot be read."""

import copy
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import cryptosuite, documents, verify
from credentials.services import keys, status
from profiles import api as profiles_api

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
def issuer(personas, settings):
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    settings.SITE_URL = "https://hoctap.gov.vn"
    organization = personas.issuer_admin.memberships.get().organization
    return profiles_api.organization_get(public_id=organization.public_id)


def _issue(issuer, *, valid_until=None, key=None, did=None, valid_from=NOW - timedelta(days=30)):
    signing_key = keys.signing_key_active(organization=issuer)
    position = status.status_index_allocate(organization_id=issuer.id)
    did = did or keys.issuer_did(issuer)
    document = documents.credential_build(
        credential_id="urn:uuid:7f0c2a9e-0000-4000-8000-000000000042",
        issuer=documents.IssuerInfo(id=did, name="Trung tâm", url="https://hoctap.gov.vn/"),
        achievement=documents.AchievementInfo(
            id="https://hoctap.gov.vn/achievements/1",
            name="Tin học cơ bản",
            description="Hoàn thành khóa học.",
            criteria="Chuyên cần từ 80%.",
        ),
        subject=documents.SubjectInfo(identity_kind="email", identity="lan@example.vn", salt="s"),
        valid_from=valid_from,
        valid_until=valid_until,
        status=documents.StatusInfo(
            list_credential=status.status_list_url(position.status_list), index=position.index
        ),
    )
    private = key or keys.signing_key_private(signing_key)
    method = f"{did}#{cryptosuite.public_key_multibase(private.public_key())}"
    signed = cryptosuite.proof_create(
        document=document,
        private_key=private,
        options=cryptosuite.ProofOptions(
            verification_method=method, created="2026-12-01T00:00:00Z"
        ),
    )
    return signed, position


def _verify(document, now=NOW, read_status=status.status_bits_read):
    return verify.credential_verify(
        document, resolve_key=_resolve, read_status=read_status, now=now
    )


def _resolve(did, multibase):
    return verify.did_key_resolve(did, multibase) or keys.did_web_resolve(did, multibase)


def _outcomes(result) -> dict:
    return {check.name: check.outcome for check in result.checks}


def test_a_credential_issued_here_passes_every_check(issuer) -> None:
    signed, _position = _issue(issuer)

    result = _verify(signed)

    assert result.verdict == "valid"
    assert _outcomes(result) == {
        "schema": "passed",
        "proof": "passed",
        "issuer_key": "passed",
        "status": "passed",
        "validity": "passed",
    }


def test_a_changed_field_fails_the_proof(issuer) -> None:
    signed, _position = _issue(issuer)
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["name"] = "Thạc sĩ"

    result = _verify(changed)

    assert (result.verdict, _outcomes(result)["proof"]) == ("invalid", "failed")


def test_a_key_the_issuer_does_not_list_fails_the_key_binding(issuer) -> None:
    signed, _position = _issue(issuer, key=Ed25519PrivateKey.generate())

    result = _verify(signed)

    assert result.verdict == "invalid"
    assert _outcomes(result)["issuer_key"] == "failed"


def test_a_revoked_credential_says_revoked(issuer) -> None:
    signed, position = _issue(issuer)
    status.status_bit_set(position=position)

    result = _verify(signed)

    assert (result.verdict, _outcomes(result)["status"]) == ("revoked", "failed")


@pytest.mark.parametrize(
    ("now", "verdict"),
    [(NOW + timedelta(days=400), "expired"), (NOW - timedelta(days=60), "not_yet_valid")],
    ids=["expired", "not-yet-valid"],
)
def test_the_validity_window_is_checked(issuer, now, verdict) -> None:
    signed, _position = _issue(issuer, valid_until=NOW + timedelta(days=365))

    assert _verify(signed, now=now).verdict == verdict


def test_a_status_list_that_cannot_be_read_gives_cannot_confirm_never_valid(issuer) -> None:
    signed, _position = _issue(issuer)

    result = _verify(signed, read_status=lambda url: None)

    assert (result.verdict, _outcomes(result)["status"]) == ("cannot_confirm", "cannot_confirm")


def test_a_did_key_credential_from_elsewhere_verifies(issuer) -> None:
    outside = Ed25519PrivateKey.generate()
    did = f"did:key:{cryptosuite.public_key_multibase(outside.public_key())}"

    signed, _position = _issue(issuer, key=outside, did=did)

    assert _verify(signed).verdict == "valid"


def test_a_rotated_key_still_verifies_what_it_signed(issuer) -> None:
    signed, _position = _issue(issuer)
    keys.signing_key_rotate(actor=None, organization=issuer)

    assert _verify(signed).verdict == "valid"


@pytest.mark.parametrize("document", [[], "x", {"proof": "z"}], ids=["list", "string", "junk"])
def test_garbage_is_invalid_not_an_error(document) -> None:
    assert _verify(document).verdict == "invalid"
