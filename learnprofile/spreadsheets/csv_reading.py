"""Reading a CSV file: its encoding (UTF-8 only, with a message for the others) and its
separator (comma, semicolon or tab, found on the header line, or an Excel `sep=` line)."""

import csv
import io
import re
from collections.abc import Sequence

from django.utils.translation import gettext as _

from learnprofile.spreadsheets.sheet import (
    Sheet,
    SpreadsheetRefused,
    column_name,
    header_check,
    is_blank,
    sheet_row,
)
from learnprofile.text import text_input

_SEPARATORS = (",", ";", "\t")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SEP_LINE = re.compile(r"\A\ufeff?sep=(.)\r?\n", re.IGNORECASE)


def _save_as_csv_utf8() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        _(
            "Tệp không được mã hóa UTF-8. Hãy lưu tệp dưới dạng CSV UTF-8 "
            "(Excel: Tệp > Lưu thành > CSV UTF-8) hoặc Sổ làm việc "
            "Excel (.xlsx) rồi tải lên lại."
        )
    )


def _csv_text(content: bytes) -> str:
    head = content[:4096]
    if head.startswith(_UTF16_BOMS):
        raise _save_as_csv_utf8()
    # UTF-16 without a BOM: every other byte of Latin text is NUL. One stray NUL in a UTF-8
    # file is a row error (below), not this.
    if head and head.count(0) * 4 > len(head):
        raise _save_as_csv_utf8()
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _save_as_csv_utf8() from error


def _separator(header_line: str, expected: set[str]) -> str:
    """The separator that turns the header line into the most expected column names, then
    into the most columns; comma when nothing tells."""

    def score(separator: str) -> tuple[int, int, int]:
        cells = next(csv.reader([header_line], delimiter=separator), [])
        names = {column_name(cell) for cell in cells}
        return (len(names & expected), len(cells), -_SEPARATORS.index(separator))

    return max(_SEPARATORS, key=score)


def csv_read(
    content: bytes,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    max_rows: int,
    max_field_chars: int,
) -> Sheet:
    text = _csv_text(content)
    first_line = 1
    declared = _SEP_LINE.match(text)
    if declared and declared.group(1) in _SEPARATORS:
        text = text[declared.end() :]
        first_line = 2
    body = text.lstrip("\r\n")
    first_line += text[: len(text) - len(body)].count("\n")
    header_line = body.split("\n", 1)[0]
    separator = (
        declared.group(1)
        if declared and declared.group(1) in _SEPARATORS
        else _separator(header_line, {column_name(name) for name in columns})
    )
    # The csv module refuses a field over its limit (131,072 characters by default) with an
    # exception; the file's size is the real bound, and a long field is a row error below.
    if csv.field_size_limit() < len(body) + 1:
        csv.field_size_limit(len(body) + 1)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=separator)
    try:
        header_cells = next(reader, [])
        header = [column_name(cell) for cell in header_cells]
        header_check(required, header, separator)
        sheet = Sheet(columns=header, separator=separator)
        consumed = reader.line_num  # physical lines so far: a record may span several
        for raw_cells in reader:
            start, consumed = first_line + consumed, reader.line_num
            cells = [text_input(cell) for cell in raw_cells]
            if is_blank(cells):
                continue
            if len(sheet.rows) >= max_rows:
                sheet.is_truncated = True
                break
            sheet.rows.append(sheet_row(start, header, cells, max_field_chars))
    except csv.Error as error:
        raise SpreadsheetRefused(
            _("Tệp CSV hỏng ở dòng %(line)s: %(error)s. Hãy mở tệp trong Excel và lưu lại.")
            % {"line": first_line + reader.line_num, "error": str(error)[:100]}
        ) from error
    return sheet
