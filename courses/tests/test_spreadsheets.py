"""Offerings and attendance from spreadsheets: the same rows import identically from a comma
CSV, a semicolon CSV with a BOM, a tab-separated file and an .xlsx; a file that is not UTF-8
is refused and writes nothing; a NUL byte or a 200,000-character cell is a row error, never a
500. Attendance exports come as CSV and .xlsx with the same rows, phone numbers readable and
formulas harmless."""

import csv
import io
import unicodedata
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from courses.models import (
    AttendanceChange,
    AttendanceMark,
    Enrollment,
    EnrollmentStatus,
    MarkSource,
    Offering,
)
from courses.services.attendance import MarkInput, marks_record
from courses.tests.factories import class_make, course_make
from learnprofile.audit.models import AuditEvent
from learnprofile.tests.spreadsheet_files import FORMATS, spreadsheet_upload
from profiles.tests.factories import ward, with_mfa

pytestmark = pytest.mark.django_db

SAVE_AS_UTF8 = "Hãy lưu tệp dưới dạng CSV UTF-8 (Excel: Tệp &gt; Lưu thành &gt; CSV UTF-8)"
NUL_ERROR = "Cột “venue” chứa ký tự không hợp lệ (NUL). Hãy xóa ký tự đó rồi lưu lại tệp."


@pytest.fixture
def manager_client(client, personas):
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)
    return client


@pytest.fixture
def center(personas):
    return personas.center_manager.memberships.get().organization


# --- offerings -----------------------------------------------------------------------------


def _offering_rows() -> list[list[object]]:
    code = ward("phuong_hoan_kiem").code
    return [
        ["Course", "ward_code", "venue", "starts_on", "ends_on", "capacity", "publish"],
        [
            "Tin học cơ bản",
            code,
            "Nhà văn hóa; tổ 5, phường",
            date(2027, 3, 2),
            date(2027, 4, 30),
            20,
            "có",
        ],
        ["tin học cơ bản", code, "Trường tiểu học", "15/03/2027", "15/05/2027", 30, ""],
    ]


def _stored_offerings() -> list[tuple]:
    return sorted(
        Offering.objects.values_list(
            "course__title", "ward__code", "venue", "starts_on", "ends_on", "capacity", "status"
        )
    )


@pytest.mark.parametrize("file_format", FORMATS)
def test_offerings_import_identically_from_every_format(
    manager_client, center, file_format
) -> None:
    course_make(center, title="Tin học cơ bản")
    code = ward("phuong_hoan_kiem").code

    response = manager_client.post(
        reverse("offerings_import"),
        {"file": spreadsheet_upload(_offering_rows(), file_format, "lop")},
    )

    assert response.status_code == 200
    assert "Đã nhập 2 lớp; 0 dòng lỗi." in response.content.decode()
    assert _stored_offerings() == [
        (
            "Tin học cơ bản",
            code,
            "Nhà văn hóa; tổ 5, phường",
            date(2027, 3, 2),
            date(2027, 4, 30),
            20,
            "published",
        ),
        (
            "Tin học cơ bản",
            code,
            "Trường tiểu học",
            date(2027, 3, 15),
            date(2027, 5, 15),
            30,
            "draft",
        ),
    ]


@pytest.mark.parametrize("encoding", ["utf16", "cp1258"])
def test_an_offerings_file_that_is_not_utf8_is_refused_and_writes_nothing(
    manager_client, center, encoding
) -> None:
    course_make(center, title="Tin học cơ bản")

    response = manager_client.post(
        reverse("offerings_import"),
        {"file": spreadsheet_upload(_offering_rows(), encoding, "lop")},
    )

    assert response.status_code == 200
    assert SAVE_AS_UTF8 in response.content.decode()
    assert not Offering.objects.exists()


