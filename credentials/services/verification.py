"""The verifier wired to this platform: keys from did:key or our own did:web issuers, status
from our own lists. Nothing is fetched: a credential of another did:web host cannot have its
key resolved here and fails that check, and another host's status list gives "cannot confirm".
"""

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils.translation import gettext_lazy

from credentials import verify
from credentials.services import keys, status


def key_resolve(did: str, multibase: str) -> Ed25519PublicKey | None:
    return verify.did_key_resolve(did, multibase) or keys.did_web_resolve(did, multibase)


def verify_here(document: Any) -> verify.Verification:
    return verify.credential_verify(
        document, resolve_key=key_resolve, read_status=status.status_bits_read
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
        "Chữ ký đúng nhưng không đọc được danh sách thu hồi, nên chưa thể khẳng định chứng chỉ "
        "còn hiệu lực. Hãy thử lại sau."
    ),
}
CHECK_LABELS = {
    "schema": gettext_lazy("Đúng chuẩn Open Badges 3.0"),
    "proof": gettext_lazy("Chữ ký số"),
    "issuer_key": gettext_lazy("Khóa thuộc về đơn vị cấp"),
    "status": gettext_lazy("Chưa bị thu hồi"),
    "validity": gettext_lazy("Trong thời hạn hiệu lực"),
}
