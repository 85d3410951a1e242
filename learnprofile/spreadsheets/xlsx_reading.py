"""Reading an .xlsx workbook (its first worksheet): the zip checked before it is opened, an
OpenDocument file refused, each cell's cached value as the text a person sees."""

import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal

from django.utils.translation import gettext as _

from learnprofile.spreadsheets.sheet import (
    Sheet,
    SpreadsheetRefused,
    column_name,
    header_check,
    is_blank,
    sheet_row,
    size_for_people,
)
from learnprofile.text import text_input

MAX_COLUMNS = 200
# A zip entry's declared size bounds what zipfile will inflate, so checking the declared sizes
# is a real guard. 32 MB of XML is thousands of times what our largest import needs.
XLSX_MAX_UNCOMPRESSED_BYTES = 32 * 1024 * 1024
XLSX_MAX_ENTRIES = 1000
# Trailing formatted rows of a sheet are blank rows to openpyxl; a run this long is the end.
XLSX_MAX_BLANK_RUN = 10_000


def _xlsx_text(value: object) -> str:
    """A cell's cached value as the text a person sees, in ISO form for dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        if value.second == 0 and value.microsecond == 0:
            return value.strftime("%Y-%m-%d %H:%M")
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M") if value.second == 0 else value.strftime("%H:%M:%S")
    return text_input(str(value))


def _corrupt_xlsx() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        _(
            "Không đọc được tệp Excel: tệp hỏng hoặc không phải .xlsx. Hãy mở tệp trong Excel "
            "và lưu lại thành Sổ làm việc Excel (.xlsx) hoặc CSV UTF-8."
        )
    )


def _check_zip(content: bytes, max_uncompressed_bytes: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise _corrupt_xlsx() from error
    if b"opendocument" in mimetype:
        raise SpreadsheetRefused(
            _(
                "Tệp OpenDocument (.ods) chưa được hỗ trợ. Hãy lưu tệp thành Sổ làm việc "
                "Excel (.xlsx) hoặc CSV UTF-8 rồi tải lên lại."
            )
        )
    if (
        len(entries) > XLSX_MAX_ENTRIES
        or sum(entry.file_size for entry in entries) > max_uncompressed_bytes
    ):
        raise SpreadsheetRefused(
            _(
                "Tệp Excel quá lớn khi giải nén (tối đa %(size)s). Hãy xóa các trang tính, "
                "hình ảnh và định dạng không cần thiết, hoặc chia thành nhiều tệp."
            )
            % {"size": size_for_people(max_uncompressed_bytes)}
        )
    if "xl/workbook.xml" not in names:
        raise _corrupt_xlsx()


def xlsx_read(
    content: bytes,
    *,
    required: Sequence[str],
    max_rows: int,
    max_field_chars: int,
    max_uncompressed_bytes: int,
) -> Sheet:
    _check_zip(content, max_uncompressed_bytes)
    # Imported here: openpyxl is only needed when someone uploads or downloads a workbook.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # any parser failure means "not a readable .xlsx"
        raise _corrupt_xlsx() from error
    try:
        if not workbook.worksheets:
            raise _corrupt_xlsx()
        worksheet = workbook.worksheets[0]
        header: list[str] = []
        header_line = 0
        for line, values in enumerate(
            worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
        ):
            cells = [_xlsx_text(value) for value in values]
            if not is_blank(cells):
                header, header_line = [column_name(cell) for cell in cells], line
                break
            if line > XLSX_MAX_BLANK_RUN:
                break
        while header and not header[-1]:
            header.pop()
        header_check(required, header, "")
        sheet = Sheet(columns=header)
        blank_run = 0
        for line, values in enumerate(
            worksheet.iter_rows(
                min_row=header_line + 1, max_col=max(len(header), 1), values_only=True
            ),
            start=header_line + 1,
        ):
            cells = [_xlsx_text(value) for value in values]
            if is_blank(cells):
                blank_run += 1
                if blank_run > XLSX_MAX_BLANK_RUN:
                    break
                continue
            blank_run = 0
            if len(sheet.rows) >= max_rows:
                sheet.is_truncated = True
                break
            sheet.rows.append(sheet_row(line, header, cells, max_field_chars))
        return sheet
    except SpreadsheetRefused:
        raise
    except Exception as error:  # the sheet's XML is parsed while iterating
        raise _corrupt_xlsx() from error
    finally:
        workbook.close()
