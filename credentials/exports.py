"""The issuer's export of an achievement's credentials, for a spreadsheet: one row per
credential, what was signed (the holder's name, the dates), in the active language and in
Vietnam's time (learnprofile.formatting). Two formats from the same rows: CSV (UTF-8 with a
byte-order mark, so Excel reads the diacritics; cells neutralised against formula injection)
and .xlsx (every cell a text cell: nothing to neutralise), both by learnprofile.spreadsheets."""

import tempfile
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

from credentials import documents
from credentials.models import Achievement, Credential, revoke_reason_for_people
from credentials.services.issuance import credential_url
from learnprofile.formatting import date_for_people, datetime_for_people
from learnprofile.spreadsheets import csv_text, xlsx_write

CHUNK_ROWS = 1000
# An .xlsx is a zip written at the end: it is built in a temporary file that stays in memory
# up to this size and spills to disk beyond it.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024


def credentials_rows(*, achievement: Achievement) -> Iterator[list[str]]:
    """The header, then one row per credential, newest first, as text; read with a
    server-side cursor CHUNK_ROWS at a time, so a large achievement does not sit in memory."""
    yield [
        _("Mã chứng chỉ"),
        _("Người nhận (tên đã ký)"),
        _("Ngày cấp"),
        _("Hiệu lực đến"),
        _("Trạng thái"),
        _("Thời điểm thu hồi"),
        _("Lý do thu hồi"),
        _("Đường dẫn kiểm tra"),
    ]
    rows = (
        Credential.objects.filter(achievement=achievement)
        .order_by("-issued_at", "-id")
        .values_list("public_id", "document", "revoked_at", "revoke_reason")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for public_id, document, revoked_at, revoke_reason in rows:
        yield [
            str(public_id),
            documents.holder_name(document) or "",
            date_for_people(document.get("validFrom")),
            date_for_people(document.get("validUntil")),
            _("Đã thu hồi") if revoked_at else _("Có hiệu lực"),
            datetime_for_people(revoked_at),
            revoke_reason_for_people(revoke_reason),
            document.get("id") or credential_url(public_id),
        ]


def credentials_csv(*, achievement: Achievement) -> Iterator[str]:
    """The rows as CSV, streamed: the byte-order mark and header first, then a chunk of
    CHUNK_ROWS rows per yield."""
    chunk: list[list[str]] = []
    is_first = True
    for row in credentials_rows(achievement=achievement):
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS or is_first:
            yield csv_text(chunk, with_bom=is_first)
            chunk, is_first = [], False
    if chunk:
        yield csv_text(chunk, with_bom=False)


def credentials_xlsx(*, achievement: Achievement) -> IO[bytes]:
    """The rows as a one-sheet .xlsx workbook, in a temporary file positioned at its start
    (the caller streams and closes it)."""
    target = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115 - returned open
    xlsx_write(credentials_rows(achievement=achievement), target=target, title=_("Chứng chỉ"))
    target.seek(0)
    return target
