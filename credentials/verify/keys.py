"""Keys: a did:key from its identifier, a key from a DID document, only if listed under
assertionMethod."""

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials import cryptosuite
from credentials.verify.results import KeyNotListed
from credentials.verify.values import as_list

ASSERTION_METHOD = "assertionMethod"


def did_key_public_key(method: str) -> Ed25519PublicKey:
    """The key a did:key verification method names. `did:key:z6Mk...` alone is a verification
    method reference too: the did:key method derives the key (and its only verification
    method, `did:key:<mb>#<mb>`, listed under assertionMethod) from the DID itself."""
    did, _hash, fragment = method.partition("#")
    multibase = did.removeprefix("did:key:")
    if fragment and fragment != multibase:
        raise KeyNotListed("key_not_listed", fragment)
    try:
        return cryptosuite.public_key_from_multibase(multibase)
    except (cryptosuite.ProofError, ValueError) as error:
        raise KeyNotListed("not_ed25519", str(error)) from error


def did_document_public_key(document: Any, *, did: str, method: str) -> Ed25519PublicKey:
    """The Ed25519 key of `method` if the DID document of `did` lists it under
    assertionMethod (by id, or embedded), as a Multikey or an OKP/Ed25519 JSON Web Key.
    Raises KeyNotListed."""
    if not isinstance(document, dict) or document.get("id") != did:
        found = document.get("id") if isinstance(document, dict) else None
        raise KeyNotListed("did_document_mismatch", str(found))

    def absolute(reference: Any) -> str:
        if not isinstance(reference, str):
            return ""
        return did + reference if reference.startswith("#") else reference

    declared = {
        absolute(item.get("id")): item
        for item in as_list(document.get("verificationMethod"))
        if isinstance(item, dict)
    }
    found_method: dict[str, Any] | None = None
    for entry in as_list(document.get(ASSERTION_METHOD)):
        if isinstance(entry, str) and absolute(entry) == method:
            found_method = declared.get(method)
        elif isinstance(entry, dict) and absolute(entry.get("id")) == method:
            found_method = entry
        if found_method is not None:
            break
    if found_method is None:
        raise KeyNotListed("key_not_listed", method)
    if found_method.get("controller", did) != did:
        raise KeyNotListed("key_not_listed", str(found_method.get("controller")))
    return _method_public_key(found_method)


def _method_public_key(method: dict[str, Any]) -> Ed25519PublicKey:
    multibase = method.get("publicKeyMultibase")
    jwk = method.get("publicKeyJwk")
    try:
        if isinstance(multibase, str):
            return cryptosuite.public_key_from_multibase(multibase)
        if isinstance(jwk, dict) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            raw = _base64url(str(jwk.get("x", "")))
            if len(raw) == 32:
                return Ed25519PublicKey.from_public_bytes(raw)
    except (cryptosuite.ProofError, ValueError) as error:
        raise KeyNotListed("not_ed25519", str(error)) from error
    raise KeyNotListed("not_ed25519", str(method.get("type", "")))


def _base64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
