"""The verifier: every check of a credential signed here (did:web) or elsewhere (did:key), and
each way a credential can fail, including a status list that cannot be read; proofs one by
one (an object or an array, proof sets), the proof's purpose, and credentials that are not
Open Badges."""

import base64
import copy
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse

from credentials import cryptosuite, documents, verify
from credentials.services import keys, status
from credentials.services.verification import key_resolve, verify_here

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def _issue(
    issuer,
    *,
    valid_until=None,
    key=None,
    did=None,
    valid_from=NOW - timedelta(days=30),
    method=None,
    purpose="assertionMethod",
):
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
    method = method or f"{did}#{cryptosuite.public_key_multibase(private.public_key())}"
    signed = cryptosuite.proof_create(
        document=document,
        private_key=private,
        options=cryptosuite.ProofOptions(
            verification_method=method, created="2026-12-01T00:00:00Z", proof_purpose=purpose
        ),
    )
    return signed, position


def _verify(document, now=NOW, read_status=status.status_bits_read):
    return verify.credential_verify(
        document, resolve_key=key_resolve, read_status=read_status, now=now
    )


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


# --- Proofs one by one --------------------------------------------------------------------


def _did_key(private: Ed25519PrivateKey) -> str:
    return f"did:key:{cryptosuite.public_key_multibase(private.public_key())}"


def _sign(document, private, method, purpose="assertionMethod"):
    return cryptosuite.proof_create(
        document=document,
        private_key=private,
        options=cryptosuite.ProofOptions(
            verification_method=method, created="2026-12-01T00:00:00Z", proof_purpose=purpose
        ),
    )


def _checks(result) -> dict:
    return {check.name: (check.outcome, check.code) for check in result.checks}


def test_a_proof_made_for_authentication_is_invalid_with_the_reason(issuer) -> None:
    signed, _position = _issue(issuer, purpose="authentication")

    result = _verify(signed)

    assert result.verdict == "invalid"
    assert _checks(result)["proof"] == ("failed", "wrong_proof_purpose")
    assert result.checks[1].detail == (
        "Chữ ký được tạo cho mục đích “authentication”, không phải để xác nhận nội dung "
        "chứng chỉ (assertionMethod)."
    )


def test_a_key_that_cannot_be_resolved_gives_cannot_confirm_not_invalid(issuer) -> None:
    outside = Ed25519PrivateKey.generate()
    issuer_url = "https://issuer.example/issuers/7"
    multibase = cryptosuite.public_key_multibase(outside.public_key())

    signed, _position = _issue(
        issuer, key=outside, did=issuer_url, method=f"{issuer_url}#{multibase}"
    )
    result = _verify(signed)

    assert result.verdict == "cannot_confirm"
    assert _checks(result) == {
        "schema": ("passed", ""),
        "proof": ("cannot_confirm", "unsupported_method"),
        "issuer_key": ("cannot_confirm", "unsupported_method"),
        "status": ("passed", ""),
        "validity": ("passed", ""),
    }
    assert result.checks[2].detail == (
        "Không tra cứu được khóa của loại định danh này: chỉ hỗ trợ did:key và did:web (https)"
    )


def test_a_credential_of_an_issuer_this_platform_does_not_have_is_invalid(issuer) -> None:
    signed, _position = _issue(issuer, did="did:web:hoctap.gov.vn:issuers:no-such-center")

    result = _verify(signed)

    assert (result.verdict, _checks(result)["issuer_key"]) == (
        "invalid",
        ("failed", "unknown_issuer"),
    )


def test_a_did_key_without_a_fragment_names_its_key(issuer) -> None:
    outside = Ed25519PrivateKey.generate()
    did = _did_key(outside)

    signed, _position = _issue(issuer, key=outside, did=did, method=did)
    result = _verify(signed)

    assert result.verdict == "valid"
    assert [(p.verification_method, p.outcome) for p in result.proofs] == [(did, "passed")]


def test_a_did_key_fragment_naming_another_key_is_not_listed(issuer) -> None:
    outside = Ed25519PrivateKey.generate()
    did = _did_key(outside)

    signed, _position = _issue(issuer, key=outside, did=did, method=f"{did}#key-1")
    result = _verify(signed)

    assert (result.verdict, _checks(result)["issuer_key"]) == (
        "invalid",
        ("failed", "key_not_listed"),
    )


def test_a_proof_given_as_an_object_verifies(issuer) -> None:
    signed, _position = _issue(issuer)
    signed["proof"] = signed["proof"][0]

    result = verify.credential_verify(
        signed, resolve_key=key_resolve, read_status=status.status_bits_read, now=NOW
    )

    assert result.verdict == "valid"
    assert [(p.index, p.outcome, p.is_by_issuer) for p in result.proofs] == [(1, "passed", True)]


