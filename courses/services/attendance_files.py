"""Attendance as CSV: export a session or a whole offering, import a session's marks.

The session export is also the import template: staff fill the `trang_thai` column in a
spreadsheet (or copy a paper roster into it) and upload it. An import writes all its rows or
none: any bad row (an unknown learner, a status it cannot read) is reported with its line and
nothing is written, so a half-imported roster never exists. Exported cells that a spreadsheet
would run as a formula are neutralised.
"""

import csv
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from courses import selectors
from courses.models import AttendanceStatus, MarkSource, Offering, Session
from courses.services.attendance import MarkInput, MarkReport, marks_record
from learnprofile.formatting import datetime_for_people, number_for_people
from learnprofile.text import fold, spreadsheet_cell

IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_ROWS = 2000
COLUMNS = ("ma_dang_ky", "ho_ten", "so_dien_thoai", "trang_thai", "ghi_chu")
# What people type in the status column: the codes, the Vietnamese words (with or without
# diacritics), the English words, and the letters of a paper roster.
_STATUS_WORDS = {
    AttendanceStatus.PRESENT: ("present", "co mat", "x", "c", "p"),
    AttendanceStatus.LATE: ("late", "den muon", "di muon", "muon", "m", "l"),
    AttendanceStatus.EXCUSED: ("excused", "vang co phep", "co phep", "p/", "e"),
    AttendanceStatus.ABSENT: ("absent", "vang", "vang khong phep", "k", "a", "v"),
}
STATUS_BY_WORD = {word: status for status, words in _STATUS_WORDS.items() for word in words}


def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([spreadsheet_cell(value) for value in row])
    # A byte order mark, so Excel opens the Vietnamese text as UTF-8.
    return "\ufeff" + buffer.getvalue()


def session_attendance_csv(*, session: Session) -> str:
    rows: list[list[Any]] = [list(COLUMNS)]
    for row in selectors.session_roster(session=session):
        rows.append(
            [
                row.enrollment.public_id,
                row.person.full_name if row.person else "",
                row.person.phone if row.person else "",
                row.mark.status if row.mark else "",
                row.mark.note if row.mark else "",
            ]
        )
    return _csv(rows)


def offering_attendance_csv(*, offering: Offering) -> str:
    sessions, people, marks = selectors.offering_attendance(offering=offering)
    header = ["ma_dang_ky", "ho_ten", "so_dien_thoai"]
    header += [datetime_for_people(session.starts_at) for session in sessions]
    header += ["so_buoi_co_mat", "so_buoi_vang_co_phep"]
    rows: list[list[Any]] = [header]
    for row in people:
        statuses = [marks.get((session.pk, row.enrollment.pk), "") for session in sessions]
        rows.append(
            [
                row.enrollment.public_id,
                row.person.full_name if row.person else "",
                row.person.phone if row.person else "",
                *statuses,
                sum(1 for status in statuses if status in ("present", "late")),
                sum(1 for status in statuses if status == "excused"),
            ]
        )
    return _csv(rows)


@dataclass
class MarkImportRow:
    number: int
    name: str = ""
    status: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class MarkImportReport:
    rows: list[MarkImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    written: MarkReport | None = None

    @property
    def failed(self) -> int:
        return sum(1 for row in self.rows if row.errors)


def marks_import_csv(*, actor: Any, session: Session, content: bytes) -> MarkImportReport:
    """Import a session's marks (columns ma_dang_ky, trang_thai, optional ghi_chu). All rows
    or none. Raises ForeignIdsRefused (an id of another class: audited) from marks_record."""
    report = MarkImportReport()
    if len(content) > IMPORT_MAX_BYTES:
        report.file_errors.append(_("Tệp lớn hơn 1 MB."))
        return report
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.file_errors.append(_("Tệp không được mã hóa UTF-8. Hãy lưu lại dạng “CSV UTF-8”."))
        return report
    if "\x00" in text:
        report.file_errors.append(_("Tệp chứa ký tự không hợp lệ (NUL). Đây không phải tệp CSV."))
        return report
    marks: list[MarkInput] = []
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in ("ma_dang_ky", "trang_thai") if name not in header]
        if missing:
            report.file_errors.append(
                _("Thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)}
            )
            return report
        reader.fieldnames = header
        for number, raw in enumerate(reader, start=2):
            if number - 1 > IMPORT_MAX_ROWS:
                report.file_errors.append(
                    _("Tệp có hơn %(count)s dòng.") % {"count": number_for_people(IMPORT_MAX_ROWS)}
                )
                return report
            status_text = (raw.get("trang_thai") or "").strip()
            enrollment_text = (raw.get("ma_dang_ky") or "").strip()
            if not status_text and not enrollment_text:
                continue
            row = MarkImportRow(number=number, name=(raw.get("ho_ten") or "").strip()[:150])
            report.rows.append(row)
            if not status_text:
                continue  # not marked on paper: left as it is
            try:
                enrollment_id = uuid.UUID(enrollment_text)
            except ValueError:
                row.errors.append(_("Cột ma_dang_ky: mã đăng ký không hợp lệ."))
                continue
            status = STATUS_BY_WORD.get(fold(status_text))
            if status is None:
                row.errors.append(
                    _(
                        "Cột trang_thai: không hiểu “%(value)s” (có mặt, đến muộn, vắng có phép, vắng)."
                    )
                    % {"value": status_text[:40]}
                )
                continue
            row.status = status
            marks.append(
                MarkInput(
                    session_id=session.public_id,
                    enrollment_id=enrollment_id,
                    status=status,
                    note=(raw.get("ghi_chu") or "")[:300],
                )
            )
    except csv.Error as error:
        report.file_errors.append(_("Tệp CSV hỏng: %(error)s") % {"error": str(error)[:100]})
        return report
    if report.failed or not marks:
        if not marks and not report.failed:
            report.file_errors.append(_("Tệp không có dòng điểm danh nào."))
        return report
    report.written = marks_record(actor=actor, marks=marks, source=MarkSource.IMPORT)
    return report
