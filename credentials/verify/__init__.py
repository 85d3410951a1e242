"""Verification of a W3C Verifiable Credential 2.0 signed with `eddsa-rdfc-2022`, Open Badges
3.0 or not, check by check, failing closed. The algorithm only: keys and status lists come
from the resolvers it is given (services/verification.py wires this platform's).

Checks, in order:
- `schema`: the VC 2.0 data model (first `@context`, `VerifiableCredential`, issuer, subject,
  dates), then the OB 3.0 schema the credential's type names: AchievementCredential (for
  OpenBadgeCredential or AchievementCredential), EndorsementCredential, or none (a valid
  verifiable credential that is not an Open Badge). `Verification.schema` says which.
- `proof` and `issuer_key`: every proof (`proof` is an object or an array) is checked on its
  own and reported (`Verification.proofs`). The rule, from VC Data Integrity 1.0 (4.4, 4.5):
  the credential is signed when at least one proof made with a key of the issuer (the
  verification method's DID is the issuer) verifies with purpose `assertionMethod`, and no
  proof fails: a wrong signature, a purpose other than `assertionMethod`, a key its DID does
  not list under `assertionMethod`, a broken chain (`previousProof`) make the credential
  invalid whoever made that proof. A proof that cannot be checked here (another cryptosuite,
  a key that cannot be fetched) does not count either way; when no proof of the issuer
  verified because of one, the verdict is `cannot_confirm`, never `invalid`.
- `status`: each Bitstring Status List entry (revocation); a list that cannot be read gives
  `cannot_confirm`, never `valid`.
- `validity`: `validFrom` / `validUntil` against now.

Modules: `results` (outcomes, reports, the resolvers' errors), `values` (reading any JSON value
safely), `keys` (did:key, DID documents), one per check (`schema`, `proofs`, `status`,
`validity`); `credential_verify` and the verdict here.
"""

from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from credentials.verify.keys import (
    ASSERTION_METHOD,
    did_document_public_key,
    did_key_public_key,
)
from credentials.verify.proofs import MAX_PROOFS, check_proofs, proofs_check
from credentials.verify.results import (
    FAILED,
    PASSED,
    UNKNOWN,
    Check,
    KeyNotListed,
    KeyProblem,
    KeyResolver,
    KeyUnavailable,
    ProofReport,
    StatusReader,
    StatusUnavailable,
    Verification,
)
from credentials.verify.schema import (
    SCHEMA_NAMES,
    SCHEMAS,
    VC_CONTEXT,
    check_schema,
    data_model_errors,
    schema_errors,
    schema_for,
)
from credentials.verify.status import check_status
from credentials.verify.validity import check_validity
from credentials.verify.values import MAX_DEPTH, issuer_id, nesting_depth

__all__ = [
    "ASSERTION_METHOD",
    "FAILED",
    "MAX_DEPTH",
    "MAX_PROOFS",
    "PASSED",
    "SCHEMAS",
    "SCHEMA_NAMES",
    "UNKNOWN",
    "VC_CONTEXT",
    "Check",
    "KeyNotListed",
    "KeyProblem",
    "KeyResolver",
    "KeyUnavailable",
    "ProofReport",
    "StatusReader",
    "StatusUnavailable",
    "Verification",
    "credential_verify",
    "data_model_errors",
    "did_document_public_key",
    "did_key_public_key",
    "issuer_id",
    "proofs_check",
    "schema_errors",
    "schema_for",
]


def credential_verify(
    document: Any,
    *,
    resolve_key: KeyResolver,
    read_status: StatusReader,
    now: datetime | None = None,
) -> Verification:
    now = now or datetime.now(tz=UTC)
    result = Verification()
    if not isinstance(document, dict):
        result.add("schema", FAILED, _("Chứng chỉ phải là một đối tượng JSON."), "not_an_object")
        result.verdict = "invalid"
        return result
    if nesting_depth(document) > MAX_DEPTH:
        # Every later step walks the document recursively; no credential is this deep.
        result.add(
            "schema",
            FAILED,
            _("Chứng chỉ lồng nhau quá sâu (quá %(max)s cấp).") % {"max": MAX_DEPTH},
            "too_deep",
        )
        result.verdict = "invalid"
        return result
    check_schema(document, result)
    check_proofs(document, result, resolve_key)
    check_status(document, result, read_status)
    check_validity(document, result, now)
    result.verdict = _verdict(result)
    return result


def _verdict(result: Verification) -> str:
    """invalid > cannot confirm the signature > revoked > outside its window > cannot confirm
    the status > valid: "expired" and "revoked" say the credential is genuine, so they wait
    for a signature that verified."""
    outcomes = {check.name: check for check in result.checks}
    if any(outcomes[name].outcome == FAILED for name in ("schema", "proof", "issuer_key")):
        return "invalid"
    if any(outcomes[name].outcome == UNKNOWN for name in ("proof", "issuer_key")):
        return "cannot_confirm"
    if outcomes["status"].outcome == FAILED:
        return "revoked"
    if outcomes["validity"].outcome == FAILED:
        return outcomes["validity"].code
    if outcomes["status"].outcome == UNKNOWN:
        return "cannot_confirm"
    return "valid"
