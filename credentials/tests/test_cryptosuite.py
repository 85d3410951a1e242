"""The eddsa-rdfc-2022 cryptosuite against the published Open Badges 3.0 test vector (a copy
of ../shared/standards/openbadges-3.0/test-vectors in tests/vectors), byte for byte."""

import copy
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import cryptosuite
from credentials.jsonld import JsonLdError, canonize

VECTORS = Path(__file__).resolve().parent / "vectors"
SEED = bytes.fromhex("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4")
PUBLIC_MULTIBASE = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
METHOD = f"https://example.edu/issuers/565049#{PUBLIC_MULTIBASE}"
OPTIONS = cryptosuite.ProofOptions(verification_method=METHOD, created="2010-01-01T19:23:24Z")
SIGNATURE = (
    "f7a017acf7d27983267ec362657c0fb08e955549f49dac5bf36a03c4f2c3a4f1"
    "e3738a6c5ecd7ffba7135cb9cd754e6196f4b73082ea8df8e703c8ecd4333503"
)
PROOF_VALUE = (
    "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
)


@pytest.fixture
def credential() -> dict:
    return json.loads((VECTORS / "credential.json").read_text())


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(SEED)


def test_the_canonical_document_and_proof_options_match_the_vector(credential) -> None:
    document = canonize(credential)
    proof = canonize(OPTIONS.document(credential["@context"]))

    assert document == (VECTORS / "document-canon.txt").read_text()
    assert proof == (VECTORS / "proof-canon.txt").read_text()
    assert hashlib.sha256(document.encode()).hexdigest() == (
        "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
    )
    assert hashlib.sha256(proof.encode()).hexdigest() == (
        "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
    )


def test_signing_reproduces_the_vectors_signature_and_proof_value(credential, key) -> None:
    signed = cryptosuite.proof_create(document=credential, private_key=key, options=OPTIONS)

    proof_value = signed["proof"][0]["proofValue"]
    assert proof_value == PROOF_VALUE
    assert cryptosuite.base58.b58decode(proof_value[1:]).hex() == SIGNATURE
    assert signed["proof"][0] == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2010-01-01T19:23:24Z",
        "verificationMethod": METHOD,
        "proofPurpose": "assertionMethod",
        "proofValue": PROOF_VALUE,
    }
    assert "proof" not in credential


def test_the_public_key_in_multikey_form_matches_the_vector(key) -> None:
    public = key.public_key()

    assert cryptosuite.public_key_multibase(public) == PUBLIC_MULTIBASE
    assert cryptosuite.public_key_from_multibase(PUBLIC_MULTIBASE) == public


def test_a_signed_credential_verifies(credential, key) -> None:
    signed = cryptosuite.proof_create(document=credential, private_key=key, options=OPTIONS)

    assert cryptosuite.proof_verify(document=signed, public_key=key.public_key())["proofValue"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c.update(name="Leadership Badge"),
        lambda c: c["credentialSubject"]["achievement"].update(name="Teamwork 2"),
        lambda c: c.update(validFrom="2011-01-01T00:00:00Z"),
        lambda c: c["proof"][0].update(created="2010-01-02T19:23:24Z"),
        lambda c: c["proof"][0].update(proofPurpose="authentication"),
    ],
    ids=["name", "achievement", "valid-from", "proof-created", "proof-purpose"],
)
def test_changing_any_signed_field_breaks_the_proof(credential, key, tamper) -> None:
    signed = cryptosuite.proof_create(document=credential, private_key=key, options=OPTIONS)
    changed = copy.deepcopy(signed)
    tamper(changed)

    with pytest.raises(cryptosuite.ProofError):
        cryptosuite.proof_verify(document=changed, public_key=key.public_key())


def test_another_key_does_not_verify(credential, key) -> None:
    signed = cryptosuite.proof_create(document=credential, private_key=key, options=OPTIONS)

    with pytest.raises(cryptosuite.ProofError):
        cryptosuite.proof_verify(
            document=signed, public_key=Ed25519PrivateKey.generate().public_key()
        )


@pytest.mark.parametrize(
    ("where", "term"),
    [((), "nickname"), (("credentialSubject",), "nickname"), (("issuer",), "motto")],
    ids=["top", "subject", "issuer"],
)
def test_an_undefined_term_is_an_error_never_silently_unsigned(credential, where, term) -> None:
    node = credential
    for name in where:
        node = node[name]
    node[term] = "Lan"

    with pytest.raises(JsonLdError, match=term):
        canonize(credential)


def test_an_undefined_type_is_an_error(credential) -> None:
    credential["type"].append("FancyCredential")

    with pytest.raises(JsonLdError, match="FancyCredential"):
        canonize(credential)


def test_an_unknown_context_is_refused_not_fetched(credential) -> None:
    credential["@context"].append("https://example.com/evil-context.json")

    with pytest.raises(JsonLdError, match="evil-context"):
        canonize(credential)


def test_a_proof_embedded_as_an_object_verifies_too(credential, key) -> None:
    signed = cryptosuite.proof_create(document=credential, private_key=key, options=OPTIONS)
    signed["proof"] = signed["proof"][0]

    assert cryptosuite.proof_verify(document=signed, public_key=key.public_key())
