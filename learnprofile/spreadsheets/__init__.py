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
override controls); header names are matched trimmed, without a BOM and case-insensitively.
A NUL or another control character (tab, line feed and carriage return are allowed: a quoted
CSV field or an Excel cell may hold a line break) or a field longer than `max_field_chars` is
an error of that row, never of the file; completely blank rows are skipped. File-level problems raise `SpreadsheetRefused` (a DomainError) with a
message in the active language; nothing else escapes, so an upload never becomes a 500.

Writing: `csv_text` (UTF-8 with a BOM, comma separated: Excel reads the BOM and then the
commas whatever the locale; a `sep=` line would make it ignore the BOM) and `xlsx_write` (one
sheet; numbers are number cells and dates date cells, every text a text cell: nothing a
spreadsheet could run). CSV cells pass through `learnprofile.text.spreadsheet_cell` (the
formula guard).

Import from this package; its modules are `reading` (`spreadsheet_read`, what no reader can
take), `csv_reading` (encoding and separator), `xlsx_reading` (the zip check, cell values),
`sheet` (`Sheet`, `SheetRow`, `SpreadsheetRefused`, the header and row checks both readers
share) and `writing` (`csv_text`, `xlsx_write`, `xlsx_bytes`).
"""

from learnprofile.spreadsheets.reading import MAX_FIELD_CHARS, UPLOAD_ACCEPT, spreadsheet_read
from learnprofile.spreadsheets.sheet import Sheet, SheetRow, SpreadsheetRefused
from learnprofile.spreadsheets.writing import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    XLSX_DATE_FORMAT,
    XLSX_DATETIME_FORMAT,
    XLSX_MAX_CELL_CHARS,
    csv_text,
    xlsx_bytes,
    xlsx_cell_text,
    xlsx_write,
)
from learnprofile.spreadsheets.xlsx_reading import (
    MAX_COLUMNS,
    XLSX_MAX_BLANK_RUN,
    XLSX_MAX_ENTRIES,
    XLSX_MAX_UNCOMPRESSED_BYTES,
)

__all__ = [
    "CSV_CONTENT_TYPE",
    "MAX_COLUMNS",
    "MAX_FIELD_CHARS",
    "UPLOAD_ACCEPT",
    "XLSX_CONTENT_TYPE",
    "XLSX_DATETIME_FORMAT",
    "XLSX_DATE_FORMAT",
    "XLSX_MAX_BLANK_RUN",
    "XLSX_MAX_CELL_CHARS",
    "XLSX_MAX_ENTRIES",
    "XLSX_MAX_UNCOMPRESSED_BYTES",
    "Sheet",
    "SheetRow",
    "SpreadsheetRefused",
    "csv_text",
    "spreadsheet_read",
    "xlsx_bytes",
    "xlsx_cell_text",
    "xlsx_write",
]
