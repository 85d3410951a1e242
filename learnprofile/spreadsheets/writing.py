"""The two writers of downloads: `csv_text` (CSV UTF-8 with a BOM) and `xlsx_write` /
`xlsx_bytes` (a one-sheet workbook whose cells are numbers, dates or text, never formulas)."""

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone

from learnprofile.text import spreadsheet_cell

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

XLSX_MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what XML 1.0 cannot hold
_SHEET_TITLE_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


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
