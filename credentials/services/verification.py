"""The verifier wired to this platform.

Keys: `did:key` from the identifier itself; `did:web` of this platform from its own database
(the DID document the platform serves, built from the same rows); `did:web` of another host
fetched over HTTPS (services/resolution.py: public addresses only, small, quick, cached).
Any other kind of verification method (an HTTPS URL, another DID method) is not resolved:
the proof cannot be confirmed, which is not the same as invalid.

Status: this platform's lists from the database; another host's list fetched like a DID
document, and trusted only if it is a BitstringStatusListCredential of the same issuer whose
proof verifies.
"""

from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credentials import verify
from credentials.services import keys, resolution, status
from learnprofile.absolute_urls import site_path
from profiles import api as profiles_api

# The largest credential file the page and the API take: a credential is a few KB.
VERIFY_MAX_BYTES = 256 * 1024


def _own_did_prefix() -> str:
    return f"did:web:{quote(settings.SITE_DOMAIN, safe='')}"


def did_web_document(did: str) -> Any:
    """The DID document of a did:web DID: this platform's from the database, another host's
    fetched. Raises verify.KeyNotListed for an issuer this platform does not have,
    verify.KeyUnavailable when another host's document cannot be fetched."""
    own = _own_did_prefix()
    if did == own or did.startswith(own + ":"):
        slug = did.removeprefix(own + ":issuers:") if did.startswith(own + ":issuers:") else ""
        organization = (
            profiles_api.organization_get_by_slug(slug=slug) if slug and ":" not in slug else None
        )
        if organization is None:
            raise verify.KeyNotListed("unknown_issuer", did)
        return keys.did_document(organization=organization)
    try:
        return resolution.json_fetch(resolution.did_web_url(did))
    except resolution.AddressRefused as error:
        raise verify.KeyUnavailable("address_refused", str(error)) from error
    except resolution.FetchError as error:
        raise verify.KeyUnavailable("key_unavailable", str(error)) from error


def key_resolve(method: str) -> Ed25519PublicKey:
    """The key of a verification method, if its DID lists it under assertionMethod."""
    did = method.partition("#")[0]
    if did.startswith("did:key:"):
        return verify.did_key_public_key(method)
    if did.startswith("did:web:"):
        return verify.did_document_public_key(did_web_document(did), did=did, method=method)
    kind = ":".join(did.split(":")[:2]) if did.startswith("did:") else did.split(":")[0]
    raise verify.KeyUnavailable("unsupported_method", kind)


def status_read(url: str, *, issuer: str | None) -> bytes | None:
    """The bits of the status list at `url`. This platform's from the database (None if it has
    no such list); another host's fetched and checked. Raises verify.StatusUnavailable."""
    if site_path(url) is not None:
        return status.status_bits_read(url)
    try:
        document = resolution.json_fetch(url)
    except resolution.FetchError as error:
        raise verify.StatusUnavailable(str(error)) from error
    if not isinstance(document, dict) or "BitstringStatusListCredential" not in _as_list(
        document.get("type")
    ):
        raise verify.StatusUnavailable(_("không phải BitstringStatusListCredential"))
    if issuer is None or verify.issuer_id(document) != issuer:
        raise verify.StatusUnavailable(_("danh sách không do đơn vị cấp chứng chỉ ký"))
    reports = verify.proofs_check(document, key_resolve)
    if any(report.outcome == verify.FAILED for report in reports) or not any(
        report.outcome == verify.PASSED and report.is_by_issuer for report in reports
    ):
        raise verify.StatusUnavailable(_("chữ ký của danh sách không đúng"))
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("statusPurpose") != "revocation":
        raise verify.StatusUnavailable(_("không phải danh sách thu hồi"))
    try:
        return status.decode_list(str(subject.get("encodedList", "")))
    except status.StatusListError as error:
        raise verify.StatusUnavailable(str(error)) from error


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def verify_here(document: Any) -> verify.Verification:
    issuer = verify.issuer_id(document) if isinstance(document, dict) else None
    return verify.credential_verify(
        document,
        resolve_key=key_resolve,
        read_status=lambda url: status_read(url, issuer=issuer),
    )


