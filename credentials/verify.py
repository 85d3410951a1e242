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
"""

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils.translation import gettext as _

from credentials import cryptosuite, documents
from credentials.jsonld import JsonLdError, canonize
from credentials.services import status
from learnprofile.formatting import date_for_people

PASSED, FAILED, UNKNOWN = "passed", "failed", "cannot_confirm"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
ASSERTION_METHOD = "assertionMethod"
# Which OB 3.0 schema a credential's type asks for; the first match wins.
SCHEMAS = (
    ("achievement", ("OpenBadgeCredential", "AchievementCredential")),
    ("endorsement", ("EndorsementCredential",)),
)


class KeyProblem(Exception):
    """The key of a verification method could not be had; `code` for programs, `reason` a
    short technical detail (an HTTP status, an address) shown with the message."""

    def __init__(self, code: str, reason: str = "") -> None:
        super().__init__(f"{code}: {reason}" if reason else code)
        self.code = code
        self.reason = reason


class KeyNotListed(KeyProblem):
    """The DID was resolved (or is this platform's own) and does not make this key one of its
    assertion methods, or names no such issuer: the proof is invalid."""


class KeyUnavailable(KeyProblem):
    """The key could not be fetched (host down, refused address, bad answer), or this kind of
    identifier is not resolved here: the proof cannot be confirmed, it is not invalid."""


class StatusUnavailable(Exception):
    """A status list that cannot be read or trusted; the message says why."""


# A verification method id (`did:key:z6Mk...`, `did:web:host:path#key`) -> its Ed25519 key,
# only if the DID lists it under assertionMethod. Raises KeyNotListed or KeyUnavailable.
KeyResolver = Callable[[str], Ed25519PublicKey]
# A status list credential's URL -> its bitstring. None, or StatusUnavailable with the reason,
# when it cannot be read.
StatusReader = Callable[[str], bytes | None]


@dataclass
class Check:
    name: str
    outcome: str
    detail: str = ""  # for people, in the active language
    code: str = ""  # for programs: expired, not_yet_valid, revoked, ...


@dataclass
class ProofReport:
    """The outcome of one proof of the credential."""

    index: int  # 1-based, in the order of the credential's `proof`
    verification_method: str
    cryptosuite: str
    proof_purpose: str
    is_by_issuer: bool
    outcome: str  # passed | failed | cannot_confirm
    code: str = ""
    detail: str = ""
    key_outcome: str = UNKNOWN  # whether the key resolved as one its DID signs with


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    proofs: list[ProofReport] = field(default_factory=list)
    # The OB 3.0 schema the credential was checked against: achievement, endorsement, or ""
    # for a verifiable credential that is not an Open Badge.
    schema: str = ""
    verdict: str = "valid"  # valid | revoked | expired | not_yet_valid | invalid | cannot_confirm

    def add(self, name: str, outcome: str, detail: str = "", code: str = "") -> None:
        self.checks.append(Check(name, outcome, detail, code))


# --- Keys: did:key from the identifier, DID documents ---------------------------------------


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
        for item in _as_list(document.get("verificationMethod"))
        if isinstance(item, dict)
    }
    found_method: dict[str, Any] | None = None
    for entry in _as_list(document.get(ASSERTION_METHOD)):
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


# --- Small helpers --------------------------------------------------------------------------

# An OB 3.0 credential nests about ten levels; anything past this is refused before the
# schema check, the JSON-LD processor or the proof walk it.
MAX_DEPTH = 64
# XML Schema dateTimeStamp: a date and time with its time zone (VC 2.0, 4.9).
DATE_TIME_STAMP = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.ASCII
)
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+", re.ASCII)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


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
    """The day for people: in Vietnam's time, the reader's language (learnprofile.formatting)."""
    return date_for_people(value)


def _parse_time(value: Any) -> datetime | None:
    """A dateTimeStamp, or None when the value is not one (no time zone, not a date)."""
    if not isinstance(value, str) or not DATE_TIME_STAMP.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def issuer_id(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _types(node: Any) -> list[str]:
    return [item for item in _as_list(node.get("type")) if isinstance(item, str)]


# --- The algorithm --------------------------------------------------------------------------


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
    _check_schema(document, result)
    _check_proofs(document, result, resolve_key)
    _check_status(document, result, read_status)
    _check_validity(document, result, now)
    result.verdict = _verdict(result)
    return result


def data_model_errors(document: dict[str, Any]) -> list[str]:
    """What the document lacks to be a VC 2.0 credential (VC Data Model 2.0, section 4)."""
    errors = []
    contexts = _as_list(document.get("@context"))
    if not contexts or contexts[0] != VC_CONTEXT:
        errors.append(f"@context: the first item must be {VC_CONTEXT}")
    if "VerifiableCredential" not in _types(document):
        errors.append("type: must include VerifiableCredential")
    if "id" in document and not (isinstance(document["id"], str) and URL.fullmatch(document["id"])):
        errors.append("id: must be a URL")
    issuer = issuer_id(document)
    if issuer is None or not URL.fullmatch(issuer):
        errors.append("issuer: must be a URL or an object whose id is a URL")
    subjects = _as_list(document.get("credentialSubject"))
    if not subjects or not all(isinstance(subject, dict) and subject for subject in subjects):
        errors.append("credentialSubject: must be one or more non-empty objects")
    for name in ("validFrom", "validUntil"):
        if name in document and _parse_time(document[name]) is None:
            errors.append(f"{name}: must be an XML Schema dateTimeStamp")
    valid_from = _parse_time(document.get("validFrom"))
    valid_until = _parse_time(document.get("validUntil"))
    if valid_from and valid_until and valid_from > valid_until:
        errors.append("validUntil: must not be before validFrom")
    return errors


def schema_for(document: dict[str, Any]) -> str:
    """The OB 3.0 schema a credential's type asks for, or "" for none."""
    types = _types(document)
    for name, type_names in SCHEMAS:
        if any(type_name in types for type_name in type_names):
            return name
    return ""


def schema_errors(document: dict[str, Any], name: str) -> list[str]:
    """What makes the document invalid against an OB 3.0 schema. A single proof object is
    read as a one-proof array: the OB schemas want the array, VC 2.0 and Data Integrity
    allow both, and how the proofs are written changes nothing that was signed."""
    if isinstance(document.get("proof"), dict):
        document = {**document, "proof": [document["proof"]]}
    return documents.schema_errors(document, name)


SCHEMA_NAMES = {
    "achievement": "Open Badges 3.0 AchievementCredential",
    "endorsement": "Open Badges 3.0 EndorsementCredential",
}


def _check_schema(document: dict[str, Any], result: Verification) -> None:
    errors = data_model_errors(document)
    if errors:
        result.add(
            "schema",
            FAILED,
            _("Không đúng mô hình dữ liệu Verifiable Credentials 2.0: %(errors)s")
            % {"errors": "; ".join(errors[:5])},
            "data_model_mismatch",
        )
        return
    result.schema = schema_for(document)
    if not result.schema:
        result.add(
            "schema",
            PASSED,
            _("Một chứng nhận số (Verifiable Credential) hợp lệ, không phải Open Badge."),
            "not_an_open_badge",
        )
        return
    errors = schema_errors(document, result.schema)
    if errors:
        result.add(
            "schema",
            FAILED,
            _("Không đúng lược đồ %(schema)s: %(errors)s")
            % {"schema": SCHEMA_NAMES[result.schema], "errors": "; ".join(errors[:5])},
            "schema_mismatch",
        )
    else:
        result.add(
            "schema",
            PASSED,
            _("Đúng lược đồ %(schema)s.") % {"schema": SCHEMA_NAMES[result.schema]},
        )


# --- Proofs ---------------------------------------------------------------------------------


def _key_problem_detail(problem: KeyProblem) -> str:
    messages = {
        "key_not_listed": _("Đơn vị cấp không công bố khóa này để ký chứng chỉ (assertionMethod)."),
        "unknown_issuer": _("Không có đơn vị cấp này trên hệ thống."),
        "did_document_mismatch": _("Tài liệu DID tải về là của một định danh khác."),
        "not_ed25519": _("Khóa không phải là khóa Ed25519 mà eddsa-rdfc-2022 yêu cầu."),
        "key_unavailable": _("Không tải được khóa của người ký"),
        "unsupported_method": _(
            "Không tra cứu được khóa của loại định danh này: chỉ hỗ trợ did:key và did:web"
        ),
        "address_refused": _("Không tải được khóa của người ký"),
    }
    message = messages.get(problem.code, _("Không tra cứu được khóa đã ký."))
    return f"{message} ({problem.reason})" if problem.reason else message


# Each proof costs a canonicalisation (and perhaps a fetch): a credential carries one or two;
# more than this is refused before any is checked, so one request cannot hold a worker.
MAX_PROOFS = 8


def proofs_check(document: dict[str, Any], resolve_key: KeyResolver) -> list[ProofReport]:
    """Every proof of the document, each checked on its own (see the module's rule); more than
    MAX_PROOFS proofs is one failed report, and none is checked."""
    proofs = _as_list(document.get("proof"))
    if len(proofs) > MAX_PROOFS:
        return [
            ProofReport(
                1,
                "",
                "",
                "",
                False,
                FAILED,
                "too_many_proofs",
                _("Chứng chỉ có %(count)s chữ ký, quá %(max)s: không kiểm tra.")
                % {"count": len(proofs), "max": MAX_PROOFS},
            )
        ]
    issuer = issuer_id(document)
    by_id = {
        proof["id"]: proof
        for proof in proofs
        if isinstance(proof, dict) and isinstance(proof.get("id"), str)
    }
    return [
        _proof_check(document, proof, index, issuer, by_id, resolve_key)
        for index, proof in enumerate(proofs, start=1)
    ]


def _proof_check(
    document: dict[str, Any],
    proof: Any,
    index: int,
    issuer: str | None,
    by_id: dict[str, dict[str, Any]],
    resolve_key: KeyResolver,
) -> ProofReport:
    if not isinstance(proof, dict):
        return ProofReport(
            index,
            "",
            "",
            "",
            False,
            FAILED,
            "malformed_proof",
            _("Chữ ký không phải là một đối tượng JSON."),
        )
    method = proof.get("verificationMethod")
    purpose = proof.get("proofPurpose")
    report = ProofReport(
        index=index,
        verification_method=method if isinstance(method, str) else "",
        cryptosuite=str(proof.get("cryptosuite", "")),
        proof_purpose=purpose if isinstance(purpose, str) else "",
        is_by_issuer=isinstance(method, str) and method.partition("#")[0] == issuer,
        outcome=FAILED,
    )

    def fail(code: str, detail: str) -> ProofReport:
        report.code, report.detail = code, detail
        return report

    if not isinstance(proof.get("type"), str):
        return fail("malformed_proof", _("Chữ ký thiếu loại (type)."))
    if (
        proof["type"] != cryptosuite.PROOF_TYPE
        or proof.get("cryptosuite") != cryptosuite.CRYPTOSUITE
    ):
        report.outcome = UNKNOWN
        return fail(
            "unsupported_cryptosuite",
            _("Không kiểm tra được loại chữ ký này (%(type)s %(suite)s): chỉ hỗ trợ %(supported)s.")
            % {
                "type": proof["type"],
                "suite": report.cryptosuite,
                "supported": f"{cryptosuite.PROOF_TYPE} {cryptosuite.CRYPTOSUITE}",
            },
        )
    if not isinstance(method, str) or not method:
        return fail(
            "no_verification_method", _("Chữ ký không ghi khóa đã ký (verificationMethod).")
        )
    if not isinstance(purpose, str):
        return fail("no_proof_purpose", _("Chữ ký không ghi mục đích (proofPurpose)."))
    if purpose != ASSERTION_METHOD:
        return fail(
            "wrong_proof_purpose",
            _(
                "Chữ ký được tạo cho mục đích “%(purpose)s”, không phải để xác nhận nội dung "
                "chứng chỉ (assertionMethod)."
            )
            % {"purpose": purpose},
        )
    for name in ("created", "expires"):
        if name in proof and _parse_time(proof[name]) is None:
            return fail(
                "malformed_proof",
                _("Thời điểm “%(name)s” của chữ ký không đúng định dạng.") % {"name": name},
            )
    previous = proof.get("previousProof")
    previous_ids = _as_list(previous)
    if previous is not None and not all(isinstance(item, str) for item in previous_ids):
        return fail(
            "previous_proof_missing", _("Chuỗi chữ ký (previousProof) không đúng định dạng.")
        )
    missing = [item for item in previous_ids if item not in by_id]
    if missing:
        return fail(
            "previous_proof_missing",
            _("Chữ ký dựa trên một chữ ký khác không có trong chứng chỉ (%(id)s).")
            % {"id": missing[0]},
        )
    if not URL.fullmatch(method):
        return fail("no_verification_method", _("Khóa đã ký không phải là một định danh hợp lệ."))
    if not report.is_by_issuer and not method.startswith("did:key:"):
        # Another signer's key would be fetched from wherever the document says: only the
        # issuer's is (a did:key needs no fetch). Such a proof counts neither way.
        report.outcome = report.key_outcome = UNKNOWN
        return fail(
            "not_by_issuer",
            _("Chữ ký của một định danh khác, không phải đơn vị cấp: không tra khóa của nó."),
        )
    try:
        public_key = resolve_key(method)
    except KeyUnavailable as problem:
        # Without the key the signature waits, but what safe mode refuses (a term no context
        # defines) is refused whoever signed.
        try:
            canonize({key: value for key, value in document.items() if key != "proof"})
        except JsonLdError as error:
            return fail(
                "undefined_term",
                _("Chứng chỉ có dữ liệu mà chữ ký không bảo vệ được (%(error)s).")
                % {"error": error},
            )
        report.outcome = report.key_outcome = UNKNOWN
        return fail(problem.code, _key_problem_detail(problem))
    except KeyNotListed as problem:
        report.key_outcome = FAILED
        return fail(problem.code, _key_problem_detail(problem))
    report.key_outcome = PASSED
    try:
        cryptosuite.proof_check(
            document=document,
            proof=proof,
            public_key=public_key,
            previous_proofs=[by_id[item] for item in previous_ids],
        )
    except cryptosuite.SignatureMismatch:
        return fail(
            "proof_mismatch",
            _(
                "Chữ ký số không khớp với nội dung: chứng chỉ đã bị sửa hoặc không phải do khóa "
                "này ký."
            ),
        )
    except (cryptosuite.ProofError, JsonLdError) as error:
        return fail(
            "proof_mismatch",
            _(
                "Chữ ký số không khớp với nội dung: chứng chỉ đã bị sửa hoặc không phải do khóa "
                "này ký (%(error)s)."
            )
            % {"error": error},
        )
    report.outcome = PASSED
    return report


def _check_proofs(document: dict[str, Any], result: Verification, resolve_key: KeyResolver) -> None:
    result.proofs = proofs_check(document, resolve_key)
    if not result.proofs:
        result.add("proof", FAILED, _("Chứng chỉ không có chữ ký số."), "no_proof")
        result.add("issuer_key", FAILED, _("Không xác định được khóa của đơn vị cấp."), "no_issuer")
        return
    several = len(result.proofs) > 1

    def detail(report: ProofReport) -> str:
        if not several:
            return report.detail
        return _("Chữ ký %(number)s: %(detail)s") % {
            "number": report.index,
            "detail": report.detail,
        }

    failed = [report for report in result.proofs if report.outcome == FAILED]
    by_issuer = [report for report in result.proofs if report.is_by_issuer]
    verified = [report for report in by_issuer if report.outcome == PASSED]
    unknown = [report for report in by_issuer if report.outcome == UNKNOWN]
    if failed:
        report = failed[0]
        if report.key_outcome == FAILED and report.code != "proof_mismatch":
            result.add("proof", FAILED, detail(report), report.code)
            result.add("issuer_key", FAILED, detail(report), report.code)
        else:
            result.add("proof", FAILED, detail(report), report.code)
            if any(item.key_outcome == PASSED for item in by_issuer):
                result.add("issuer_key", PASSED)
            else:
                result.add(
                    "issuer_key",
                    UNKNOWN,
                    _("Không tra khóa của đơn vị cấp: chữ ký đã sai từ trước."),
                    "not_checked",
                )
    elif verified:
        result.add("proof", PASSED)
        result.add("issuer_key", PASSED)
    elif unknown:
        report = unknown[0]
        if report.code == "unsupported_cryptosuite":
            result.add("proof", UNKNOWN, detail(report), report.code)
            result.add("issuer_key", UNKNOWN, detail(report), report.code)
        else:
            result.add(
                "proof",
                UNKNOWN,
                _("Chưa kiểm tra được chữ ký vì không có khóa của đơn vị cấp."),
                report.code,
            )
            result.add("issuer_key", UNKNOWN, detail(report), report.code)
    else:
        result.add(
            "proof",
            FAILED,
            _("Không có chữ ký nào của đơn vị cấp: các chữ ký đều do định danh khác tạo."),
            "no_issuer_proof",
        )
        result.add(
            "issuer_key",
            FAILED,
            _("Chữ ký được tạo bằng khóa của một định danh khác, không phải đơn vị cấp."),
            "key_of_another_identifier",
        )


# --- Status and validity --------------------------------------------------------------------


def _check_status(
    document: dict[str, Any], result: Verification, read_status: StatusReader
) -> None:
    entries = _as_list(document.get("credentialStatus"))
    if not entries:
        result.add("status", PASSED, _("Chứng chỉ không dùng danh sách thu hồi."), "no_status")
        return
    outcomes = [_status_entry(entry, read_status) for entry in entries]
    for wanted in (FAILED, UNKNOWN):
        for outcome, detail, code in outcomes:
            if outcome == wanted:
                result.add("status", outcome, detail, code)
                return
    result.add("status", PASSED)


def _status_entry(entry: Any, read_status: StatusReader) -> tuple[str, str, str]:
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return (
            UNKNOWN,
            _("Không hỗ trợ cách công bố trạng thái này: không xác nhận được."),
            "unsupported_status",
        )
    if entry.get("statusPurpose", "revocation") != "revocation":
        return (
            UNKNOWN,
            _("Không hỗ trợ mục đích trạng thái “%(purpose)s”: không xác nhận được.")
            % {"purpose": entry.get("statusPurpose")},
            "unsupported_status",
        )
    try:
        index = int(entry["statusListIndex"])
        bits = read_status(str(entry["statusListCredential"]))
        if bits is None:
            raise StatusUnavailable("")
        revoked = status.bit_is_set(bits, index)
    except StatusUnavailable as error:
        message = _("Không đọc được danh sách thu hồi: chưa xác nhận được chứng chỉ còn hiệu lực.")
        return (UNKNOWN, f"{message} ({error})" if str(error) else message, "status_unreadable")
    except (KeyError, TypeError, ValueError):
        return (
            UNKNOWN,
            _(
                "Không đọc được trạng thái của chứng chỉ: vị trí trong danh sách thu hồi "
                "(statusListIndex) thiếu hoặc sai dạng."
            ),
            "status_unreadable",
        )
    if revoked:
        return (FAILED, _("Đơn vị cấp đã thu hồi chứng chỉ này."), "revoked")
    return (PASSED, "", "")


def _check_validity(document: dict[str, Any], result: Verification, now: datetime) -> None:
    # A format error is the schema check's; here a date that cannot be read is not a window.
    valid_from = _parse_time(document.get("validFrom"))
    valid_until = _parse_time(document.get("validUntil"))
    if valid_from is not None and now < valid_from:
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
