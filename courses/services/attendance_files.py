"""Attendance as a spreadsheet: export a session or a whole offering (CSV or .xlsx), import
a session's marks (CSV or .xlsx, read by learnprofile.spreadsheets).

The session export is also the import template: staff fill the `trang_thai` column in a
spreadsheet (or copy a paper roster into it) and upload it. Statuses are written as the labels
people read, in the active language ("Có mặt", "Vắng có phép"; "Present", "Excused"), and the
import reads them back in either language, with or without diacritics, in any case, as well
as the codes (`present`) and a paper roster's letters: an exported file re-imports unchanged.

An import writes all its rows or none: any bad row (a code that is not one of this class's
seats, a status it cannot read) is reported with its line and nothing is written, so a
half-imported roster never exists. Exported CSV cells that a spreadsheet would run as a
formula are neutralised; in .xlsx the counts are number cells and every text a text cell.
"""

import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses import selectors
from courses.models import AttendanceStatus, MarkSource, Offering, Session
from courses.services.attendance import MarkInput, MarkReport, marks_record
from learnprofile.formatting import datetime_for_people, number_for_people
from learnprofile.spreadsheets import SpreadsheetRefused, spreadsheet_read
from learnprofile.text import fold

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


@cache
def _status_by_word() -> dict[str, str]:
    """STATUS_BY_WORD plus each status's label in every language of the site, folded
    (`learnprofile.text.fold`: lower case, no diacritics): what the export writes in any
    language reads back as its status. Computed once per process (the catalogs are fixed)."""
    words: dict[str, str] = dict(STATUS_BY_WORD)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for status in AttendanceStatus:
                words.setdefault(fold(str(status.label)), status.value)
    return words


def status_from_text(text: str) -> str | None:
    """The AttendanceStatus value `text` names (a code, a label in Vietnamese or English, with
    or without diacritics, any case, NFC or not, a paper roster's letter), or None."""
    return _status_by_word().get(fold(text))


def status_for_people(status: str) -> str:
    """A mark's status as people read it, in the active language ("Có mặt" / "Present"); ""
    for no mark."""
    if not status:
        return ""
    return str(AttendanceStatus(status).label)


def session_attendance_rows(*, session: Session) -> list[list[Any]]:
    """The session's roster, header first (COLUMNS), for learnprofile.spreadsheets.csv_text
    or xlsx_bytes: one row per learner with their current mark."""
    rows: list[list[Any]] = [list(COLUMNS)]
    for row in selectors.session_roster(session=session):
        rows.append(
            [
                row.enrollment.public_id,
                row.person.full_name if row.person else "",
                row.person.phone if row.person else "",
                status_for_people(row.mark.status) if row.mark else "",
                row.mark.note if row.mark else "",
            ]
        )
    return rows


def offering_attendance_rows(*, offering: Offering) -> list[list[Any]]:
    """The offering's attendance, header first: one row per learner, a column per session
    (headed by its start in Vietnam's time, each cell the status's label in the active
    language) and the counts (int) of attended and excused sessions."""
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
                *(status_for_people(status) for status in statuses),
                sum(
                    1
                    for status in statuses
                    if status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
                ),
                sum(1 for status in statuses if status == AttendanceStatus.EXCUSED),
            ]
        )
    return rows


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


_CODE_INVALID = gettext_lazy("Dòng %(line)s: mã đăng ký (cột ma_dang_ky) trống hoặc không hợp lệ.")


def _seat_id(
    row: MarkImportRow, text: str, seat_ids: set[uuid.UUID], *, needed: bool
) -> uuid.UUID | None:
    """The enrollment the row's ma_dang_ky names, if it is one of `seat_ids` (this session's
    seats); otherwise an error on `row` naming its line, and None. An empty code is an error
    only when the row has a status (`needed`): a blank line of the template is left alone."""
    if not text:
        if needed:
            row.errors.append(_CODE_INVALID % {"line": row.number})
        return None
    try:
        enrollment_id = uuid.UUID(text)
    except ValueError:
        row.errors.append(_CODE_INVALID % {"line": row.number})
        return None
    if enrollment_id not in seat_ids:
        row.errors.append(
            _(
                "Dòng %(line)s: mã %(code)s không thuộc lớp này. Hãy dùng mã trong tệp mẫu "
                "của buổi học (cột ma_dang_ky)."
            )
            % {"line": row.number, "code": enrollment_id}
        )
        return None
    return enrollment_id


def marks_import_file(
    *, actor: Any, session: Session, content: bytes, file_name: str, content_type: str = ""
) -> MarkImportReport:
    """Import a session's marks from a .csv or .xlsx file (columns ma_dang_ky, trang_thai,
    optional ghi_chu), read by learnprofile.spreadsheets. Every row is checked before anything
    is written: its ma_dang_ky must be a seat of this session's class (an active enrollment;
    another class's or center's code is an error of that row, naming its line), its status one
    `status_from_text` reads. All rows or none: a bad row (a code or status as above, a
    control character, an over-long cell) is reported with its line and nothing is written;
    so is a file of more than IMPORT_MAX_ROWS rows. Raises ForeignIdsRefused (audited) from
    marks_record only if a seat is cancelled between the check and the write."""
    report = MarkImportReport()
    try:
        sheet = spreadsheet_read(
            content=content,
            file_name=file_name,
            content_type=content_type,
            columns=COLUMNS,
            required=("ma_dang_ky", "trang_thai"),
            max_bytes=IMPORT_MAX_BYTES,
            max_rows=IMPORT_MAX_ROWS,
        )
    except SpreadsheetRefused as error:
        report.file_errors.append(str(error.message))
        return report
    if sheet.is_truncated:
        report.file_errors.append(
            _("Tệp có hơn %(count)s dòng.") % {"count": number_for_people(IMPORT_MAX_ROWS)}
        )
        return report
    seat_ids = selectors.session_seat_ids(session=session)
    marks: list[MarkInput] = []
    for sheet_row in sheet.rows:
        if sheet_row.error:
            report.rows.append(MarkImportRow(number=sheet_row.line, errors=[sheet_row.error]))
            continue
        raw = sheet_row.values
        status_text = raw.get("trang_thai", "").strip()
        enrollment_text = raw.get("ma_dang_ky", "").strip()
        if not status_text and not enrollment_text:
            continue
        row = MarkImportRow(number=sheet_row.line, name=raw.get("ho_ten", "").strip()[:150])
        report.rows.append(row)
        enrollment_id = _seat_id(row, enrollment_text, seat_ids, needed=bool(status_text))
        if not status_text:
            continue  # not marked on paper: left as it is
        status = status_from_text(status_text)
        if status is None:
            row.errors.append(
                _("Cột trang_thai: không hiểu “%(value)s” (có mặt, đến muộn, vắng có phép, vắng).")
                % {"value": status_text[:40]}
            )
        if row.errors or enrollment_id is None or status is None:
            continue
        row.status = status
        marks.append(
            MarkInput(
                session_id=session.public_id,
                enrollment_id=enrollment_id,
                status=status,
                note=raw.get("ghi_chu", "")[:300],
            )
        )
    if report.failed or not marks:
        if not marks and not report.failed:
            report.file_errors.append(_("Tệp không có dòng điểm danh nào."))
        return report
    report.written = marks_record(actor=actor, marks=marks, source=MarkSource.IMPORT)
    return report
