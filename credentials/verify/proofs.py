"""The `proof` and `issuer_key` checks: every proof checked on its own and reported, then the
rule of VC Data Integrity 1.0 (4.4, 4.5) over them (see the package's docstring)."""

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils.translation import gettext as _

from credentials import cryptosuite
from credentials.jsonld import JsonLdError, canonize
from credentials.verify.keys import ASSERTION_METHOD
from credentials.verify.results import (
    FAILED,
    PASSED,
    UNKNOWN,
    KeyNotListed,
    KeyProblem,
    KeyResolver,
    KeyUnavailable,
    ProofReport,
    Verification,
)
from credentials.verify.values import URL, as_list, issuer_id, parse_time


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
    proofs = as_list(document.get("proof"))
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


class _ProofFails(Exception):
    """A step of `_proof_check` found the proof wanting: `code` for programs, `detail` for
    people (the step has set the report's outcomes when they are not FAILED)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def _proof_check(
    document: dict[str, Any],
    proof: Any,
    index: int,
    issuer: str | None,
    by_id: dict[str, dict[str, Any]],
    resolve_key: KeyResolver,
) -> ProofReport:
    """One proof, step by step; the first step that finds it wanting says why: its form
    (type and cryptosuite, verification method, purpose, times), its chain, its signer, the
    signer's key, and last the signature."""
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
    report = _proof_report(proof, index=index, issuer=issuer)
    try:
        _proof_suite_check(proof, report)
        _proof_purpose_check(proof)
        _proof_chain_check(proof, by_id)
        _proof_signer_check(proof, report)
        public_key = _proof_key(document, report, resolve_key)
        _proof_signature_check(document, proof, public_key, by_id)
    except _ProofFails as failure:
        report.code, report.detail = failure.code, failure.detail
        return report
    report.outcome = PASSED
    return report


def _proof_report(proof: dict[str, Any], *, index: int, issuer: str | None) -> ProofReport:
    """The proof as reported, FAILED until every step has passed."""
    method = proof.get("verificationMethod")
    purpose = proof.get("proofPurpose")
    return ProofReport(
        index=index,
        verification_method=method if isinstance(method, str) else "",
        cryptosuite=str(proof.get("cryptosuite", "")),
        proof_purpose=purpose if isinstance(purpose, str) else "",
        is_by_issuer=isinstance(method, str) and method.partition("#")[0] == issuer,
        outcome=FAILED,
    )


def _proof_suite_check(proof: dict[str, Any], report: ProofReport) -> None:
    """A proof type, and the one this verifier checks (another cannot be confirmed)."""
    if not isinstance(proof.get("type"), str):
        raise _ProofFails("malformed_proof", _("Chữ ký thiếu loại (type)."))
    if (
        proof["type"] != cryptosuite.PROOF_TYPE
        or proof.get("cryptosuite") != cryptosuite.CRYPTOSUITE
    ):
        report.outcome = UNKNOWN
        raise _ProofFails(
            "unsupported_cryptosuite",
            _("Không kiểm tra được loại chữ ký này (%(type)s %(suite)s): chỉ hỗ trợ %(supported)s.")
            % {
                "type": proof["type"],
                "suite": report.cryptosuite,
                "supported": f"{cryptosuite.PROOF_TYPE} {cryptosuite.CRYPTOSUITE}",
            },
        )


def _proof_purpose_check(proof: dict[str, Any]) -> None:
    """A verification method, the purpose assertionMethod, and its times dateTimeStamps."""
    method = proof.get("verificationMethod")
    purpose = proof.get("proofPurpose")
    if not isinstance(method, str) or not method:
        raise _ProofFails(
            "no_verification_method", _("Chữ ký không ghi khóa đã ký (verificationMethod).")
        )
    if not isinstance(purpose, str):
        raise _ProofFails("no_proof_purpose", _("Chữ ký không ghi mục đích (proofPurpose)."))
    if purpose != ASSERTION_METHOD:
        raise _ProofFails(
            "wrong_proof_purpose",
            _(
                "Chữ ký được tạo cho mục đích “%(purpose)s”, không phải để xác nhận nội dung "
                "chứng chỉ (assertionMethod)."
            )
            % {"purpose": purpose},
        )
    for name in ("created", "expires"):
        if name in proof and parse_time(proof[name]) is None:
            raise _ProofFails(
                "malformed_proof",
                _("Thời điểm “%(name)s” của chữ ký không đúng định dạng.") % {"name": name},
            )


