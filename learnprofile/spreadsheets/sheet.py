"""The model of a read file (`Sheet`, `SheetRow`), its one error (`SpreadsheetRefused`), and
what every reader shares: header names, the header's required columns, a row's checks."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from learnprofile.errors import DomainError
from learnprofile.formatting import number_for_people
from learnprofile.text import text_input

# Control characters a cell may not hold: C0 and C1 except tab, line feed, carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


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


def size_for_people(size: int) -> str:
    """A limit in bytes as a message shows it: whole megabytes ("32 MB"), else kilobytes
    rounded down, at least 1 ("500 KB")."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    return f"{max(size // 1024, 1)} KB"


def _separator_name(separator: str) -> str:
    return {
        ",": _("dấu phẩy"),
        ";": _("dấu chấm phẩy"),
        "\t": _("dấu tab"),
    }.get(separator, repr(separator))


def column_name(name: str) -> str:
    """A header name as read: BOM and surrounding spaces gone, case folded, in its kept form."""
    return text_input(name).replace("\ufeff", "").strip().casefold()


def _visible(name: str) -> str:
    """A name from the file, safe to show: control characters dropped, at most 40 characters."""
    return CONTROL_CHARACTERS.sub("", name)[:40]


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"“{_visible(name)}”" for name in names)


def header_check(required: Sequence[str], found: list[str], separator: str) -> None:
    """Raise SpreadsheetRefused when a `required` column is not among the header's `found`
    names (both normalised); the message names the missing columns, the columns the header
    has and, for a CSV file, the `separator` it was read with ("" for .xlsx)."""
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
        bad = CONTROL_CHARACTERS.search(value)
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


def sheet_row(
    line: int, columns: list[str], cells: Sequence[str], max_field_chars: int
) -> SheetRow:
    """The row at `line` whose `cells` (kept text) fall under the header's `columns`; its
    error when any cell, named or beyond the header, holds a control character or is longer
    than `max_field_chars`."""
    values: dict[str, str] = {}
    for index, name in enumerate(columns):
        if name and name not in values:  # the first of two same-named columns wins
            values[name] = cells[index] if index < len(cells) else ""
    # A problem in a column nobody reads is still a problem of the row: check every cell.
    extra = {f"#{index + 1}": cell for index, cell in enumerate(cells) if index >= len(columns)}
    error = _row_error({**values, **extra}, max_field_chars)
    return SheetRow(line=line, values={} if error else values, error=error)


def is_blank(cells: Sequence[str]) -> bool:
    """No cell holds anything but white space: the row is skipped."""
    return not any(cell.strip() for cell in cells)
