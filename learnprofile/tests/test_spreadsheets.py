"""The one spreadsheet reader (CSV in three separators, .xlsx) and the two writers, and the
formula guard of CSV cells."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from learnprofile.spreadsheets import (
    SpreadsheetRefused,
    csv_text,
    spreadsheet_read,
    xlsx_bytes,
)
from learnprofile.text import spreadsheet_cell

COLUMNS = ("contact", "offering", "note")
ROWS = [
    ["Contact", " Offering ", "Note"],
    ["an@example.vn", "", "Nguyễn Văn An"],
    ["+84912345678", "", "Trần; Thị, Bình"],
]


def _read(content: bytes, name: str = "ds.csv", **limits):
    return spreadsheet_read(
        content=content,
        file_name=name,
        columns=COLUMNS,
        required=("contact",),
        max_bytes=limits.pop("max_bytes", 1024 * 1024),
        max_rows=limits.pop("max_rows", 100),
        **limits,
    )


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _delimited(rows: list[list[str]], separator: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator).writerows(rows)
    return buffer.getvalue()


def _values(sheet) -> list[tuple[int, dict[str, str], str]]:
    return [(row.line, row.values, row.error) for row in sheet.rows]


EXPECTED = [
    (2, {"contact": "an@example.vn", "offering": "", "note": "Nguyễn Văn An"}, ""),
    (3, {"contact": "+84912345678", "offering": "", "note": "Trần; Thị, Bình"}, ""),
]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("comma.csv", _delimited(ROWS, ",").encode()),
        ("semicolon.csv", _delimited(ROWS, ";").encode("utf-8-sig")),
        ("tab.txt", _delimited(ROWS, "\t").encode()),
        ("sheet.xlsx", _xlsx(ROWS)),
    ],
)
def test_the_same_rows_read_identically_from_every_format(name, content) -> None:
    sheet = _read(content, name)

    assert sheet.columns == ["contact", "offering", "note"]
    assert _values(sheet) == EXPECTED
    assert sheet.is_truncated is False


def test_the_separator_is_the_one_that_gives_the_expected_columns() -> None:
    # "a,b" in the header would make a comma look likely; the names decide.
    content = "contact;offering;ghi chú, nếu có\nan@example.vn;;x, y\n".encode()

    sheet = _read(content)

    assert sheet.separator == ";"
    assert sheet.rows[0].values["contact"] == "an@example.vn"


def test_an_excel_sep_line_is_honoured_and_counted_as_a_line() -> None:
    sheet = _read(b"sep=;\ncontact;offering\nan@example.vn;\n")

    assert (sheet.separator, sheet.rows[0].line) == (";", 3)
    assert sheet.rows[0].values["contact"] == "an@example.vn"


def test_a_header_without_the_column_says_which_columns_and_separator_were_found() -> None:
    with pytest.raises(SpreadsheetRefused) as refused:
        _read("email;tên\nan@example.vn;An\n".encode())

    assert str(refused.value.message) == (
        "Không tìm thấy cột “contact”. Dòng đầu của tệp có các cột: “email”, “tên”. "
        "Dấu phân cách: dấu chấm phẩy. Dòng đầu phải là tên các cột, viết như tệp mẫu."
    )


@pytest.mark.parametrize(
    "content",
    [
        "contact\nan@example.vn\n".encode("utf-16"),  # with a BOM, as Excel's "Unicode text"
        "contact\tnote\nan@example.vn\tAn\n".encode("utf-16-le"),  # without one
        # Windows-1258 writes a tone as a combining mark after the letter: "Nguyê" + "\u0303".
        "contact,note\nan@example.vn,Đoàn Văn Nguyê\u0303n\n".encode("cp1258"),
        "contact,note\nan@example.vn,José Café\n".encode("cp1252"),
    ],
    ids=["utf-16", "utf-16-le-without-bom", "windows-1258", "windows-1252"],
)
def test_a_file_that_is_not_utf8_is_refused_with_the_save_as_csv_utf8_message(content) -> None:
    with pytest.raises(SpreadsheetRefused) as refused:
        _read(content)

    assert "Hãy lưu tệp dưới dạng CSV UTF-8" in str(refused.value.message)
    assert "Tệp > Lưu thành > CSV UTF-8" in str(refused.value.message)


def test_a_nul_byte_is_an_error_of_its_row_only() -> None:
    sheet = _read(b"contact,note\nan@example.vn,A\x00n\nbinh@example.vn,B\n")

    assert _values(sheet) == [
        (
            2,
            {},
            "Cột “note” chứa ký tự không hợp lệ (NUL). Hãy xóa ký tự đó rồi lưu lại tệp.",
        ),
        (3, {"contact": "binh@example.vn", "note": "B"}, ""),
    ]


def test_a_control_character_in_a_column_nobody_reads_is_still_a_row_error() -> None:
    sheet = _read(b"contact,extra\nan@example.vn,\x07\n")

    assert sheet.rows[0].error == (
        "Cột “extra” chứa ký tự không hợp lệ (U+0007). Hãy xóa ký tự đó rồi lưu lại tệp."
    )


def test_a_quoted_line_break_and_tab_are_kept_and_lines_count_from_the_file() -> None:
    sheet = _read(b'contact,note\nan@example.vn,"hai\ndong\tva tab"\nbinh@example.vn,x\n')

    assert _values(sheet) == [
        (2, {"contact": "an@example.vn", "note": "hai\ndong\tva tab"}, ""),
        (4, {"contact": "binh@example.vn", "note": "x"}, ""),
    ]


def test_a_200000_character_field_is_a_row_error_not_an_exception() -> None:
    content = b"contact,note\n" + b"a" * 200_000 + b",x\nbinh@example.vn,y\n"

    sheet = _read(content)

    assert sheet.rows[0].error == "Cột “contact” dài 200.000 ký tự; tối đa 1.000 ký tự một ô."
    assert sheet.rows[1].values["contact"] == "binh@example.vn"


def test_the_field_length_limit_is_a_parameter() -> None:
    sheet = _read(b"contact\nabcdef\n", max_field_chars=5)

    assert sheet.rows[0].error == "Cột “contact” dài 6 ký tự; tối đa 5 ký tự một ô."


def test_header_names_are_trimmed_case_folded_and_lose_their_bom() -> None:
    sheet = _read("\ufeff\ufeff CONTACT ,Note\nan@example.vn,x\n".encode())

    assert sheet.columns == ["contact", "note"]


def test_decomposed_text_is_read_as_nfc() -> None:
    decomposed = "Nguye\u0302\u0303n"

    sheet = _read(f"contact,note\nan@example.vn,{decomposed}\n".encode())

    assert sheet.rows[0].values["note"] == "Nguyễn"


def test_blank_rows_are_skipped_and_rows_over_the_limit_truncate() -> None:
    content = b"contact\n\n,\na@x.vn\n\nb@x.vn\nc@x.vn\n"

    sheet = _read(content, max_rows=2)

    assert [(row.line, row.values["contact"]) for row in sheet.rows] == [
        (4, "a@x.vn"),
        (6, "b@x.vn"),
    ]
    assert sheet.is_truncated is True


def test_a_file_over_the_size_limit_is_refused() -> None:
    with pytest.raises(SpreadsheetRefused) as refused:
        _read(b"contact\n" + b"a@x.vn\n" * 200, max_bytes=1024)

    assert str(refused.value.message) == "Tệp lớn hơn 1 KB. Hãy chia thành nhiều tệp nhỏ hơn."


def test_xlsx_numbers_dates_and_booleans_come_back_as_text_people_typed() -> None:
    content = _xlsx(
        [
            ["contact", "offering", "note"],
            [912345678, 3.5, date(2027, 3, 2)],
            [912345678.0, True, datetime(2027, 3, 2, 8, 30)],  # noqa: DTZ001 - Excel's are naive
        ]
    )

    sheet = _read(content, "sheet.xlsx")

    assert [row.values for row in sheet.rows] == [
        {"contact": "912345678", "offering": "3.5", "note": "2027-03-02"},
        {"contact": "912345678", "offering": "TRUE", "note": "2027-03-02 08:30"},
    ]


def _with_cached_formula(content: bytes) -> bytes:
    """The workbook with its B2 formula given the value Excel would have cached."""
    source = zipfile.ZipFile(io.BytesIO(content))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>1+2</f><v></v>", b"<f>1+2</f><v>3</v>")
                data = data.replace(b"<f>1+2</f><v />", b"<f>1+2</f><v>3</v>")
            archive.writestr(entry, data)
    return target.getvalue()


def test_an_xlsx_formula_is_read_as_its_cached_value_never_its_text() -> None:
    content = _with_cached_formula(_xlsx([["contact", "note"], ["an@example.vn", "=1+2"]]))

    sheet = _read(content, "sheet.xlsx")

    assert sheet.rows[0].values == {"contact": "an@example.vn", "note": "3"}


def test_a_workbook_renamed_to_csv_is_read_as_a_workbook() -> None:
    sheet = _read(_xlsx(ROWS), "ds.csv")

    assert _values(sheet) == EXPECTED


def test_an_over_long_xlsx_cell_is_a_row_error() -> None:
    sheet = _read(_xlsx([["contact"], ["x" * 5000]]), "sheet.xlsx")

    assert sheet.rows[0].error == "Cột “contact” dài 5.000 ký tự; tối đa 1.000 ký tự một ô."


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("sheet.xlsx", _xlsx(ROWS)[:300]),  # cut short
        ("sheet.xlsx", b"contact\nan@example.vn\n"),  # text named .xlsx
        ("sheet.xlsx", b"PK\x03\x04" + b"\x00" * 100),
    ],
    ids=["truncated", "text", "bad-zip"],
)
def test_a_corrupt_xlsx_is_refused_cleanly(name, content) -> None:
    with pytest.raises(SpreadsheetRefused) as refused:
        _read(content, name)

    assert str(refused.value.message).startswith("Không đọc được tệp Excel: tệp hỏng")


def test_an_xlsx_that_inflates_beyond_the_limit_is_refused_before_it_is_opened() -> None:
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/sharedStrings.xml", b" " * (40 * 1024 * 1024))
    assert len(target.getvalue()) < 100_000

    with pytest.raises(SpreadsheetRefused) as refused:
        _read(target.getvalue(), "bomb.xlsx")

    assert str(refused.value.message).startswith("Tệp Excel quá lớn khi giải nén (tối đa 32 MB).")


@pytest.mark.parametrize(
    ("name", "content", "start"),
    [
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "Tệp này là Excel 97-2003",
        ),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Tệp này là Excel"),
        ("report.pdf", b"%PDF-1.7\n", "Chỉ nhận tệp CSV (.csv) hoặc Excel (.xlsx)"),
    ],
)
def test_other_formats_are_refused_with_what_to_do(name, content, start) -> None:
    with pytest.raises(SpreadsheetRefused) as refused:
        _read(content, name)

    assert str(refused.value.message).startswith(start)


def test_an_ods_file_is_refused_by_name() -> None:
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", b"<x/>")

    with pytest.raises(SpreadsheetRefused) as refused:
        _read(target.getvalue(), "ds.ods")

    assert str(refused.value.message).startswith("Tệp OpenDocument (.ods) chưa được hỗ trợ.")


# --- writers and the formula guard ---------------------------------------------------------

HOSTILE = ["+84912345678", '=HYPERLINK("http://x","y")', "@SUM(1+1)*cmd|' /C calc'!A0"]


def test_csv_text_has_a_bom_keeps_phone_numbers_and_neutralises_formulas() -> None:
    text = csv_text([["so_dien_thoai", "ho_ten", "ghi_chu"], HOSTILE])

    assert text == (
        "\ufeffso_dien_thoai,ho_ten,ghi_chu\r\n"
        '+84912345678,"\'=HYPERLINK(""http://x"",""y"")",'
        "'@SUM(1+1)*cmd|' /C calc'!A0\r\n"
    )


def test_xlsx_strings_are_text_cells_with_the_values_unchanged() -> None:
    content = xlsx_bytes(
        [["so_dien_thoai", "ho_ten", "ghi_chu", "so"], [*HOSTILE[:2], "=1+1", "12"]], title="a/b"
    )

    worksheet = load_workbook(io.BytesIO(content)).worksheets[0]

    cells = next(worksheet.iter_rows(min_row=2))
    assert [cell.value for cell in cells] == [*HOSTILE[:2], "=1+1", "12"]
    assert [cell.data_type for cell in cells] == ["s", "s", "s", "s"]
    assert worksheet.title == "a b"


def test_xlsx_numbers_are_number_cells() -> None:
    content = xlsx_bytes([["so_buoi", "ty_le", "diem", "am"], [12, 2.5, Decimal("66.7"), -3]])

    worksheet = load_workbook(io.BytesIO(content)).worksheets[0]

    cells = next(worksheet.iter_rows(min_row=2))
    assert [cell.value for cell in cells] == [12, 2.5, 66.7, -3]
    assert [cell.data_type for cell in cells] == ["n", "n", "n", "n"]


def test_xlsx_booleans_and_values_excel_cannot_count_stay_text_cells() -> None:
    content = xlsx_bytes([["a", "b", "c"], [True, float("nan"), Decimal("Infinity")]])

    worksheet = load_workbook(io.BytesIO(content)).worksheets[0]

    cells = next(worksheet.iter_rows(min_row=2))
    assert [cell.value for cell in cells] == ["True", "nan", "Infinity"]
    assert [cell.data_type for cell in cells] == ["s", "s", "s"]


def test_xlsx_dates_are_date_cells_shown_day_first_in_vietnam_time() -> None:
    content = xlsx_bytes(
        [
            ["ngay", "luc"],
            [date(2027, 3, 2), datetime(2027, 3, 2, 17, 30, tzinfo=UTC)],
        ]
    )

    worksheet = load_workbook(io.BytesIO(content)).worksheets[0]

    day, moment = next(worksheet.iter_rows(min_row=2))
    # Excel holds wall-clock time without a zone: openpyxl reads a naive datetime.
    assert (day.value.isoformat(), day.number_format, day.is_date) == (
        "2027-03-02T00:00:00",
        "dd/mm/yyyy",
        True,
    )
    assert (moment.value.isoformat(), moment.number_format, moment.is_date) == (
        "2027-03-03T00:30:00",
        "dd/mm/yyyy hh:mm",
        True,
    )


def test_csv_text_writes_numbers_as_plain_text() -> None:
    text = csv_text([["so_buoi", "ty_le", "diem", "am"], [12, 2.5, Decimal("66.7"), -3]])

    assert text == "\ufeffso_buoi,ty_le,diem,am\r\n12,2.5,66.7,-3\r\n"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("+84912345678", "+84912345678"),
        ("+84 912 345 678", "+84 912 345 678"),
        ("-12.5", "-12.5"),
        ("=1+1", "'=1+1"),
        ("+1-1", "'+1-1"),
        ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+", "'+"),
        ("\t123", "'\t123"),
        ("\r123", "'\r123"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        (None, ""),
    ],
)
def test_the_formula_guard_leaves_plain_signed_numbers_readable(value, cell) -> None:
    assert spreadsheet_cell(value) == cell
