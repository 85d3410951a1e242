"""Attendance: marking a roster, syncing a tablet's offline marks, the low-attendance notice.

Every write goes through `_marks_apply`, which takes the row locks of the sessions concerned
(in id order) before reading their marks, so two tablets, the roster form and QR check-ins
never interleave on one session. A mark's history is in AttendanceChange (who, when, before,
after, source); an edit that changes nothing writes nothing.

Offline marks carry the device's UUID and time. A UUID seen before changes nothing (the
unique `client_id` keeps that true under concurrency too); two different marks for one learner
and session keep the one made last on its device, and the disagreement is recorded
(`is_conflict`).

Scope: every session and enrollment id of a request must belong to the actor's centers and
to each other; otherwise the whole request is refused, nothing is written, and the attempt
is audited.
"""

import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import notices, permissions
from courses.models import (
    ATTENDANCE_STATUS_VALUES,
    AttendanceChange,
    AttendanceMark,
    Enrollment,
    EnrollmentStatus,
    MarkSource,
    OfferingStatus,
    Session,
)
from courses.selectors import AttendanceSummary, attendance_summaries
from courses.services.attendance_writes import MarkChange, MarkState, marks_write
from learnprofile.audit.services import audit_record
from learnprofile.errors import DomainError, NotFound, NotPermitted
from learnprofile.formatting import number_for_people
from learnprofile.jobs.registry import PermanentJobError, job_handler
from learnprofile.jobs.services import job_enqueue_on_commit
from profiles import api as profiles_api

MAX_MARKS_PER_REQUEST = 2000
LOW_ATTENDANCE = "attendance.low"
# The notice waits until enough sessions count for the rate to mean something.
LOW_ATTENDANCE_MIN_SESSIONS = 2


class ForeignIdsRefused(NotPermitted):
    code = "foreign_ids"
    details: dict[str, Any]


class InvalidMarks(DomainError):
    code = "invalid_marks"
    http_status = 422


@dataclass(frozen=True)
class MarkInput:
    """One proposed mark. `session_id`/`enrollment_id` are public ids."""

    session_id: uuid.UUID
    enrollment_id: uuid.UUID
    status: str
    note: str = ""
    client_id: uuid.UUID | None = None
    marked_at: datetime | None = None


@dataclass
class MarkReport:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    superseded: int = 0
    conflicts: int = 0
    # Per client id (offline sync): "applied", "unchanged", "duplicate" or "superseded".
    results: dict[uuid.UUID, str] = field(default_factory=dict)


