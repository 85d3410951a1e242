"""`spreadsheet_read`: the one reader of uploads. It refuses what no reader can take (too
large, .xls, an unknown kind, empty) and hands a CSV file or an .xlsx workbook to its reader."""

from collections.abc import Sequence
from pathlib import PurePath

from django.utils.translation import gettext as _

from learnprofile.spreadsheets.csv_reading import csv_read
from learnprofile.spreadsheets.sheet import (
    CONTROL_CHARACTERS,
    Sheet,
    SpreadsheetRefused,
    size_for_people,
)
from learnprofile.spreadsheets.xlsx_reading import XLSX_MAX_UNCOMPRESSED_BYTES, xlsx_read

UPLOAD_ACCEPT = (
    ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

MAX_FIELD_CHARS = 1000

_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ""}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected .xlsx


def spreadsheet_read(
    *,
    content: bytes,
    file_name: str,
    content_type: str = "",
    columns: Sequence[str],
    required: Sequence[str],
    max_bytes: int,
    max_rows: int,
    max_field_chars: int = MAX_FIELD_CHARS,
    max_uncompressed_bytes: int = XLSX_MAX_UNCOMPRESSED_BYTES,
) -> Sheet:
    """Read an uploaded .csv or .xlsx file (learnprofile/spreadsheets/__init__.py says how).

    `content`: the uploaded bytes (read at most `max_bytes` + 1 of them); `file_name` and
    `content_type`: as the browser sent them (the name's suffix decides, the first bytes
    correct a renamed workbook). `columns`: every column the importer knows (lower case; used
    to find the CSV separator); `required`: those the header must have. `max_rows`: non-blank
    data rows kept; more sets `Sheet.is_truncated` (the importer decides whether that refuses
    the file). `max_field_chars`: longer cells are a row error.

    Raises SpreadsheetRefused for a file that cannot be read at all: too large, not CSV UTF-8
    or .xlsx, corrupt, a zip bomb, a header without the required columns. Never anything else.
    """
    if len(content) > max_bytes:
        raise SpreadsheetRefused(
            _("Tệp lớn hơn %(size)s. Hãy chia thành nhiều tệp nhỏ hơn.")
            % {"size": size_for_people(max_bytes)}
        )
    suffix = PurePath(file_name or "").suffix.casefold()
    if content.startswith(_OLE2_MAGIC) or suffix in (".xls", ".xlsb"):
        raise SpreadsheetRefused(
            _(
                "Tệp này là Excel 97-2003 (.xls) hoặc được đặt mật khẩu nên không đọc được. "
                "Hãy mở tệp trong Excel, bỏ mật khẩu nếu có, rồi lưu thành Sổ làm việc Excel "
                "(.xlsx) hoặc CSV UTF-8."
            )
        )
    is_workbook = suffix in (".xlsx", ".xlsm", ".ods") or (
        content.startswith(_ZIP_MAGIC) and suffix in _TEXT_SUFFIXES
    )
    if not is_workbook and suffix not in _TEXT_SUFFIXES and "csv" not in content_type:
        raise SpreadsheetRefused(
            _(
                "Chỉ nhận tệp CSV (.csv) hoặc Excel (.xlsx); tệp “%(name)s” không phải một "
                "trong hai. Hãy mở tệp rồi lưu lại thành Sổ làm việc Excel (.xlsx) hoặc CSV UTF-8."
            )
            % {"name": CONTROL_CHARACTERS.sub("", PurePath(file_name).name)[:80]}
        )
    if not content.strip():
        raise SpreadsheetRefused(_("Tệp trống."))
    columns = [name.casefold() for name in columns]
    required = [name.casefold() for name in required]
    if is_workbook:
        return xlsx_read(
            content,
            required=required,
            max_rows=max_rows,
            max_field_chars=max_field_chars,
            max_uncompressed_bytes=max_uncompressed_bytes,
        )
    return csv_read(
        content,
        columns=columns,
        required=required,
        max_rows=max_rows,
        max_field_chars=max_field_chars,
    )
