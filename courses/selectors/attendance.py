"""Reads of attendance: rates, the staff's sessions, a session's roster with its marks."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from courses.models import (
    AttendanceMark,
    Enrollment,
    EnrollmentStatus,
    Offering,
    OfferingStatus,
    Session,
)
from learnprofile.text import fold
from profiles import api as profiles_api
from profiles.data import PersonData


@dataclass(frozen=True)
class AttendanceSummary:
    held: int
    attended: int
    excused: int
    hours: Decimal

    @property
    def counted(self) -> int:
        """Sessions that count: those held, less excused absences."""
        return self.held - self.excused

    def is_below(self, minimum_percent: int) -> bool:
        """Is the rate below `minimum_percent`? Exact (no rounding at the edge); False when
        no session counts."""
        return self.counted > 0 and self.attended * 100 < minimum_percent * self.counted

    @property
    def percent(self) -> Decimal | None:
        if self.counted <= 0:
            return None
        return (Decimal(self.attended * 100) / self.counted).quantize(Decimal("0.1"))


def attendance_summaries(
    *, enrollment_ids: Iterable[int], until: datetime
) -> dict[int, AttendanceSummary]:
    """Per enrollment: sessions held by `until`, attended (present or late), excused, and
    the hours of the sessions attended. One query.

    A session counts as held once it has started and its attendance was taken (anyone in it
    has a mark): a learner without a mark there was absent, but a session whose roster nobody
    filled in counts against no one."""
    ids = list(enrollment_ids)
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT e.id,
                   count(s.id),
                   count(m.id) FILTER (WHERE m.status IN ('present', 'late')),
                   count(m.id) FILTER (WHERE m.status = 'excused'),
                   coalesce(sum(extract(epoch FROM s.ends_at - s.starts_at))
                            FILTER (WHERE m.status IN ('present', 'late')), 0) / 3600.0
              FROM courses_enrollment e
              JOIN courses_session s
                ON s.offering_id = e.offering_id AND s.starts_at <= %s
               AND EXISTS (SELECT 1 FROM courses_attendancemark taken WHERE taken.session_id = s.id)
              LEFT JOIN courses_attendancemark m
                ON m.session_id = s.id AND m.enrollment_id = e.id
             WHERE e.id = ANY(%s)
             GROUP BY e.id
            """,
            [until, ids],
        )
        rows = cursor.fetchall()
    summaries = {enrollment_id: AttendanceSummary(0, 0, 0, Decimal(0)) for enrollment_id in ids}
    for enrollment_id, held, attended, excused, hours in rows:
        summaries[enrollment_id] = AttendanceSummary(
            held=held,
            attended=attended,
            excused=excused,
            hours=Decimal(hours).quantize(Decimal("0.01")),
        )
    return summaries


def staff_sessions(
    *, organization_ids: set[int], now: datetime, days_ahead: int = 7, limit: int = 200
) -> list[Session]:
    """Sessions of these centers' running offerings from the start of today to `days_ahead`
    days on, soonest first (the staff's attendance page)."""
    start = datetime.combine(
        timezone.localdate(now), datetime.min.time(), tzinfo=timezone.get_current_timezone()
    )
    return list(
        Session.objects.filter(
            offering__course__provider_id__in=organization_ids,
            offering__status=OfferingStatus.PUBLISHED,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=days_ahead + 1),
        )
        .select_related("offering__course")
        .order_by("starts_at", "id")[:limit]
    )


@dataclass(frozen=True)
class RosterRow:
    enrollment: Enrollment
    person: PersonData | None
    mark: AttendanceMark | None


def session_seat_ids(*, session: Session) -> set[uuid.UUID]:
    """The public ids of the enrollments holding a seat (active) in the session's offering:
    the codes a session's attendance file may name. One query."""
    return set(
        Enrollment.objects.filter(
            offering_id=session.offering_id, status=EnrollmentStatus.ACTIVE
        ).values_list("public_id", flat=True)
    )


def session_roster(*, session: Session) -> list[RosterRow]:
    """The learners holding a seat in the session's offering, by name, with their mark for
    this session. Four queries whatever the class size."""
    enrollments = list(
        Enrollment.objects.filter(offering_id=session.offering_id, status=EnrollmentStatus.ACTIVE)
    )
    marks = {
        mark.enrollment_id: mark
        for mark in AttendanceMark.objects.filter(
            session=session, enrollment_id__in=[enrollment.pk for enrollment in enrollments]
        )
    }
    people = profiles_api.persons_get(
        user_ids={enrollment.learner_id for enrollment in enrollments}
    )
    rows = [
        RosterRow(enrollment, people.get(enrollment.learner_id), marks.get(enrollment.pk))
        for enrollment in enrollments
    ]
    rows.sort(key=lambda row: (fold(row.person.full_name) if row.person else "", row.enrollment.pk))
    return rows


def offering_attendance(
    *, offering: Offering
) -> tuple[list[Session], list[RosterRow], dict[tuple[int, int], str]]:
    """Every session and seat holder of an offering, with {(session id, enrollment id):
    status} (the offering's CSV export). Four queries."""
    sessions = list(offering.sessions.order_by("starts_at", "id"))
    enrollments = list(
        Enrollment.objects.filter(offering=offering, status=EnrollmentStatus.ACTIVE).order_by("id")
    )
    marks = {
        (session_id, enrollment_id): status
        for session_id, enrollment_id, status in AttendanceMark.objects.filter(
            session__offering=offering
        ).values_list("session_id", "enrollment_id", "status")
    }
    people = profiles_api.persons_get(
        user_ids={enrollment.learner_id for enrollment in enrollments}
    )
    rows = [
        RosterRow(enrollment, people.get(enrollment.learner_id), None) for enrollment in enrollments
    ]
    rows.sort(key=lambda row: (fold(row.person.full_name) if row.person else "", row.enrollment.pk))
    return sessions, rows, marks
