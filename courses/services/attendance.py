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
from courses.services.attendance_writes import _Change, _Current, _marks_write
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


def _marks_apply(
    *, actor: Any, marks: list[MarkInput], source: str, as_learner: bool
) -> MarkReport:
    report = MarkReport()
    if not marks:
        return report
    session_ids = {mark.session_id for mark in marks}
    sessions = {
        session.public_id: session
        for session in Session.objects.select_for_update(of=("self",))
        .select_related("offering__course")
        .filter(public_id__in=session_ids)
        .order_by("id")
    }
    foreign_sessions = [
        str(public_id)
        for public_id in session_ids
        if public_id not in sessions
        or not (as_learner or permissions.may_take_attendance(actor, sessions[public_id].offering))
    ]
    offering_ids = {session.offering_id for session in sessions.values()}
    enrollments = {
        public_id: _Seat(pk, offering_id, learner_id)
        for public_id, pk, offering_id, learner_id in Enrollment.objects.filter(
            public_id__in={mark.enrollment_id for mark in marks},
            offering_id__in=offering_ids,
            status=EnrollmentStatus.ACTIVE,
        ).values_list("public_id", "pk", "offering_id", "learner_id")
    }
    foreign_enrollments = sorted(
        {
            str(mark.enrollment_id)
            for mark in marks
            if mark.enrollment_id not in enrollments
            or mark.session_id not in sessions
            or enrollments[mark.enrollment_id].offering_id != sessions[mark.session_id].offering_id
            or (as_learner and enrollments[mark.enrollment_id].learner_id != actor.pk)
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
    now = timezone.now()
    seen = _client_ids_seen([mark.client_id for mark in marks if mark.client_id is not None])
    # Only the marks not seen before are compared with what is stored.
    fresh = [mark for mark in marks if mark.client_id is None or mark.client_id not in seen]
    current = (
        {
            (session_id, enrollment_id): _Current(pk, status, note, marked_at, updated_at)
            for pk, session_id, enrollment_id, status, note, marked_at, updated_at in (
                AttendanceMark.objects.filter(
                    session_id__in={sessions[mark.session_id].pk for mark in fresh},
                    enrollment_id__in={enrollments[mark.enrollment_id].pk for mark in fresh},
                ).values_list(
                    "pk", "session_id", "enrollment_id", "status", "note", "marked_at", "updated_at"
                )
            )
        }
        if fresh
        else {}
    )
    changes: list[_Change] = []
    # Oldest first, so within one batch the mark made last on its device wins too.
    ordered = sorted(marks, key=lambda mark: mark.marked_at or now)
    for proposed in ordered:
        if proposed.client_id is not None:
            if proposed.client_id in seen:
                report.duplicates += 1
                report.results[proposed.client_id] = "duplicate"
                continue
            seen.add(proposed.client_id)
        key = (sessions[proposed.session_id].pk, enrollments[proposed.enrollment_id].pk)
        note = _clean_note(proposed.note)
        marked_at = min(proposed.marked_at or now, now)
        change = _Change(key, "", "", proposed.status, note, proposed.client_id, marked_at)
        existing = current.get(key)
        if existing is None:
            current[key] = _Current(None, proposed.status, note, marked_at, None, written=True)
            changes.append(change)
            report.created += 1
            outcome = "applied"
        elif (existing.status, existing.note) == (proposed.status, note):
            report.unchanged += 1
            outcome = "unchanged"
            if proposed.client_id is not None:
                # Kept so that the same client id is recognised next time.
                change.before_status, change.before_note = existing.status, existing.note
                change.outcome = AttendanceChange.Outcome.UNCHANGED
                changes.append(change)
        else:
            change.before_status, change.before_note = existing.status, existing.note
            # Someone else wrote the mark after this device made its own: a conflict.
            change.is_conflict = (
                source == MarkSource.OFFLINE
                and existing.stored_updated_at is not None
                and (existing.marked_at > marked_at or existing.stored_updated_at > marked_at)
            )
            report.conflicts += int(change.is_conflict)
            if marked_at < existing.marked_at:
                change.outcome = AttendanceChange.Outcome.SUPERSEDED
                change.after_status, change.after_note = existing.status, existing.note
                report.superseded += 1
                outcome = "superseded"
            else:
                existing.status, existing.note, existing.marked_at = (
                    proposed.status,
                    note,
                    marked_at,
                )
                existing.written = True
                report.changed += 1
                outcome = "applied"
            changes.append(change)
        if proposed.client_id is not None:
            report.results[proposed.client_id] = outcome
    touched = _marks_write(current=current, changes=changes, actor=actor, source=source, now=now)
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


class _Seat(NamedTuple):
    pk: int
    offering_id: int
    learner_id: int


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
