"""Verification of an Open Badges 3.0 / VC 2.0 credential, check by check, failing closed.

Checks, in order: the JSON schema; the proof (eddsa-rdfc-2022, in safe mode); the key is bound
to the issuer (the verification method belongs to the issuer's DID and is one of its
assertion methods); the status (Bitstring Status List: revoked or not); the validity window.
Keys resolve without the network: `did:key` from the identifier itself, `did:web` of this
platform from its own database. A status that cannot be read gives "cannot confirm", never
"valid".
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils.translation import gettext as _

from credentials import cryptosuite, documents
from credentials.jsonld import JsonLdError
from credentials.services import status

PASSED, FAILED, UNKNOWN = "passed", "failed", "cannot_confirm"
# (DID, key multibase) -> the public key if that DID lists it under assertionMethod, else None.
KeyResolver = Callable[[str, str], Ed25519PublicKey | None]
# A status list credential's URL -> its bitstring, or None when it cannot be read.
StatusReader = Callable[[str], bytes | None]


@dataclass
class Check:
    name: str
    outcome: str
    detail: str = ""  # for people, in the active language
    code: str = ""  # for programs: expired, not_yet_valid, revoked, ...


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    verdict: str = "valid"  # valid | revoked | expired | not_yet_valid | invalid | cannot_confirm

    def add(self, name: str, outcome: str, detail: str = "", code: str = "") -> None:
        self.checks.append(Check(name, outcome, detail, code))


def did_key_resolve(did: str, multibase: str) -> Ed25519PublicKey | None:
    """did:key:<multibase> names its own key; the fragment must repeat it."""
    if did != f"did:key:{multibase}":
        return None
    try:
        return cryptosuite.public_key_from_multibase(multibase)
    except cryptosuite.ProofError:
        return None


# An OB 3.0 credential nests about ten levels; anything past this is refused before the
# schema check, the JSON-LD processor or the proof walk it.
MAX_DEPTH = 64


def _depth(node: Any) -> int:
    """How deeply objects and arrays nest (iteratively: no recursion on hostile input)."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _day(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%d/%m/%Y")


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _issuer_id(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


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
    if _depth(document) > MAX_DEPTH:
        # Every later step walks the document recursively; no credential is this deep.
        result.add(
            "schema",
            FAILED,
            _("Chứng chỉ lồng nhau quá sâu (quá %(max)s cấp).") % {"max": MAX_DEPTH},
            "too_deep",
        )
        result.verdict = "invalid"
        return result
    errors = documents.schema_errors(document)
    result.add(
        "schema",
        FAILED if errors else PASSED,
        _("Không đúng lược đồ Open Badges 3.0: %(errors)s") % {"errors": "; ".join(errors[:5])}
        if errors
        else "",
        "schema_mismatch" if errors else "",
    )
    _check_proof(document, result, resolve_key)
    _check_status(document, result, read_status)
    valid_from = _parse_time(document.get("validFrom"))
    valid_until = _parse_time(document.get("validUntil")) if "validUntil" in document else None
    if valid_from is None:
        result.add(
            "validity", FAILED, _("Thiếu ngày bắt đầu hiệu lực (validFrom)."), "no_valid_from"
        )
    elif now < valid_from:
        result.add(
            "validity",
            FAILED,
            _("Chứng chỉ chỉ có hiệu lực từ %(date)s.") % {"date": _day(valid_from)},
            "not_yet_valid",
        )
    elif valid_until is not None and now > valid_until:
        result.add(
            "validity",
            FAILED,
            _("Chứng chỉ đã hết hiệu lực từ %(date)s.") % {"date": _day(valid_until)},
            "expired",
        )
    else:
        result.add("validity", PASSED)
    result.verdict = _verdict(result)
    return result


def _check_proof(document: dict[str, Any], result: Verification, resolve_key: KeyResolver) -> None:
    proofs = document.get("proof")
    proof = proofs[0] if isinstance(proofs, list) and len(proofs) == 1 else proofs
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    issuer = _issuer_id(document)
    if not isinstance(method, str) or "#" not in method or issuer is None:
        result.add("proof", FAILED, _("Chứng chỉ không có chữ ký số."), "no_proof")
        result.add("issuer_key", FAILED, _("Không xác định được khóa của đơn vị cấp."), "no_issuer")
        return
    did, multibase = method.split("#", 1)
    public_key = resolve_key(did, multibase) if did == issuer else None
    if did != issuer:
        result.add(
            "issuer_key",
            FAILED,
            _("Chữ ký được tạo bằng khóa của một định danh khác, không phải đơn vị cấp."),
            "key_of_another_identifier",
        )
    elif public_key is None:
        result.add(
            "issuer_key",
            FAILED,
            _("Đơn vị cấp không công bố khóa này (hoặc không tra cứu được đơn vị cấp)."),
            "key_not_listed",
        )
    else:
        result.add("issuer_key", PASSED)
    if public_key is None:
        result.add("proof", FAILED, _("Không tra cứu được khóa đã ký."), "key_unresolved")
        return
    try:
        cryptosuite.proof_verify(document=document, public_key=public_key)
    except (cryptosuite.ProofError, JsonLdError) as error:
        result.add(
            "proof",
            FAILED,
            _(
                "Chữ ký số không khớp với nội dung: chứng chỉ đã bị sửa hoặc không phải do khóa "
                "này ký (%(error)s)."
            )
            % {"error": error},
            "proof_mismatch",
        )
    else:
        result.add("proof", PASSED)


def _check_status(
    document: dict[str, Any], result: Verification, read_status: StatusReader
) -> None:
    entry = document.get("credentialStatus")
    if entry is None:
        result.add("status", PASSED, _("Chứng chỉ không dùng danh sách thu hồi."), "no_status")
        return
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        result.add(
            "status",
            UNKNOWN,
            _("Không hỗ trợ cách công bố trạng thái này: không xác nhận được."),
            "unsupported_status",
        )
        return
    try:
        index = int(entry["statusListIndex"])
        bits = read_status(str(entry["statusListCredential"]))
        if bits is None:
            result.add(
                "status",
                UNKNOWN,
                _("Không đọc được danh sách thu hồi: chưa xác nhận được chứng chỉ còn hiệu lực."),
                "status_unreadable",
            )
            return
        revoked = status.bit_is_set(bits, index)
    except (KeyError, TypeError, ValueError) as error:
        result.add(
            "status",
            UNKNOWN,
            _("Không đọc được trạng thái của chứng chỉ (%(error)s).") % {"error": error},
            "status_unreadable",
        )
        return
    if revoked:
        result.add("status", FAILED, _("Đơn vị cấp đã thu hồi chứng chỉ này."), "revoked")
    else:
        result.add("status", PASSED)


def _verdict(result: Verification) -> str:
    outcomes = {check.name: check for check in result.checks}
    if any(outcomes[name].outcome == FAILED for name in ("schema", "proof", "issuer_key")):
        return "invalid"
    if outcomes["status"].outcome == FAILED:
        return "revoked"
    if outcomes["validity"].outcome == FAILED:
        code = outcomes["validity"].code
        return code if code in ("expired", "not_yet_valid") else "invalid"
    if outcomes["status"].outcome == UNKNOWN:
        return "cannot_confirm"
    return "valid"
