"""Test helpers: the same rows as the four files people upload (a comma CSV, a semicolon CSV
with a BOM as Excel writes on a Vietnamese-locale machine, a tab-separated file, an .xlsx),
and the refused encodings."""

import csv
import io
import unicodedata
from collections.abc import Sequence

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

FORMATS = ("comma", "semicolon_bom", "tab", "xlsx")


def _delimited(rows: Sequence[Sequence[object]], separator: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator).writerows(
        [["" if value is None else str(value) for value in row] for row in rows]
    )
    return buffer.getvalue()


def xlsx_content(rows: Sequence[Sequence[object]]) -> bytes:
    """A workbook whose first sheet holds `rows` with their Python types (an int is a number
    cell, a date a date cell), as Excel stores what people type."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def spreadsheet_upload(
    rows: Sequence[Sequence[object]], file_format: str, stem: str = "tep"
) -> SimpleUploadedFile:
    """`rows` as an uploaded file in `file_format` (one of FORMATS, or "utf16"/"cp1258")."""
    if file_format == "xlsx":
        return SimpleUploadedFile(
            f"{stem}.xlsx",
            xlsx_content(rows),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    content = {
        "comma": lambda: _delimited(rows, ",").encode(),
        "semicolon_bom": lambda: _delimited(rows, ";").encode("utf-8-sig"),
        "tab": lambda: _delimited(rows, "\t").encode(),
        "utf16": lambda: _delimited(rows, "\t").encode("utf-16"),
        # Windows-1258 writes a tone as a combining mark: NFD first, as Excel's encoder does.
        "cp1258": lambda: _cp1258(_delimited(rows, ",")),
    }[file_format]()
    suffix = "txt" if file_format in ("tab", "utf16") else "csv"
    return SimpleUploadedFile(f"{stem}.{suffix}", content, "text/csv")


def _cp1258(text: str) -> bytes:
    """`text` as Windows-1258 writes it: a precomposed letter where the code page has one
    ("ă", "ê"), the tone as a combining mark after it ("ặ" is "ă" + U+0323)."""
    output = bytearray()
    for char in text:
        try:
            output += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        for index, mark in enumerate(marks):
            letter = unicodedata.normalize("NFC", base + mark)
            rest = "".join(marks[:index] + marks[index + 1 :])
            try:
                output += letter.encode("cp1258") + rest.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            output += (base + "".join(marks)).encode("cp1258")
    return bytes(output)
