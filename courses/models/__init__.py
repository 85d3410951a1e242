"""The models of courses, by area: the catalog (courses, offerings, sessions), enrollment,
attendance and walk-in learners. Everything is imported from `courses.models`."""

from courses.models.attendance import (
    ATTENDANCE_STATUS_VALUES,
    ATTENDED_STATUSES,
    AttendanceChange,
    AttendanceMark,
    AttendanceStatus,
    MarkSource,
)
from courses.models.catalog import (
    SESSION_MAX_DURATION,
    Course,
    CourseLevel,
    CourseMode,
    InstructionLanguage,
    Offering,
    OfferingStatus,
    Session,
)
from courses.models.enrollment import (
    ENROLLMENT_OPEN_STATUSES,
    CompletionStatus,
    Enrollment,
    EnrollmentStatus,
)
from courses.models.walk_ins import WalkInClaim, WalkInLearner

__all__ = [
    "ATTENDANCE_STATUS_VALUES",
    "ATTENDED_STATUSES",
    "ENROLLMENT_OPEN_STATUSES",
    "SESSION_MAX_DURATION",
    "AttendanceChange",
    "AttendanceMark",
    "AttendanceStatus",
    "CompletionStatus",
    "Course",
    "CourseLevel",
    "CourseMode",
    "Enrollment",
    "EnrollmentStatus",
    "InstructionLanguage",
    "MarkSource",
    "Offering",
    "OfferingStatus",
    "Session",
    "WalkInClaim",
    "WalkInLearner",
]
