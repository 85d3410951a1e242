"""The one reader of uploaded spreadsheets (every import: offerings, attendance, credential
batches) and the two writers of downloads (every export: CSV and .xlsx).

Reading (`spreadsheet_read`) takes the uploaded bytes and the file's name and gives the header
and the rows as text, each row with its line in the file and, when the row cannot be used, one
error for it. What it reads:

- `.csv` (also `.tsv`, `.txt`): UTF-8 with or without a byte-order mark. UTF-16 (Excel's
  "Unicode text", with a BOM or recognised by its NUL bytes) and legacy code pages
  (Windows-1258, Windows-1252) are refused with a message that says how to save as CSV UTF-8.
  The separator is found on the header line among comma, semicolon and tab (Excel writes a
  semicolon when the computer's list separator is one, as on many Vietnamese-locale
  machines), by the number of expected column names each separator gives; an Excel `sep=;`
  first line is honoured.
- `.xlsx` (Office Open XML, ISO/IEC 29500): the first worksheet, read with openpyxl in
  read-only mode with cached values (a formula gives the value Excel last computed, never its
  text). Numbers come back as people typed them (a phone number stored as 912345678 is
  "912345678", not "912345678.0"), dates as ISO 8601 (2027-03-02, 2027-03-02 08:30). The zip
  is checked before it is opened (entries, declared uncompressed size), so a zip bomb is
  refused; openpyxl parses its XML with defusedxml (installed), so an entity bomb is too.
- anything else (.xls, .ods, a PDF...) is refused with a message naming what to do.

Every text is in its kept form (`learnprofile.text.text_input`: NFC, without bidirectional
override controls); header names are matched trimmed, without a BOM and case-insensitively. A NUL or another control character (tab, line feed and carriage
return are allowed: a quoted CSV field or an Excel cell may hold a line break) or a field
longer than `max_field_chars` is an error of that row, never of the file; completely blank
rows are skipped. File-level problems raise `SpreadsheetRefused` (a DomainError) with a
message in the active language; nothing else escapes, so an upload never becomes a 500.

Writing: `csv_text` (UTF-8 with a BOM, comma separated: Excel reads the BOM and then the
commas whatever the locale; a `sep=` line would make it ignore the BOM) and `xlsx_write` (one
sheet; numbers are number cells and dates date cells, every text a text cell: nothing a
spreadsheet could run). CSV cells pass through `learnprofile.text.spreadsheet_cell` (the
formula guard).
"""

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from learnprofile.errors import DomainError
from learnprofile.formatting import number_for_people
from learnprofile.text import spreadsheet_cell, text_input

UPLOAD_ACCEPT = (
    ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

MAX_FIELD_CHARS = 1000
MAX_COLUMNS = 200
# A zip entry's declared size bounds what zipfile will inflate, so checking the declared sizes
# is a real guard. 32 MB of XML is thousands of times what our largest import needs.
XLSX_MAX_UNCOMPRESSED_BYTES = 32 * 1024 * 1024
XLSX_MAX_ENTRIES = 1000
XLSX_MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
# Trailing formatted rows of a sheet are blank rows to openpyxl; a run this long is the end.
XLSX_MAX_BLANK_RUN = 10_000

_SEPARATORS = (",", ";", "\t")
_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ""}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected .xlsx
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control characters a cell may not hold: C0 and C1 except tab, line feed, carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what XML 1.0 cannot hold
_SHEET_TITLE_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
_SEP_LINE = re.compile(r"\A\ufeff?sep=(.)\r?\n", re.IGNORECASE)


class SpreadsheetRefused(DomainError):
    """The file as a whole cannot be read; the message says why and what to do."""

    code = "spreadsheet_refused"


@dataclass(frozen=True)
class SheetRow:
    """One data row. `line`: its line in a CSV file (where the record starts; the header is
    usually line 1) or its row number in the sheet. `values`: cell text by (normalised)
    column name, every column of the header present ("" when the row is short); empty when
    `error` is set. `error`: why the row cannot be used, in the active language."""

    line: int
    values: dict[str, str]
    error: str = ""


@dataclass
class Sheet:
    """`columns`: the header's names, normalised (trimmed, no BOM, case-folded), in file
    order. `rows`: the non-blank data rows, at most `max_rows`. `is_truncated`: the file had
    more non-blank rows than that. `separator`: the CSV separator used ("" for .xlsx)."""

    columns: list[str]
    rows: list[SheetRow] = field(default_factory=list)
    is_truncated: bool = False
    separator: str = ""


def _size_for_people(size: int) -> str:
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    return f"{max(size // 1024, 1)} KB"


def _save_as_csv_utf8() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        _(
            "Tệp không được mã hóa UTF-8. Hãy lưu tệp dưới dạng CSV UTF-8 "
            "(Excel: Tệp > Lưu thành > CSV UTF-8) hoặc Sổ làm việc "
            "Excel (.xlsx) rồi tải lên lại."
        )
    )