def test_two_proofs_of_the_issuer_and_another_signer_both_verify(issuer) -> None:
    signed, _position = _issue(issuer)
    witness = Ed25519PrivateKey.generate()
    unsigned = {key: value for key, value in signed.items() if key != "proof"}
    second = _sign(unsigned, witness, _did_key(witness))["proof"][0]
    signed["proof"] = [signed["proof"][0], second]

    result = _verify(signed)

    assert result.verdict == "valid"
    assert [(p.index, p.outcome, p.is_by_issuer) for p in result.proofs] == [
        (1, "passed", True),
        (2, "passed", False),
    ]


def test_one_wrong_proof_among_two_makes_the_credential_invalid_and_says_which(issuer) -> None:
    signed, _position = _issue(issuer)
    witness = Ed25519PrivateKey.generate()
    unsigned = {key: value for key, value in signed.items() if key != "proof"}
    second = _sign({**unsigned, "name": "Khác"}, witness, _did_key(witness))["proof"][0]
    signed["proof"] = [signed["proof"][0], second]

    result = _verify(signed)

    assert result.verdict == "invalid"
    assert [(p.outcome, p.code) for p in result.proofs] == [
        ("passed", ""),
        ("failed", "proof_mismatch"),
    ]
    assert result.checks[1].detail.startswith("Chữ ký 2: Chữ ký số không khớp với nội dung")


def test_only_another_signers_proof_is_not_the_issuers_signature(issuer) -> None:
    outside = Ed25519PrivateKey.generate()
    signed, _position = _issue(issuer, key=outside, method=_did_key(outside))

    result = _verify(signed)

    assert result.verdict == "invalid"
    assert _checks(result)["issuer_key"] == ("failed", "key_of_another_identifier")


def test_a_proof_of_another_cryptosuite_is_reported_and_not_counted(issuer) -> None:
    signed, _position = _issue(issuer)
    signed["proof"].append({**signed["proof"][0], "cryptosuite": "ecdsa-rdfc-2019"})

    result = _verify(signed)

    assert result.verdict == "valid"
    assert [(p.outcome, p.code) for p in result.proofs] == [
        ("passed", ""),
        ("cannot_confirm", "unsupported_cryptosuite"),
    ]


# --- Credentials that are not OpenBadgeCredentials ----------------------------------------


def _endorsement(did: str) -> dict:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:3b5e4a8e-0000-4000-8000-000000000007",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Sở Giáo dục"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Xác nhận trung tâm",
        "credentialSubject": {
            "id": "https://hoctap.gov.vn/issuers/trung-tam",
            "type": ["EndorsementSubject"],
            "endorsementComment": "Trung tâm đạt chuẩn.",
        },
    }


def test_an_endorsement_credential_is_checked_against_the_endorsement_schema() -> None:
    signer = Ed25519PrivateKey.generate()
    did = _did_key(signer)
    signed = _sign(_endorsement(did), signer, did)

    result = _verify(signed)

    assert (result.verdict, result.schema) == ("valid", "endorsement")
    assert result.checks[0].detail == "Đúng lược đồ Open Badges 3.0 EndorsementCredential."


def test_an_endorsement_missing_what_its_schema_requires_is_invalid_with_the_reason() -> None:
    signer = Ed25519PrivateKey.generate()
    did = _did_key(signer)
    document = _endorsement(did)
    del document["name"]
    signed = _sign(document, signer, did)

    result = _verify(signed)

    assert (result.verdict, _checks(result)["schema"]) == (
        "invalid",
        ("failed", "schema_mismatch"),
    )
    assert result.checks[0].detail == (
        "Không đúng lược đồ Open Badges 3.0 EndorsementCredential: "
        "(root): 'name' is a required property"
    )


def test_a_verifiable_credential_that_is_not_an_open_badge_is_valid_and_says_so() -> None:
    signer = Ed25519PrivateKey.generate()
    did = _did_key(signer)
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": did,
        "validFrom": "2026-01-01T00:00:00+07:00",
        "credentialSubject": {"id": "did:example:lan"},
    }

    result = _verify(_sign(document, signer, did))

    assert (result.verdict, result.schema) == ("valid", "")
    assert _checks(result)["schema"] == ("passed", "not_an_open_badge")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            {"@context": ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]},
            "@context: the first item must be https://www.w3.org/ns/credentials/v2",
        ),
        ({"type": ["EndorsementCredential"]}, "type: must include VerifiableCredential"),
        ({"validFrom": "2026-01-01T00:00:00"}, "validFrom: must be an XML Schema dateTimeStamp"),
        (
            {"validUntil": "2025-01-01T00:00:00Z"},
            "validUntil: must not be before validFrom",
        ),
        ({"credentialSubject": {}}, "credentialSubject: must be one or more non-empty objects"),
    ],
    ids=["context", "type", "date-without-zone", "until-before-from", "empty-subject"],
)
def test_the_vc_data_model_applies_to_every_credential(change, error) -> None:
    document = {
        **_endorsement("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"),
        **change,
    }

    result = _verify(document)

    assert (result.verdict, _checks(result)["schema"]) == (
        "invalid",
        ("failed", "data_model_mismatch"),
    )
    assert result.checks[0].detail == (
        f"Không đúng mô hình dữ liệu Verifiable Credentials 2.0: {error}"
    )