def _proof_chain_check(proof: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> None:
    """Each proof its `previousProof` names is one of the credential's."""
    previous = proof.get("previousProof")
    previous_ids = as_list(previous)
    if previous is not None and not all(isinstance(item, str) for item in previous_ids):
        raise _ProofFails(
            "previous_proof_missing", _("Chuỗi chữ ký (previousProof) không đúng định dạng.")
        )
    missing = [item for item in previous_ids if item not in by_id]
    if missing:
        raise _ProofFails(
            "previous_proof_missing",
            _("Chữ ký dựa trên một chữ ký khác không có trong chứng chỉ (%(id)s).")
            % {"id": missing[0]},
        )


def _proof_signer_check(proof: dict[str, Any], report: ProofReport) -> None:
    """A verification method that is a URL, of the issuer or a did:key (another signer's key
    is not looked up: such a proof counts neither way)."""
    method = str(proof["verificationMethod"])
    if not URL.fullmatch(method):
        raise _ProofFails(
            "no_verification_method", _("Khóa đã ký không phải là một định danh hợp lệ.")
        )
    if not report.is_by_issuer and not method.startswith("did:key:"):
        # Another signer's key would be fetched from wherever the document says: only the
        # issuer's is (a did:key needs no fetch). Such a proof counts neither way.
        report.outcome = report.key_outcome = UNKNOWN
        raise _ProofFails(
            "not_by_issuer",
            _("Chữ ký của một định danh khác, không phải đơn vị cấp: không tra khóa của nó."),
        )


def _proof_key(
    document: dict[str, Any], report: ProofReport, resolve_key: KeyResolver
) -> Ed25519PublicKey:
    """The signer's key, if its DID lists it under assertionMethod (the report's
    key_outcome says whether it did). A key that cannot be had leaves the proof unconfirmed,
    unless the document has a term safe mode refuses."""
    try:
        public_key = resolve_key(report.verification_method)
    except KeyUnavailable as problem:
        # Without the key the signature waits, but what safe mode refuses (a term no context
        # defines) is refused whoever signed.
        try:
            canonize({key: value for key, value in document.items() if key != "proof"})
        except JsonLdError as error:
            raise _ProofFails(
                "undefined_term",
                _("Chứng chỉ có dữ liệu mà chữ ký không bảo vệ được (%(error)s).")
                % {"error": error},
            ) from error
        report.outcome = report.key_outcome = UNKNOWN
        raise _ProofFails(problem.code, _key_problem_detail(problem)) from problem
    except KeyNotListed as problem:
        report.key_outcome = FAILED
        raise _ProofFails(problem.code, _key_problem_detail(problem)) from problem
    report.key_outcome = PASSED
    return public_key


def _proof_signature_check(
    document: dict[str, Any],
    proof: dict[str, Any],
    public_key: Ed25519PublicKey,
    by_id: dict[str, dict[str, Any]],
) -> None:
    """The signature over the document (and the proofs it chains to) verifies."""
    try:
        cryptosuite.proof_check(
            document=document,
            proof=proof,
            public_key=public_key,
            previous_proofs=[by_id[item] for item in as_list(proof.get("previousProof"))],
        )
    except cryptosuite.SignatureMismatch as error:
        raise _ProofFails(
            "proof_mismatch",
            _(
                "Chữ ký số không khớp với nội dung: chứng chỉ đã bị sửa hoặc không phải do khóa "
                "này ký."
            ),
        ) from error
    except (cryptosuite.ProofError, JsonLdError) as error:
        raise _ProofFails(
            "proof_mismatch",
            _(
                "Chữ ký số không khớp với nội dung: chứng chỉ đã bị sửa hoặc không phải do khóa "
                "này ký (%(error)s)."
            )
            % {"error": error},
        ) from error


def check_proofs(document: dict[str, Any], result: Verification, resolve_key: KeyResolver) -> None:
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
