"""The issuer's CSV export of an achievement's credentials, for a spreadsheet: one row per
credential, what was signed (the holder's name, the dates), in the active language and in
Vietnam's time (learnprofile.formatting). UTF-8 with a byte-order mark, so Excel reads the
diacritics; cells neutralised against formula injection."""

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from credentials import documents
from credentials.models import Achievement, Credential, revoke_reason_for_people
from credentials.services.issuance import credential_url
from learnprofile.formatting import date_for_people, datetime_for_people
from learnprofile.text import spreadsheet_cell

CHUNK_ROWS = 1000


def credentials_csv(*, achievement: Achievement) -> Iterator[str]:
    """The rows, streamed (header first), newest credential first; a chunk of CHUNK_ROWS
    rows per yield, read with a server-side cursor, so a large achievement does not sit in
    memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [
        _("Mã chứng chỉ"),
        _("Người nhận (tên đã ký)"),
        _("Ngày cấp"),
        _("Hiệu lực đến"),
        _("Trạng thái"),
        _("Thời điểm thu hồi"),
        _("Lý do thu hồi"),
        _("Đường dẫn kiểm tra"),
    ]
    writer.writerow(header)
    rows = (
        Credential.objects.filter(achievement=achievement)
        .order_by("-issued_at", "-id")
        .values_list("public_id", "document", "revoked_at", "revoke_reason")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    yield "\ufeff" + _flush(buffer)
    for count, (public_id, document, revoked_at, revoke_reason) in enumerate(rows, start=1):
        writer.writerow(
            [
                spreadsheet_cell(value)
                for value in (
                    public_id,
                    documents.holder_name(document) or "",
                    date_for_people(document.get("validFrom")),
                    date_for_people(document.get("validUntil")),
                    _("Đã thu hồi") if revoked_at else _("Có hiệu lực"),
                    datetime_for_people(revoked_at),
                    revoke_reason_for_people(revoke_reason),
                    document.get("id") or credential_url(public_id),
                )
            ]
        )
        if count % CHUNK_ROWS == 0:
            yield _flush(buffer)
    yield _flush(buffer)


def _flush(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