def _refuse(actor: Any, *, reason: str, details: dict[str, Any]) -> None:
    """Record a refused attempt in its own transaction (the caller's rolls back)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="attendance.refused",
            object_type="attendance",
            object_id=reason,
            details=details,
        )


def _clean_note(note: str) -> str:
    """One line of at most 300 characters; control characters (a NUL would make PostgreSQL
    refuse the whole batch) become spaces."""
    printable = "".join(
        " " if unicodedata.category(char)[0] == "C" else char for char in note or ""
    )
    return " ".join(printable.split())[:300]


def marks_record(
    *, actor: Any, marks: list[MarkInput], source: str, as_learner: bool = False
) -> MarkReport:
    """Write a batch of marks in one transaction: all of them or, on any refused id or bad
    value, none. Idempotent (a repeated mark or client id changes nothing). Locks the sessions
    concerned, in id order. `as_learner`: the actor marks their own enrollments (QR check-in)
    instead of acting as center staff. Raises ForeignIdsRefused (audited), InvalidMarks."""
    if len(marks) > MAX_MARKS_PER_REQUEST:
        raise InvalidMarks(
            _("Mỗi lần gửi tối đa %(count)s điểm danh.")
            % {"count": number_for_people(MAX_MARKS_PER_REQUEST)}
        )
    bad = [mark for mark in marks if mark.status not in ATTENDANCE_STATUS_VALUES]
    if bad:
        raise InvalidMarks(_("Trạng thái điểm danh không hợp lệ."))
    try:
        with transaction.atomic():
            return _marks_apply(actor=actor, marks=marks, source=source, as_learner=as_learner)
    except ForeignIdsRefused as refusal:
        _refuse(actor, reason="foreign_ids", details=refusal.details)
        raise


class _Seat(NamedTuple):
    pk: int
    offering_id: int
    learner_id: int


def _marks_apply(
    *, actor: Any, marks: list[MarkInput], source: str, as_learner: bool
) -> MarkReport:
    """marks_record's work, inside its transaction: lock the sessions, check every id, merge
    the marks with those stored, write them, queue low-attendance notices, audit."""
    report = MarkReport()
    if not marks:
        return report
    sessions = _sessions_locked({mark.session_id for mark in marks})
    seats = _seats_of(marks, offering_ids={session.offering_id for session in sessions.values()})
    _foreign_ids_refuse(actor, marks, sessions=sessions, seats=seats, as_learner=as_learner)
    now = timezone.now()
    seen = _client_ids_seen([mark.client_id for mark in marks if mark.client_id is not None])
    # Only the marks not seen before are compared with what is stored.
    fresh = [mark for mark in marks if mark.client_id is None or mark.client_id not in seen]
    stored = _stored_marks(fresh, sessions=sessions, seats=seats)
    changes = _marks_merge(
        marks,
        sessions=sessions,
        seats=seats,
        stored=stored,
        seen=seen,
        source=source,
        now=now,
        report=report,
    )
    touched = marks_write(current=stored, changes=changes, actor=actor, source=source, now=now)
    low_attendance_check(enrollment_ids=touched, now=now)
    audit_record(
        actor=actor,
        action="attendance.marked",
        object_type="session" if len(sessions) == 1 else "attendance",
        object_id=next(iter(sessions)) if len(sessions) == 1 else "batch",
        details={
            "source": source,
            "created": report.created,
            "changed": report.changed,
            "superseded": report.superseded,
            "conflicts": report.conflicts,
        },
    )
    return report


def _sessions_locked(session_ids: set[uuid.UUID]) -> dict[uuid.UUID, Session]:
    """The sessions of these public ids that exist, by public id, with their offering and
    course, row-locked in id order."""
    return {
        session.public_id: session
        for session in Session.objects.select_for_update(of=("self",))
        .select_related("offering__course")
        .filter(public_id__in=session_ids)
        .order_by("id")
    }


def _seats_of(marks: list[MarkInput], *, offering_ids: set[int]) -> dict[uuid.UUID, _Seat]:
    """The active enrollments the marks name in these offerings, by public id."""
    return {
        public_id: _Seat(pk, offering_id, learner_id)
        for public_id, pk, offering_id, learner_id in Enrollment.objects.filter(
            public_id__in={mark.enrollment_id for mark in marks},
            offering_id__in=offering_ids,
            status=EnrollmentStatus.ACTIVE,
        ).values_list("public_id", "pk", "offering_id", "learner_id")
    }


def _foreign_ids_refuse(
    actor: Any,
    marks: list[MarkInput],
    *,
    sessions: dict[uuid.UUID, Session],
    seats: dict[uuid.UUID, _Seat],
    as_learner: bool,
) -> None:
    """Raises ForeignIdsRefused (naming up to 20 of each) if a session is unknown or not one
    the actor may mark (any session, for a learner marking their own seat), or an enrollment
    is not an active seat in its mark's session's class (for a learner: not their own)."""
    foreign_sessions = [
        str(public_id)
        for public_id in {mark.session_id for mark in marks}
        if public_id not in sessions
        or not (as_learner or permissions.may_take_attendance(actor, sessions[public_id].offering))
    ]
    foreign_enrollments = sorted(
        {
            str(mark.enrollment_id)
            for mark in marks
            if mark.enrollment_id not in seats
            or mark.session_id not in sessions
            or seats[mark.enrollment_id].offering_id != sessions[mark.session_id].offering_id
            or (as_learner and seats[mark.enrollment_id].learner_id != actor.pk)
        }
    )
    if foreign_sessions or foreign_enrollments:
        refusal = ForeignIdsRefused(
            _(
                "Yêu cầu có học viên hoặc buổi học không thuộc trung tâm của bạn. "
                "Không có điểm danh nào được ghi."
            )
        )
        refusal.details = {
            "sessions": sorted(foreign_sessions)[:20],
            "enrollments": foreign_enrollments[:20],
            "marks": len(marks),
        }
        raise refusal


def _stored_marks(
    marks: list[MarkInput],
    *,
    sessions: dict[uuid.UUID, Session],
    seats: dict[uuid.UUID, _Seat],
) -> dict[tuple[int, int], MarkState]:
    """The stored marks of these marks' sessions and seats, by (session id, enrollment id);
    no query for no marks."""
    if not marks:
        return {}
    return {
        (session_id, enrollment_id): MarkState(pk, status, note, marked_at, updated_at)
        for pk, session_id, enrollment_id, status, note, marked_at, updated_at in (
            AttendanceMark.objects.filter(
                session_id__in={sessions[mark.session_id].pk for mark in marks},
                enrollment_id__in={seats[mark.enrollment_id].pk for mark in marks},
            ).values_list(
                "pk", "session_id", "enrollment_id", "status", "note", "marked_at", "updated_at"
            )
        )
    }


def _marks_merge(
    marks: list[MarkInput],
    *,
    sessions: dict[uuid.UUID, Session],
    seats: dict[uuid.UUID, _Seat],
    stored: dict[tuple[int, int], MarkState],
    seen: set[uuid.UUID],
    source: str,
    now: datetime,
    report: MarkReport,
) -> list[MarkChange]:
    """Merge the proposed marks into `stored` (changed in place), oldest first so that within
    one batch too the mark made last on its device wins; a client id seen before (in `seen`,
    which grows) is a duplicate. Counts into `report`; returns the history rows to append."""
    changes: list[MarkChange] = []
    for proposed in sorted(marks, key=lambda mark: mark.marked_at or now):
        if proposed.client_id is not None:
            if proposed.client_id in seen:
                report.duplicates += 1
                report.results[proposed.client_id] = "duplicate"
                continue
            seen.add(proposed.client_id)
        key = (sessions[proposed.session_id].pk, seats[proposed.enrollment_id].pk)
        note = _clean_note(proposed.note)
        marked_at = min(proposed.marked_at or now, now)
        change = MarkChange(key, "", "", proposed.status, note, proposed.client_id, marked_at)
        outcome = _mark_merge(change, stored, source=source, report=report)
        if outcome != "unchanged" or proposed.client_id is not None:
            # An unchanged mark's row is kept only so that its client id is known next time.
            changes.append(change)
        if proposed.client_id is not None:
            report.results[proposed.client_id] = outcome
    return changes


def _mark_merge(
    change: MarkChange,
    stored: dict[tuple[int, int], MarkState],
    *,
    source: str,
    report: MarkReport,
) -> str:
    """Merge one proposed mark, given as its history row `change` (completed here), into
    `stored`: "applied" (a new mark, or a change), "unchanged", or "superseded" (the stored
    mark was made later and stays). Counts into `report`."""
    existing = stored.get(change.key)
    if existing is None:
        stored[change.key] = MarkState(
            None, change.after_status, change.after_note, change.marked_at, None, written=True
        )
        report.created += 1
        return "applied"
    change.before_status, change.before_note = existing.status, existing.note
    if (existing.status, existing.note) == (change.after_status, change.after_note):
        change.outcome = AttendanceChange.Outcome.UNCHANGED
        report.unchanged += 1
        return "unchanged"
    # Someone else wrote the mark after this device made its own: a conflict.
    change.is_conflict = (
        source == MarkSource.OFFLINE
        and existing.stored_updated_at is not None
        and (existing.marked_at > change.marked_at or existing.stored_updated_at > change.marked_at)
    )
    report.conflicts += int(change.is_conflict)
    if change.marked_at < existing.marked_at:
        change.outcome = AttendanceChange.Outcome.SUPERSEDED
        change.after_status, change.after_note = existing.status, existing.note
        report.superseded += 1
        return "superseded"
    existing.status, existing.note, existing.marked_at = (
        change.after_status,
        change.after_note,
        change.marked_at,
    )
    existing.written = True
    report.changed += 1
    return "applied"


def _client_ids_seen(client_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """The client ids already recorded (one array parameter, not one per id)."""
    if not client_ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_id FROM courses_attendancechange WHERE client_id = ANY(%s::uuid[])",
            [client_ids],
        )
        return {row[0] for row in cursor.fetchall()}


def _below_threshold(summary: AttendanceSummary, minimum_percent: int) -> bool:
    return summary.counted >= LOW_ATTENDANCE_MIN_SESSIONS and summary.is_below(minimum_percent)


def low_attendance_check(*, enrollment_ids: set[int], now: datetime) -> int:
    """Queue the low-attendance notice (a durable job, once per enrollment) for the active
    enrollments whose rate is now below their offering's minimum. Returns how many."""
    if not enrollment_ids:
        return 0
    seats = {
        pk: (public_id, minimum)
        for pk, public_id, minimum in Enrollment.objects.filter(
            pk__in=enrollment_ids,
            status=EnrollmentStatus.ACTIVE,
            offering__status=OfferingStatus.PUBLISHED,
        ).values_list("pk", "public_id", "offering__minimum_attendance_percent")
    }
    summaries = attendance_summaries(enrollment_ids=seats.keys(), until=now)
    queued = 0
    for enrollment_id, summary in summaries.items():
        public_id, minimum = seats[enrollment_id]
        if _below_threshold(summary, minimum):
            job_enqueue_on_commit(
                kind=LOW_ATTENDANCE,
                payload={"enrollment_id": enrollment_id},
                dedupe_key=f"{LOW_ATTENDANCE}:{public_id}",
            )
            queued += 1
    return queued