# What a stranger reads first: the verdict in plain words.
VERDICT_TITLES = {
    "valid": gettext_lazy("Chứng chỉ hợp lệ"),
    "revoked": gettext_lazy("Chứng chỉ đã bị thu hồi"),
    "expired": gettext_lazy("Chứng chỉ đã hết hiệu lực"),
    "not_yet_valid": gettext_lazy("Chứng chỉ chưa đến ngày có hiệu lực"),
    "invalid": gettext_lazy("Chứng chỉ không hợp lệ"),
    "cannot_confirm": gettext_lazy("Chưa xác nhận được chứng chỉ"),
}
VERDICT_EXPLANATIONS = {
    "valid": gettext_lazy(
        "Chữ ký số đúng và thuộc về đơn vị cấp, nội dung không bị sửa, chứng chỉ chưa bị thu "
        "hồi và đang trong thời hạn."
    ),
    "revoked": gettext_lazy("Đơn vị cấp đã thu hồi chứng chỉ này; không còn giá trị."),
    "expired": gettext_lazy("Chứng chỉ là thật nhưng đã quá thời hạn hiệu lực."),
    "not_yet_valid": gettext_lazy("Chứng chỉ là thật nhưng chưa đến ngày bắt đầu có hiệu lực."),
    "invalid": gettext_lazy(
        "Không tin được chứng chỉ này: nội dung đã bị sửa, chữ ký sai, hoặc không đúng chuẩn."
    ),
    "cannot_confirm": gettext_lazy(
        "Chưa thể khẳng định chứng chỉ: không tải được khóa của đơn vị cấp hoặc danh sách thu "
        "hồi (máy chủ của họ không trả lời, hoặc loại chữ ký, loại định danh chưa được hỗ "
        "trợ). Điều này không có nghĩa là chứng chỉ giả. Hãy thử lại sau."
    ),
}
CHECK_LABELS = {
    "schema": gettext_lazy("Đúng chuẩn (Verifiable Credentials 2.0, Open Badges 3.0)"),
    "proof": gettext_lazy("Chữ ký số"),
    "issuer_key": gettext_lazy("Khóa thuộc về đơn vị cấp"),
    "status": gettext_lazy("Chưa bị thu hồi"),
    "validity": gettext_lazy("Trong thời hạn hiệu lực"),
}
# Which schema the credential was checked against, for people.
SCHEMA_LABELS = {
    "achievement": gettext_lazy("Open Badges 3.0, chứng nhận thành tích (AchievementCredential)"),
    "endorsement": gettext_lazy("Open Badges 3.0, chứng nhận xác thực (EndorsementCredential)"),
    "": gettext_lazy("Không phải Open Badge: chỉ kiểm tra theo mô hình Verifiable Credentials 2.0"),
}


def verification_display(result: verify.Verification) -> dict[str, Any]:
    """What the verdict partial (templates/credentials/_verdict.html) shows of a result."""
    return {
        "verdict": result.verdict,
        "verdict_title": VERDICT_TITLES[result.verdict],
        "verdict_explanation": VERDICT_EXPLANATIONS[result.verdict],
        "checks": [
            {
                "label": CHECK_LABELS[check.name],
                "outcome": check.outcome,
                "detail": check.detail,
                "code": check.code,
            }
            for check in result.checks
        ],
        # Only once the schema check ran (not for a document that is not even an object).
        "schema_label": SCHEMA_LABELS[result.schema]
        if any(check.name == "proof" for check in result.checks)
        else "",
        "proofs": [
            {
                "index": report.index,
                "verification_method": report.verification_method,
                "is_by_issuer": report.is_by_issuer,
                "outcome": report.outcome,
                "detail": report.detail,
                "code": report.code,
            }
            for report in result.proofs
        ],
    }
