"""CSV import of offerings, with a report per row: a good row is imported, a bad row writes
nothing and says why, in the manager's language."""

import csv
import io
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


def offerings_import_csv(*, actor: Any, organization_id: int, content: bytes) -> ImportReport:
    """Import offerings of the center's courses from CSV (columns IMPORT_COLUMNS; `course` is
    a course title of this center or its id). Each row is its own transaction. Raises
    NotPermitted when the actor does not manage the center; file problems are reported."""
    if organization_id not in permissions.managed_organization_ids(actor):
        raise NotPermitted(_("Bạn không quản lý trung tâm này."))
    report = ImportReport()
    if len(content) > IMPORT_MAX_BYTES:
        report.file_errors.append(_("Tệp lớn hơn 2 MB."))
        return report
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.file_errors.append(_("Tệp không được mã hóa UTF-8. Hãy lưu lại dạng “CSV UTF-8”."))
        return report
    if "\x00" in text:  # PostgreSQL cannot store it; a text file never holds it
        report.file_errors.append(_("Tệp chứa ký tự không hợp lệ (NUL). Đây không phải tệp CSV."))
        return report
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        report.file_errors.append(_("Thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)})
        return report
    reader.fieldnames = header
    courses = {
        course.title.strip().casefold(): course
        for course in Course.objects.filter(provider_id=organization_id)
    }
    courses_by_id = {str(course.public_id): course for course in courses.values()}
    try:
        for number, raw in enumerate(reader, start=2):
            if number - 1 > IMPORT_MAX_ROWS:
                report.file_errors.append(
                    _("Chỉ nhập %(count)s dòng đầu; hãy chia tệp.")
                    % {"count": number_for_people(IMPORT_MAX_ROWS)}
                )
                break
            values = {name: (raw.get(name) or "") for name in IMPORT_COLUMNS}
            if not any(value.strip() for value in values.values()):
                continue
            row = ImportRow(number=number)
            report.rows.append(row)
            try:
                row.offering_id = _import_row(actor, values, courses, courses_by_id)
            except (ValidationError, DomainError) as error:
                row.errors = _messages(error)
    except csv.Error as error:
        report.file_errors.append(_("Tệp CSV hỏng: %(error)s") % {"error": str(error)[:100]})
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
