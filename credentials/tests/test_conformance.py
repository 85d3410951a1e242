"""The published conformance fixtures (tests/conformance, see its README): each signed
credential through the verifier, offline, with the verdict we expect."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from credentials import cryptosuite, verify
from credentials.services.verification import key_resolve

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "conformance"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _offline(url: str) -> bytes:
    raise verify.StatusUnavailable("offline")


def test_every_fixture_has_an_expected_verdict() -> None:
    assert sorted(EXPECTED) == sorted(
        path.name for path in FIXTURES.glob("*.json") if path.name != "expected.json"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_verifier_gives_each_fixture_its_expected_verdict(name) -> None:
    credential = json.loads((FIXTURES / name).read_text())

    result = verify.credential_verify(
        credential, resolve_key=key_resolve, read_status=_offline, now=NOW
    )

    assert (result.verdict, result.schema) == (EXPECTED[name]["verdict"], EXPECTED[name]["schema"])


@pytest.mark.parametrize(
    "name", sorted(name for name, case in EXPECTED.items() if "fragment_key_signature" in case)
)
def test_the_signature_checks_with_the_key_the_suite_trusts(name) -> None:
    credential = json.loads((FIXTURES / name).read_text())
    proofs = credential["proof"]
    proof = next(
        proof
        for proof in (proofs if isinstance(proofs, list) else [proofs])
        if proof.get("cryptosuite") == cryptosuite.CRYPTOSUITE
    )
    key = cryptosuite.public_key_from_multibase(proof["verificationMethod"].split("#")[1])

    try:
        cryptosuite.proof_check(document=credential, proof=proof, public_key=key)
    except cryptosuite.ProofError:
        outcome = "fails"
    else:
        outcome = "verifies"

    assert outcome == EXPECTED[name]["fragment_key_signature"]
