"""Import of offerings from a .csv or .xlsx file, with a report per row: a good row is
imported, a bad row writes nothing and says why, in the manager's language."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import permissions
from courses.models import Course
from courses.services.catalog import offering_create, offering_publish
from learnprofile.errors import DomainError, NotPermitted
from learnprofile.formatting import number_for_people
from learnprofile.spreadsheets import SpreadsheetRefused, spreadsheet_read
from profiles import api as profiles_api

IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 5000
IMPORT_COLUMNS = (
    "course",
    "ward_code",
    "venue",
    "starts_on",
    "ends_on",
    "capacity",
    "enrollment_closes_at",
    "minimum_attendance_percent",
    "requires_assessment",
    "publish",
)
REQUIRED_COLUMNS = ("course", "ward_code", "venue", "starts_on", "ends_on", "capacity")
_TRUE = {"1", "yes", "true", "co", "có", "x"}


@dataclass
class ImportRow:
    number: int  # the line in the file (the header is line 1)
    errors: list[str] = field(default_factory=list)
    offering_id: Any = None


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return sum(1 for row in self.rows if not row.errors)

    @property
    def failed(self) -> int:
        return sum(1 for row in self.rows if row.errors)


def _date(value: str, column: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value.strip(), pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise ValidationError(
        _("Cột %(column)s: “%(value)s” không phải ngày (YYYY-MM-DD hoặc DD/MM/YYYY).")
        % {"column": column, "value": value[:40]}
    )


def _datetime(value: str, column: str) -> datetime | None:
    if not value.strip():
        return None
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"):
        try:
            naive = datetime.strptime(value.strip(), pattern)  # noqa: DTZ007 - made aware below
            return timezone.make_aware(naive)
        except ValueError:
            continue
    raise ValidationError(
        _("Cột %(column)s: “%(value)s” không phải ngày giờ (YYYY-MM-DD HH:MM).")
        % {"column": column, "value": value[:40]}
    )


def _integer(value: str, column: str, *, default: int | None = None) -> int:
    value = value.strip()
    if not value and default is not None:
        return default
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        raise ValidationError(
            _("Cột %(column)s: “%(value)s” không phải số nguyên dương.")
            % {"column": column, "value": value[:40]}
        )
    return int(value)


def _messages(error: ValidationError | DomainError) -> list[str]:
    if isinstance(error, DomainError):
        return [str(error.message)]
    if hasattr(error, "error_dict"):
        return [
            f"{name}: {message}" if name != "__all__" else str(message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [str(message) for message in error.messages]


def offerings_import_file(
    *, actor: Any, organization_id: int, content: bytes, file_name: str, content_type: str = ""
) -> ImportReport:
    """Import offerings of the center's courses from a .csv or .xlsx file (columns
    IMPORT_COLUMNS; `course` is a course title of this center or its id), read by
    learnprofile.spreadsheets. Each row is its own transaction: good rows are imported, a bad
    row (including one with a control character or an over-long cell) writes nothing and is
    reported with its line. At most IMPORT_MAX_ROWS rows are imported; the rest are reported.
    Raises NotPermitted when the actor does not manage the center; file problems (size,
    encoding, format, missing columns) are reported in `file_errors` and write nothing."""
    if organization_id not in permissions.managed_organization_ids(actor):
        raise NotPermitted(_("Bạn không quản lý trung tâm này."))
    report = ImportReport()
    try:
        sheet = spreadsheet_read(
            content=content,
            file_name=file_name,
            content_type=content_type,
            columns=IMPORT_COLUMNS,
            required=REQUIRED_COLUMNS,
            max_bytes=IMPORT_MAX_BYTES,
            max_rows=IMPORT_MAX_ROWS,
        )
    except SpreadsheetRefused as error:
        report.file_errors.append(str(error.message))
        return report
    courses = {
        course.title.strip().casefold(): course
        for course in Course.objects.filter(provider_id=organization_id)
    }
    courses_by_id = {str(course.public_id): course for course in courses.values()}
    for sheet_row in sheet.rows:
        if sheet_row.error:
            report.rows.append(ImportRow(number=sheet_row.line, errors=[sheet_row.error]))
            continue
        values = {name: sheet_row.values.get(name, "") for name in IMPORT_COLUMNS}
        if not any(value.strip() for value in values.values()):
            continue
        row = ImportRow(number=sheet_row.line)
        report.rows.append(row)
        try:
            row.offering_id = _import_row(actor, values, courses, courses_by_id)
        except (ValidationError, DomainError) as error:
            row.errors = _messages(error)
    if sheet.is_truncated:
        report.file_errors.append(
            _("Chỉ nhập %(count)s dòng đầu; hãy chia tệp.")
            % {"count": number_for_people(IMPORT_MAX_ROWS)}
        )
    return report


def _import_row(
    actor: Any, values: dict[str, str], courses: dict[str, Course], by_id: dict[str, Course]
) -> Any:
    course = by_id.get(values["course"].strip()) or courses.get(values["course"].strip().casefold())
    if course is None:
        raise ValidationError(
            _("Cột course: không có khóa học “%(value)s” ở trung tâm này.")
            % {"value": values["course"][:80]}
        )
    ward_code = _integer(values["ward_code"], "ward_code")
    ward = profiles_api.administrative_unit_by_code(level="ward", code=ward_code)
    if ward is None:
        raise ValidationError(
            _("Cột ward_code: không có xã/phường mã %(code)s.") % {"code": ward_code}
        )
    fields = {
        "venue": values["venue"].strip(),
        "starts_on": _date(values["starts_on"], "starts_on"),
        "ends_on": _date(values["ends_on"], "ends_on"),
        "capacity": _integer(values["capacity"], "capacity"),
        "enrollment_closes_at": _datetime(values["enrollment_closes_at"], "enrollment_closes_at"),
        "minimum_attendance_percent": _integer(
            values["minimum_attendance_percent"], "minimum_attendance_percent", default=80
        ),
        "requires_assessment": values["requires_assessment"].strip().casefold() in _TRUE,
    }
    with transaction.atomic():
        offering = offering_create(actor=actor, course=course, ward_id=ward.id, **fields)
        if values["publish"].strip().casefold() in _TRUE:
            offering_publish(actor=actor, offering=offering)
    return offering.public_id