def _separator_name(separator: str) -> str:
    return {
        ",": _("dấu phẩy"),
        ";": _("dấu chấm phẩy"),
        "\t": _("dấu tab"),
    }.get(separator, repr(separator))


def _column_name(name: str) -> str:
    """A header name as read: BOM and surrounding spaces gone, case folded, in its kept form."""
    return text_input(name).replace("\ufeff", "").strip().casefold()


def _visible(name: str) -> str:
    """A name from the file, safe to show: control characters dropped, at most 40 characters."""
    return _CONTROL.sub("", name)[:40]


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"“{_visible(name)}”" for name in names)


def _missing_columns(required: Sequence[str], found: list[str], separator: str) -> None:
    missing = [name for name in required if name not in found]
    if not missing:
        return
    shown = [name for name in found if name][:20]
    message = ngettext(
        "Không tìm thấy cột %(missing)s.",
        "Không tìm thấy các cột %(missing)s.",
        len(missing),
    ) % {"missing": _quoted(missing)}
    if shown:
        message += " " + _("Dòng đầu của tệp có các cột: %(found)s.") % {"found": _quoted(shown)}
    else:
        message += " " + _("Dòng đầu của tệp không có tên cột nào.")
    if separator:
        message += " " + _("Dấu phân cách: %(separator)s.") % {
            "separator": _separator_name(separator)
        }
    message += " " + _("Dòng đầu phải là tên các cột, viết như tệp mẫu.")
    raise SpreadsheetRefused(message)


def _row_error(values: dict[str, str], max_field_chars: int) -> str:
    for name, value in values.items():
        bad = _CONTROL.search(value)
        if bad:
            character = "NUL" if bad.group() == "\x00" else f"U+{ord(bad.group()):04X}"
            return _(
                "Cột “%(column)s” chứa ký tự không hợp lệ (%(character)s). Hãy xóa ký tự đó "
                "rồi lưu lại tệp."
            ) % {"column": _visible(name), "character": character}
    for name, value in values.items():
        if len(value) > max_field_chars:
            return _("Cột “%(column)s” dài %(length)s ký tự; tối đa %(max)s ký tự một ô.") % {
                "column": _visible(name),
                "length": number_for_people(len(value)),
                "max": number_for_people(max_field_chars),
            }
    return ""


def _row(line: int, columns: list[str], cells: Sequence[str], max_field_chars: int) -> SheetRow:
    values: dict[str, str] = {}
    for index, name in enumerate(columns):
        if name and name not in values:  # the first of two same-named columns wins
            values[name] = cells[index] if index < len(cells) else ""
    # A problem in a column nobody reads is still a problem of the row: check every cell.
    extra = {f"#{index + 1}": cell for index, cell in enumerate(cells) if index >= len(columns)}
    error = _row_error({**values, **extra}, max_field_chars)
    return SheetRow(line=line, values={} if error else values, error=error)


def _is_blank(cells: Sequence[str]) -> bool:
    return not any(cell.strip() for cell in cells)


# --- CSV ----------------------------------------------------------------------------------


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
        names = {_column_name(cell) for cell in cells}
        return (len(names & expected), len(cells), -_SEPARATORS.index(separator))

    return max(_SEPARATORS, key=score)


def _read_csv(
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
        else _separator(header_line, {_column_name(name) for name in columns})
    )
    # The csv module refuses a field over its limit (131,072 characters by default) with an
    # exception; the file's size is the real bound, and a long field is a row error below.
    if csv.field_size_limit() < len(body) + 1:
        csv.field_size_limit(len(body) + 1)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=separator)
    try:
        header_cells = next(reader, [])
        header = [_column_name(cell) for cell in header_cells]
        _missing_columns(required, header, separator)
        sheet = Sheet(columns=header, separator=separator)
        consumed = reader.line_num  # physical lines so far: a record may span several
        for raw_cells in reader:
            start, consumed = first_line + consumed, reader.line_num
            cells = [text_input(cell) for cell in raw_cells]
            if _is_blank(cells):
                continue
            if len(sheet.rows) >= max_rows:
                sheet.is_truncated = True
                break
            sheet.rows.append(_row(start, header, cells, max_field_chars))
    except csv.Error as error:
        raise SpreadsheetRefused(
            _("Tệp CSV hỏng ở dòng %(line)s: %(error)s. Hãy mở tệp trong Excel và lưu lại.")
            % {"line": first_line + reader.line_num, "error": str(error)[:100]}
        ) from error
    return sheet


# --- .xlsx --------------------------------------------------------------------------------


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
            % {"size": _size_for_people(max_uncompressed_bytes)}
        )
    if "xl/workbook.xml" not in names:
        raise _corrupt_xlsx()


