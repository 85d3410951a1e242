"""The `eddsa-rdfc-2022` Data Integrity cryptosuite (W3C VC Data Integrity EdDSA Cryptosuites
v1.0), the proof Open Badges 3.0 requires, and Ed25519 keys in Multikey form.

Create a proof: canonicalise the proof options (with the document's `@context`) and the
document without its proof, hash each with SHA-256, sign proof-hash || document-hash with
Ed25519, encode the signature as multibase base58btc (`z...`). Verify: the same, in reverse.
The published test vector (tests/vectors) is reproduced byte for byte by the tests.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.utils.translation import gettext as _

from credentials.jsonld import canonize

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
# Multicodec prefix of an Ed25519 public key (0xed, varint-encoded).
ED25519_PUBLIC_PREFIX = b"\xed\x01"


class ProofError(ValueError):
    """A proof that is malformed, not of this cryptosuite, or does not verify."""


class SignatureMismatch(ProofError):
    """A well-formed proof whose signature does not match the document."""


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_PUBLIC_PREFIX + raw).decode()


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ProofError(_("Khóa Multikey phải mã hóa base58btc (bắt đầu bằng z)."))
    try:
        decoded = base58.b58decode(value[1:])
    except ValueError as error:
        raise ProofError(_("Khóa Multikey không phải base58btc hợp lệ.")) from error
    if len(decoded) != 34 or not decoded.startswith(ED25519_PUBLIC_PREFIX):
        raise ProofError(_("Khóa Multikey không phải là khóa công khai Ed25519."))
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


@dataclass(frozen=True)
class ProofOptions:
    verification_method: str
    created: str  # XML Schema dateTime, e.g. 2026-11-23T08:00:00Z
    proof_purpose: str = "assertionMethod"

    def document(self, context: Any) -> dict[str, Any]:
        return {
            "@context": context,
            "type": PROOF_TYPE,
            "cryptosuite": CRYPTOSUITE,
            "created": self.created,
            "verificationMethod": self.verification_method,
            "proofPurpose": self.proof_purpose,
        }


def hash_data(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    """SHA-256(canonical proof options) || SHA-256(canonical document): what is signed."""
    document_hash = hashlib.sha256(canonize(document).encode()).digest()
    proof_hash = hashlib.sha256(canonize(proof_options).encode()).digest()
    return proof_hash + document_hash


def proof_create(
    *, document: dict[str, Any], private_key: Ed25519PrivateKey, options: ProofOptions
) -> dict[str, Any]:
    """The document with an embedded DataIntegrityProof, as a one-item list (the OB 3.0
    schema wants `proof` to be an array; VC 2.0 allows both). The input is not changed."""
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    proof_options = options.document(unsigned["@context"])
    signature = private_key.sign(hash_data(unsigned, proof_options))
    proof = {key: value for key, value in proof_options.items() if key != "@context"}
    proof["proofValue"] = "z" + base58.b58encode(signature).decode()
    return {**unsigned, "proof": [proof]}


def proof_verify(*, document: dict[str, Any], public_key: Ed25519PublicKey) -> dict[str, Any]:
    """Check the document's one eddsa-rdfc-2022 proof with `public_key`; returns the proof.
    Raises ProofError (and JsonLdError for a document that cannot be canonicalised). A
    document with several proofs goes through `proof_check`, one proof at a time."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError(_("Chứng chỉ phải mang đúng một chữ ký."))
    proof_check(document=document, proof=proof, public_key=public_key)
    return proof


def proof_check(
    *,
    document: dict[str, Any],
    proof: dict[str, Any],
    public_key: Ed25519PublicKey,
    previous_proofs: list[dict[str, Any]] | None = None,
) -> None:
    """Check one eddsa-rdfc-2022 proof of the document with `public_key`. A proof in a chain
    (`previousProof`) signed the document with the proofs it names: they are given as
    `previous_proofs` and put back as the document's `proof` (VC Data Integrity 1.0, 4.5).
    Raises ProofError (and JsonLdError for a document that cannot be canonicalised)."""
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(
            _("Chỉ hỗ trợ %(type)s với %(suite)s.") % {"type": PROOF_TYPE, "suite": CRYPTOSUITE}
        )
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        raise ProofError(_("Giá trị chữ ký (proofValue) phải mã hóa multibase base58btc."))
    try:
        signature = base58.b58decode(proof_value[1:])
    except ValueError as error:
        raise ProofError(_("Giá trị chữ ký (proofValue) không phải base58btc hợp lệ.")) from error
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    if previous_proofs:
        unsigned["proof"] = previous_proofs
    proof_options = {key: value for key, value in proof.items() if key != "proofValue"}
    proof_options["@context"] = document.get("@context")
    try:
        public_key.verify(signature, hash_data(unsigned, proof_options))
    except InvalidSignature as error:
        raise SignatureMismatch(_("chữ ký không khớp với nội dung")) from error