# --- DID documents ------------------------------------------------------------------------

DID = "did:web:issuer.example:issuers:x"


def _did_document(public_key, *, under="assertionMethod", embedded=False):
    method = {
        "id": f"{DID}#key-1",
        "type": "Multikey",
        "controller": DID,
        "publicKeyMultibase": cryptosuite.public_key_multibase(public_key),
    }
    if embedded:
        return {"id": DID, under: [method]}
    return {"id": DID, "verificationMethod": [method], under: ["#key-1"]}


@pytest.mark.parametrize("embedded", [False, True], ids=["by-reference", "embedded"])
def test_a_did_document_gives_the_key_it_lists_under_assertion_method(embedded) -> None:
    public = Ed25519PrivateKey.generate().public_key()

    found = verify.did_document_public_key(
        _did_document(public, embedded=embedded), did=DID, method=f"{DID}#key-1"
    )

    assert found == public


def test_a_json_web_key_is_accepted() -> None:
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes_raw()
    document = {
        "id": DID,
        "assertionMethod": [
            {
                "id": f"{DID}#jwk",
                "type": "JsonWebKey",
                "controller": DID,
                "publicKeyJwk": {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": base64.urlsafe_b64encode(raw).decode().rstrip("="),
                },
            }
        ],
    }

    assert verify.did_document_public_key(document, did=DID, method=f"{DID}#jwk") == (
        private.public_key()
    )


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (lambda key: _did_document(key, under="authentication"), "key_not_listed"),
        (
            lambda key: {**_did_document(key), "id": "did:web:elsewhere.example"},
            "did_document_mismatch",
        ),
    ],
    ids=["only-for-authentication", "another-did"],
)
def test_a_key_the_did_document_does_not_list_for_assertions_is_refused(document, code) -> None:
    public = Ed25519PrivateKey.generate().public_key()

    with pytest.raises(verify.KeyNotListed) as refused:
        verify.did_document_public_key(document(public), did=DID, method=f"{DID}#key-1")

    assert refused.value.code == code


def test_the_platform_wide_verifier_gives_the_same_verdict(issuer) -> None:
    signed, _position = _issue(issuer, valid_from=datetime.now(tz=UTC) - timedelta(days=1))

    assert verify_here(signed).verdict == "valid"


def test_the_api_reports_the_schema_checked_and_each_proof(client) -> None:
    signer = Ed25519PrivateKey.generate()
    did = _did_key(signer)
    signed = _sign(_endorsement(did), signer, did)
    signed["proof"] = [*signed["proof"], {**signed["proof"][0], "proofPurpose": "authentication"}]

    response = client.post(
        reverse("api_credential_verify"), signed, content_type="application/json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["verdict"], body["schema"]) == ("invalid", "endorsement")
    assert [(p["index"], p["is_by_issuer"], p["outcome"], p["code"]) for p in body["proofs"]] == [
        (1, True, "passed", ""),
        (2, True, "failed", "wrong_proof_purpose"),
    ]
    assert body["proofs"][0]["verification_method"] == did


def test_the_openapi_schema_describes_the_verification_response() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    verification = schema["components"]["schemas"]["Verification"]
    assert sorted(verification["properties"]) == ["checks", "proofs", "schema", "verdict"]
    assert sorted(schema["components"]["schemas"]["ProofOutcome"]["properties"]) == [
        "code",
        "cryptosuite",
        "detail",
        "index",
        "is_by_issuer",
        "outcome",
        "proof_purpose",
        "verification_method",
    ]


def test_the_verdict_shows_the_schema_checked_and_what_is_wrong_with_each_proof() -> None:
    from django.template.loader import render_to_string

    from credentials.services.verification import verification_display

    signer = Ed25519PrivateKey.generate()
    did = _did_key(signer)
    signed = _sign(_endorsement(did), signer, did)
    signed["proof"] = [*signed["proof"], {**signed["proof"][0], "proofPurpose": "authentication"}]

    page = render_to_string("credentials/_verdict.html", verification_display(_verify(signed)))

    assert (
        "Đã kiểm tra theo chuẩn: Open Badges 3.0, chứng nhận xác thực (EndorsementCredential)"
        in page
    )
    assert "Từng chữ ký" in page
    assert "không phải để xác nhận nội dung chứng chỉ (assertionMethod)" in page