def _read_xlsx(
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
            if not _is_blank(cells):
                header, header_line = [_column_name(cell) for cell in cells], line
                break
            if line > XLSX_MAX_BLANK_RUN:
                break
        while header and not header[-1]:
            header.pop()
        _missing_columns(required, header, "")
        sheet = Sheet(columns=header)
        blank_run = 0
        for line, values in enumerate(
            worksheet.iter_rows(
                min_row=header_line + 1, max_col=max(len(header), 1), values_only=True
            ),
            start=header_line + 1,
        ):
            cells = [_xlsx_text(value) for value in values]
            if _is_blank(cells):
                blank_run += 1
                if blank_run > XLSX_MAX_BLANK_RUN:
                    break
                continue
            blank_run = 0
            if len(sheet.rows) >= max_rows:
                sheet.is_truncated = True
                break
            sheet.rows.append(_row(line, header, cells, max_field_chars))
        return sheet
    except SpreadsheetRefused:
        raise
    except Exception as error:  # the sheet's XML is parsed while iterating
        raise _corrupt_xlsx() from error
    finally:
        workbook.close()


# --- the reader ---------------------------------------------------------------------------


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
    """Read an uploaded .csv or .xlsx file (the module's docstring says how).

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
            % {"size": _size_for_people(max_bytes)}
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
            % {"name": _CONTROL.sub("", PurePath(file_name).name)[:80]}
        )
    if not content.strip():
        raise SpreadsheetRefused(_("Tệp trống."))
    columns = [name.casefold() for name in columns]
    required = [name.casefold() for name in required]
    if is_workbook:
        return _read_xlsx(
            content,
            required=required,
            max_rows=max_rows,
            max_field_chars=max_field_chars,
            max_uncompressed_bytes=max_uncompressed_bytes,
        )
    return _read_csv(
        content,
        columns=columns,
        required=required,
        max_rows=max_rows,
        max_field_chars=max_field_chars,
    )


# --- the writers --------------------------------------------------------------------------


def csv_text(rows: Iterable[Sequence[Any]], *, with_bom: bool = True) -> str:
    """`rows` as CSV text, comma separated, every cell through the formula guard
    (`spreadsheet_cell`); with a UTF-8 byte-order mark first, so Excel reads the Vietnamese
    text as UTF-8 (and then the commas, whatever the computer's list separator)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([spreadsheet_cell(value) for value in row])
    return ("\ufeff" if with_bom else "") + buffer.getvalue()


def xlsx_cell_text(value: object) -> str:
    """A value as the text of an .xlsx cell: None is empty, characters XML cannot hold are
    dropped, at most Excel's 32,767 characters."""
    text = "" if value is None else str(value)
    return _XLSX_ILLEGAL.sub("", text)[:XLSX_MAX_CELL_CHARS]


XLSX_DATE_FORMAT = "dd/mm/yyyy"
XLSX_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


def _xlsx_cell(worksheet: Any, value: object) -> Any:
    """One write-only cell for `value`: a number cell for an int, float or Decimal (not a
    bool, not NaN or infinity, which Excel cannot hold); a date cell shown `dd/mm/yyyy` for a
    date and `dd/mm/yyyy hh:mm` for a datetime (an aware one in the site's time zone, Vietnam's,
    as Excel has no time zones); a text cell for everything else, a `str` always."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(worksheet)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if not isinstance(value, int) and not math.isfinite(value):
            value = str(value)
        else:
            cell.value = value
            return cell
    elif isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value, timezone.get_default_timezone())
        cell.value = value
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    cell.value = xlsx_cell_text(value)
    cell.data_type = "s"  # set after the value: a leading "=" made it a formula
    return cell


def xlsx_write(rows: Iterable[Sequence[Any]], *, target: IO[bytes], title: str = "") -> None:
    """Write `rows` (the first is the header) as a one-sheet workbook to `target` (a binary
    file). Numbers (int, float, Decimal) are number cells, so a spreadsheet can sum and sort
    them; dates and datetimes are date cells (`dd/mm/yyyy`, `dd/mm/yyyy hh:mm`, Vietnam's
    time); every other value, and every `str`, is a text cell (inline string):
    "=HYPERLINK(...)" stays text, "+84912345678" keeps its plus and needs no apostrophe.
    Rows are streamed (openpyxl write-only mode)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    # A sheet title may not hold []:*?/\ and has at most 31 characters (Excel's rules).
    title = _SHEET_TITLE_ILLEGAL.sub(" ", xlsx_cell_text(title)).strip()[:31]
    worksheet = workbook.create_sheet(title=title or "Sheet1")
    for row in rows:
        worksheet.append([_xlsx_cell(worksheet, value) for value in row])
    workbook.save(target)


def xlsx_bytes(rows: Iterable[Sequence[Any]], *, title: str = "") -> bytes:
    """`xlsx_write` into memory, for small files (a session's roster)."""
    buffer = io.BytesIO()
    xlsx_write(rows, target=buffer, title=title)
    return buffer.getvalue()