@job_handler(LOW_ATTENDANCE)
def low_attendance_job(payload: dict[str, Any]) -> None:
    """Check again at run time (still enrolled, still below), then tell the learner."""
    try:
        enrollment_id = int(payload["enrollment_id"])
    except (KeyError, TypeError, ValueError) as error:
        raise PermanentJobError(f"Bad payload: {payload!r}") from error
    enrollment = (
        Enrollment.objects.select_related("offering__course")
        .filter(pk=enrollment_id, status=EnrollmentStatus.ACTIVE)
        .first()
    )
    if enrollment is None or enrollment.offering.status != OfferingStatus.PUBLISHED:
        return
    offering = enrollment.offering
    summary = attendance_summaries(enrollment_ids=[enrollment_id], until=timezone.now())[
        enrollment_id
    ]
    if not _below_threshold(summary, offering.minimum_attendance_percent):
        return
    person = profiles_api.person_get(user_id=enrollment.learner_id)
    if person is None:
        return
    with transaction.atomic():
        notices.low_attendance_notice_on_commit(
            enrollment=enrollment, person=person, summary=summary
        )


def session_for_staff(*, actor: Any, session_id: uuid.UUID) -> Session:
    """A session of one of the actor's centers, else NotFound (also for another center's)."""
    session = (
        Session.objects.select_related("offering__course").filter(public_id=session_id).first()
    )
    if session is None or not permissions.may_take_attendance(actor, session.offering):
        raise NotFound(_("Không tìm thấy buổi học."))
    return session
