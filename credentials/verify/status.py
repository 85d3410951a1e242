"""The `status` check: each Bitstring Status List entry (revocation); a list that cannot be
read gives `cannot_confirm`, never `valid`."""

from typing import Any

from django.utils.translation import gettext as _

from credentials.services import status
from credentials.verify.results import (
    FAILED,
    PASSED,
    UNKNOWN,
    StatusReader,
    StatusUnavailable,
    Verification,
)
from credentials.verify.values import as_list


def check_status(document: dict[str, Any], result: Verification, read_status: StatusReader) -> None:
    entries = as_list(document.get("credentialStatus"))
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