@pytest.mark.parametrize(
    ("venue", "error"),
    [
        ("Nhà\x00văn hóa", NUL_ERROR),
        ("x" * 200_000, "Cột “venue” dài 200.000 ký tự; tối đa 1.000 ký tự một ô."),
    ],
    ids=["nul", "200000-characters"],
)
def test_a_hostile_offering_cell_is_an_error_of_its_row(
    manager_client, center, venue, error
) -> None:
    course_make(center, title="Tin học cơ bản")
    code = ward("phuong_hoan_kiem").code
    rows = [
        ["course", "ward_code", "venue", "starts_on", "ends_on", "capacity"],
        ["Tin học cơ bản", code, venue, "2027-03-02", "2027-04-30", 20],
        ["Tin học cơ bản", code, "Trường tiểu học", "2027-03-02", "2027-04-30", 20],
    ]

    response = manager_client.post(
        reverse("offerings_import"), {"file": spreadsheet_upload(rows, "comma", "lop")}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Đã nhập 1 lớp; 1 dòng lỗi." in body
    assert f"<td>2</td>\n                  <td>{error}</td>" in body
    assert list(Offering.objects.values_list("venue", flat=True)) == ["Trường tiểu học"]


def test_an_offerings_file_without_the_columns_says_what_it_found(manager_client, center) -> None:
    response = manager_client.post(
        reverse("offerings_import"),
        {"file": spreadsheet_upload([["khoa_hoc", "dia_diem"], ["A", "B"]], "semicolon_bom")},
    )

    assert (
        "Không tìm thấy các cột “course”, “ward_code”, “venue”, “starts_on”, “ends_on”, "
        "“capacity”. Dòng đầu của tệp có các cột: “khoa_hoc”, “dia_diem”. Dấu phân cách: "
        "dấu chấm phẩy."
    ) in response.content.decode()
    assert not Offering.objects.exists()


def test_the_offerings_upload_accepts_csv_and_xlsx(manager_client) -> None:
    page = manager_client.get(reverse("offerings_import")).content.decode()

    assert (
        'accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet"'
    ) in page


# --- attendance ----------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, personas):
    with_mfa(personas.center_staff)
    client.force_login(personas.center_staff)
    return client


@pytest.fixture
def staff_center(personas):
    return personas.center_staff.memberships.get().organization


def _marks_rows(klass) -> list[list[object]]:
    first, second, third = (str(enrollment.public_id) for enrollment in klass.enrollments)
    return [
        ["MA_DANG_KY", "ho_ten", "so_dien_thoai", "trang_thai", "ghi_chu"],
        [first, "Học viên 01", "+84912345678", "Có mặt", ""],
        [second, "Học viên 02", 912345678, "vắng có phép", "Ốm; có giấy, đã báo"],
        [third, "Học viên 03", "", "x", ""],
    ]


def _stored_marks() -> list[tuple]:
    return sorted(
        AttendanceMark.objects.values_list(
            "enrollment__learner__citizen_profile__full_name", "status", "note", "source"
        )
    )


@pytest.mark.parametrize("file_format", FORMATS)
def test_attendance_imports_identically_from_every_format(
    staff_client, staff_center, file_format
) -> None:
    klass = class_make(staff_center, learners=3)

    response = staff_client.post(
        reverse("session_import", args=[klass.current.public_id]),
        {"file": spreadsheet_upload(_marks_rows(klass), file_format, "diem-danh")},
    )

    assert response.status_code == 200
    assert "Đã ghi 3 điểm danh; 0 không đổi." in response.content.decode()
    assert _stored_marks() == [
        ("Học viên 01", "present", "", "import"),
        ("Học viên 02", "excused", "Ốm; có giấy, đã báo", "import"),
        ("Học viên 03", "present", "", "import"),
    ]


@pytest.mark.parametrize("encoding", ["utf16", "cp1258"])
def test_an_attendance_file_that_is_not_utf8_is_refused_and_writes_nothing(
    staff_client, staff_center, encoding
) -> None:
    klass = class_make(staff_center, learners=3)

    response = staff_client.post(
        reverse("session_import", args=[klass.current.public_id]),
        {"file": spreadsheet_upload(_marks_rows(klass), encoding)},
    )

    assert response.status_code == 200
    assert SAVE_AS_UTF8 in response.content.decode()
    assert not AttendanceMark.objects.exists()


@pytest.mark.parametrize(
    ("note", "error"),
    [
        (
            "Ốm\x00",
            "Cột “ghi_chu” chứa ký tự không hợp lệ (NUL). Hãy xóa ký tự đó rồi lưu lại tệp.",
        ),
        ("x" * 200_000, "Cột “ghi_chu” dài 200.000 ký tự; tối đa 1.000 ký tự một ô."),
    ],
    ids=["nul", "200000-characters"],
)
def test_a_hostile_attendance_cell_is_a_row_error_and_nothing_is_written(
    staff_client, staff_center, note, error
) -> None:
    klass = class_make(staff_center, learners=2)
    rows = [
        ["ma_dang_ky", "trang_thai", "ghi_chu"],
        [str(klass.enrollments[0].public_id), "có mặt", ""],
        [str(klass.enrollments[1].public_id), "vắng", note],
    ]

    response = staff_client.post(
        reverse("session_import", args=[klass.current.public_id]),
        {"file": spreadsheet_upload(rows, "comma")},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "1 dòng lỗi: chưa ghi điểm danh nào" in body
    assert f'<span class="errors">{error}</span>' in body
    assert not AttendanceMark.objects.exists()


def test_the_attendance_upload_accepts_csv_and_xlsx(staff_client, staff_center) -> None:
    klass = class_make(staff_center, learners=1)

    page = staff_client.get(
        reverse("session_import", args=[klass.current.public_id])
    ).content.decode()

    assert 'accept=".csv,.xlsx,' in page
    assert reverse("session_export", args=[klass.current.public_id]) in page
    assert reverse("session_export_xlsx", args=[klass.current.public_id]) in page


@pytest.fixture
def other_center(personas):
    return personas.other_center_staff.memberships.get().organization


def _seat_code(kind: str, klass, staff_center, other_center) -> str:
    """The code of a seat that is not one of `klass`'s: another class of the same center,
    a class of another center, a cancelled seat of this class, or no seat at all."""
    if kind == "another_class":
        return str(class_make(staff_center, learners=1, title="Tiếng Anh").enrollments[0].public_id)
    if kind == "another_center":
        return str(class_make(other_center, learners=1).enrollments[0].public_id)
    if kind == "cancelled_seat":
        cancelled = klass.enrollments[1]
        Enrollment.objects.filter(pk=cancelled.pk).update(status=EnrollmentStatus.CANCELLED)
        return str(cancelled.public_id)
    return "4f0c8a4e-0d7f-4d55-9a8b-2a3a6f7d1e90"


@pytest.mark.parametrize("kind", ["another_class", "another_center", "cancelled_seat", "unknown"])
def test_a_code_that_is_not_a_seat_of_this_class_is_an_error_of_its_row_naming_the_line(
    staff_client, staff_center, other_center, kind
) -> None:
    klass = class_make(staff_center, learners=2)
    code = _seat_code(kind, klass, staff_center, other_center)
    rows = [
        ["ma_dang_ky", "ho_ten", "trang_thai"],
        [str(klass.enrollments[0].public_id), "Học viên 01", "có mặt"],
        [code, "Người lạ", "vắng"],
    ]

    response = staff_client.post(
        reverse("session_import", args=[klass.current.public_id]),
        {"file": spreadsheet_upload(rows, "comma")},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "1 dòng lỗi: chưa ghi điểm danh nào" in body
    assert (
        f'<span class="errors">Dòng 3: mã {code} không thuộc lớp này. Hãy dùng mã trong tệp '
        "mẫu của buổi học (cột ma_dang_ky).</span>"
    ) in body
    assert "Yêu cầu có học viên hoặc buổi học không thuộc trung tâm của bạn" not in body
    assert not AttendanceMark.objects.exists()
    assert not AuditEvent.objects.filter(action="attendance.refused").exists()


def test_a_foreign_code_on_a_row_left_blank_is_still_an_error_of_its_row(
    staff_client, staff_center, other_center
) -> None:
    klass = class_make(staff_center, learners=1)
    foreign = str(class_make(other_center, learners=1).enrollments[0].public_id)
    rows = [
        ["ma_dang_ky", "ho_ten", "trang_thai"],
        [str(klass.enrollments[0].public_id), "Học viên 01", "có mặt"],
        [foreign, "Người lạ", ""],
    ]

    response = staff_client.post(
        reverse("session_import", args=[klass.current.public_id]),
        {"file": spreadsheet_upload(rows, "comma")},
    )

    body = response.content.decode()
    assert "1 dòng lỗi: chưa ghi điểm danh nào" in body
    assert f"Dòng 3: mã {foreign} không thuộc lớp này." in body
    assert "Bỏ trống: giữ nguyên" not in body
    assert not AttendanceMark.objects.exists()


def test_a_foreign_code_is_reported_in_the_preview_beside_another_bad_row(
    staff_client, staff_center, other_center
) -> None:
    klass = class_make(staff_center, learners=1)
    foreign = str(class_make(other_center, learners=1).enrollments[0].public_id)
    rows = [
        ["ma_dang_ky", "ho_ten", "trang_thai"],
        [foreign, "Người lạ", "có mặt"],
        [str(klass.enrollments[0].public_id), "Học viên 01", "ngủ gật"],
    ]

    response = staff_client.post(
        reverse("session_import", args=[klass.current.public_id]),
        {"file": spreadsheet_upload(rows, "xlsx")},
    )

    body = response.content.decode()
    assert "2 dòng lỗi: chưa ghi điểm danh nào" in body
    assert f"Dòng 2: mã {foreign} không thuộc lớp này." in body
    assert "Cột trang_thai: không hiểu “ngủ gật”" in body
    assert "Hợp lệ" not in body
    assert not AttendanceMark.objects.exists()


# --- attendance exports --------------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://x","Bấm vào")'
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture
def hostile_class(staff_center):
    klass = class_make(staff_center, learners=2)
    for enrollment, name in zip(klass.enrollments, [HYPERLINK, AT_SUM], strict=True):
        profile = enrollment.learner.citizen_profile
        profile.full_name = name
        profile.phone = "+84912345678"
        profile.save()
    return klass


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _cell_text(cell) -> str:
    """A cell as CSV writes it: "" for an empty cell, a count as its digits."""
    return "" if cell.value is None else str(cell.value)


def _xlsx_cells(response) -> list[list]:
    worksheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(row) for row in worksheet.iter_rows()]


@pytest.mark.parametrize(
    ("csv_name", "xlsx_name", "target"),
    [
        ("session_export", "session_export_xlsx", "session"),
        ("offering_export", "offering_export_xlsx", "offering"),
    ],
)
def test_attendance_exports_have_the_same_rows_in_csv_and_xlsx(
    staff_client, hostile_class, csv_name, xlsx_name, target
) -> None:
    public_id = (
        hostile_class.current.public_id if target == "session" else hostile_class.offering.public_id
    )

    as_csv = staff_client.get(reverse(csv_name, args=[public_id]))
    as_xlsx = staff_client.get(reverse(xlsx_name, args=[public_id]))

    assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv.content.startswith("\ufeff".encode())
    assert as_xlsx.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert as_xlsx.headers["Content-Disposition"].endswith('.xlsx"')
    csv_rows = _csv_rows(as_csv)
    xlsx_rows = [[_cell_text(cell) for cell in row] for row in _xlsx_cells(as_xlsx)]
    unguarded = [[value.removeprefix("'") for value in row] for row in csv_rows]
    assert unguarded == xlsx_rows
    assert len(xlsx_rows) == 3


def test_exported_phone_numbers_are_readable_and_names_cannot_run(
    staff_client, hostile_class
) -> None:
    public_id = hostile_class.current.public_id

    csv_rows = _csv_rows(staff_client.get(reverse("session_export", args=[public_id])))
    xlsx_rows = _xlsx_cells(staff_client.get(reverse("session_export_xlsx", args=[public_id])))

    by_name = {row[1]: row for row in csv_rows[1:]}
    assert set(by_name) == {"'" + HYPERLINK, "'" + AT_SUM}
    assert {row[2] for row in csv_rows[1:]} == {"+84912345678"}
    cells = {row[1].value: row for row in xlsx_rows[1:]}
    assert set(cells) == {HYPERLINK, AT_SUM}
    for row in cells.values():
        assert (row[1].data_type, row[2].data_type) == ("s", "s")
        assert row[2].value == "+84912345678"


def test_the_roster_links_both_export_formats(staff_client, staff_center) -> None:
    klass = class_make(staff_center, learners=1)

    page = staff_client.get(
        reverse("session_roster", args=[klass.current.public_id])
    ).content.decode()

    for name, public_id in [
        ("session_export", klass.current.public_id),
        ("session_export_xlsx", klass.current.public_id),
        ("offering_export", klass.offering.public_id),
        ("offering_export_xlsx", klass.offering.public_id),
    ]:
        assert f'href="{reverse(name, args=[public_id])}"' in page


# The four statuses of the current session, learner by learner, and their notes.
MARKED = [("present", ""), ("late", "Kẹt xe"), ("excused", "Ốm, có giấy"), ("absent", "")]
LABELS = {
    "vi": ["Có mặt", "Đến muộn", "Vắng có phép", "Vắng"],
    "en": ["Present", "Late", "Excused", "Absent"],
}


@pytest.fixture
def marked_class(staff_center, personas):
    """Five learners; the first four marked at the current session by the roster (one each
    of the four statuses), the fifth not marked."""
    klass = class_make(staff_center, learners=5)
    marks_record(
        actor=personas.center_staff,
        marks=[
            MarkInput(
                session_id=klass.current.public_id,
                enrollment_id=enrollment.public_id,
                status=status,
                note=note,
            )
            for enrollment, (status, note) in zip(klass.enrollments, MARKED, strict=False)
        ],
        source=MarkSource.ROSTER,
    )
    return klass


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_session_export_writes_each_status_as_people_read_it_in_the_active_language(
    staff_client, marked_class, language
) -> None:
    staff_client.cookies["learnprofile_language"] = language

    rows = _csv_rows(
        staff_client.get(reverse("session_export", args=[marked_class.current.public_id]))
    )

    assert [row[3] for row in rows[1:]] == [*LABELS[language], ""]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_class_export_writes_each_status_as_people_read_it_in_the_active_language(
    staff_client, marked_class, language
) -> None:
    staff_client.cookies["learnprofile_language"] = language

    rows = _csv_rows(
        staff_client.get(reverse("offering_export", args=[marked_class.offering.public_id]))
    )

    # ma_dang_ky, ho_ten, so_dien_thoai, three sessions (the current one last), two counts
    assert [row[3:6] for row in rows[1:]] == [["", "", label] for label in [*LABELS[language], ""]]


def test_the_class_export_counts_are_number_cells_in_xlsx(staff_client, marked_class) -> None:
    cells = _xlsx_cells(
        staff_client.get(reverse("offering_export_xlsx", args=[marked_class.offering.public_id]))
    )

    assert [cell.value for cell in cells[0][-2:]] == ["so_buoi_co_mat", "so_buoi_vang_co_phep"]
    assert [[cell.value for cell in row[-2:]] for row in cells[1:]] == [
        [1, 0],
        [1, 0],
        [0, 1],
        [0, 0],
        [0, 0],
    ]
    assert {cell.data_type for row in cells[1:] for cell in row[-2:]} == {"n"}
    assert {row[1].data_type for row in cells[1:]} == {"s"}


def _stored_current_marks() -> list[tuple]:
    return sorted(
        AttendanceMark.objects.values_list(
            "enrollment_id", "status", "note", "source", "marked_at", "updated_at"
        )
    )


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    ("export_name", "suffix"), [("session_export", "csv"), ("session_export_xlsx", "xlsx")]
)
def test_an_exported_session_reimports_unchanged(
    staff_client, marked_class, language, export_name, suffix
) -> None:
    staff_client.cookies["learnprofile_language"] = language
    session_id = marked_class.current.public_id
    exported = staff_client.get(reverse(export_name, args=[session_id]))
    before, changes_before = _stored_current_marks(), AttendanceChange.objects.count()

    response = staff_client.post(
        reverse("session_import", args=[session_id]),
        {
            "file": SimpleUploadedFile(
                f"diem-danh.{suffix}", exported.content, exported.headers["Content-Type"]
            )
        },
    )

    report = response.context["report"]
    assert (report.file_errors, report.failed) == ([], 0)
    assert (report.written.created, report.written.changed, report.written.unchanged) == (0, 0, 4)
    assert _stored_current_marks() == before
    assert AttendanceChange.objects.count() == changes_before


@pytest.mark.parametrize(
    "text",
    [
        "Vắng có phép",
        "VẮNG CÓ PHÉP",
        "  vắng có phép ",
        unicodedata.normalize("NFD", "Vắng có phép"),
        "vang co phep",
        "Excused",
        "EXCUSED",
        "excused",
    ],
)
def test_the_import_reads_a_status_in_either_language_any_case_and_form(
    staff_client, staff_center, text
) -> None:
    klass = class_make(staff_center, learners=1)
    rows = [["ma_dang_ky", "trang_thai"], [str(klass.enrollments[0].public_id), text]]

    staff_client.post(
        reverse("session_import", args=[klass.current.public_id]),
        {"file": spreadsheet_upload(rows, "comma")},
    )

    assert list(AttendanceMark.objects.values_list("status", flat=True)) == ["excused"]


def test_a_malformed_code_is_an_error_naming_its_line_like_a_foreign_one(
    staff_client, staff_center
) -> None:
    klass = class_make(staff_center, learners=1)
    rows = [
        ["ma_dang_ky", "ho_ten", "trang_thai"],
        [str(klass.enrollments[0].public_id), "Học viên 01", "có mặt"],
        ["khong-phai-ma", "Người lạ", "vắng"],
    ]

    response = staff_client.post(
        reverse("session_import", args=[klass.current.public_id]),
        {"file": spreadsheet_upload(rows, "comma")},
    )

    body = response.content.decode()
    assert (
        '<span class="errors">Dòng 3: mã đăng ký (cột ma_dang_ky) trống hoặc không hợp lệ.</span>'
    ) in body
    assert not AttendanceMark.objects.exists()


def test_rows_of_an_import_that_changed_nothing_are_not_said_to_be_written(
    staff_client, staff_center
) -> None:
    klass = class_make(staff_center, learners=1)
    rows = [
        ["ma_dang_ky", "ho_ten", "trang_thai"],
        [str(klass.enrollments[0].public_id), "Học viên 01", "có mặt"],
    ]
    url = reverse("session_import", args=[klass.current.public_id])
    staff_client.post(url, {"file": spreadsheet_upload(rows, "comma")})

    again = staff_client.post(url, {"file": spreadsheet_upload(rows, "comma")}).content.decode()

    assert "Đã ghi 0 điểm danh; 1 không đổi." in again
    assert "Đã xử lý" in again
