"""Writes to a class's schedule: its sessions' times (a span past midnight ends the next
day), a weekly pattern of sessions, moving a session and cancelling one not yet held. Each
function owns its transaction, checks that the actor manages the course's center, and writes
an audit row; learners hear of a change to a session still to come (courses.notices)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import notices
from courses.models import SESSION_MAX_DURATION, AttendanceMark, Offering, OfferingStatus, Session
from courses.services.catalog import OfferingNotEditable, _require_manager
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, NotFound
from learnprofile.formatting import date_for_people, long_datetime_for_people

MAX_RECURRING_SESSIONS = 200


def session_span(day: date, starts_at: time, ends_at: time) -> tuple[datetime, datetime]:
    """The aware start and end (the current time zone, Asia/Ho_Chi_Minh) of a session held
    on `day` from `starts_at` to `ends_at`, local wall-clock times. An end earlier than the
    start is the next day (21:00-00:30 ends at 00:30 the day after). Raises ValidationError
    (on `ends_at`) when the end equals the start or the session would last longer than
    SESSION_MAX_DURATION (12 hours)."""
    if ends_at == starts_at:
        raise ValidationError({"ends_at": [_("Giờ kết thúc phải khác giờ bắt đầu.")]})
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, starts_at, tzinfo=zone)
    end_day = day if ends_at > starts_at else day + timedelta(days=1)
    end = datetime.combine(end_day, ends_at, tzinfo=zone)
    session_duration_check(start, end)
    return start, end


def session_duration_check(starts_at: datetime, ends_at: datetime) -> None:
    """Raises ValidationError (on `ends_at`) unless 0 < ends_at - starts_at <= 12 hours."""
    if ends_at == starts_at:
        raise ValidationError({"ends_at": [_("Giờ kết thúc phải khác giờ bắt đầu.")]})
    if not timedelta(0) < ends_at - starts_at <= SESSION_MAX_DURATION:
        raise ValidationError(
            {
                "ends_at": [
                    _(
                        "Một buổi học dài tối đa %(hours)d giờ. Giờ kết thúc sớm hơn giờ bắt "
                        "đầu được hiểu là ngày hôm sau (ví dụ từ 21:00 đến 00:30)."
                    )
                    % {"hours": SESSION_MAX_DURATION // timedelta(hours=1)}
                ]
            }
        )


@dataclass(frozen=True)
class Recurrence:
    """ "Every Tuesday and Thursday 19:00-21:00 for 8 weeks from 2 March"; local times, and
    an end earlier than the start is the next day ("every Saturday 21:00-00:30")."""

    weekdays: frozenset[int]  # Monday is 0
    starts_at: time
    ends_at: time
    first_day: date
    weeks: int
    room: str = ""

    def session_times(self) -> list[tuple[datetime, datetime]]:
        """Raises ValidationError as session_span does."""
        days = (self.first_day + timedelta(days=offset) for offset in range(self.weeks * 7))
        return [
            session_span(day, self.starts_at, self.ends_at)
            for day in days
            if day.weekday() in self.weekdays
        ]


@transaction.atomic
def sessions_add_recurring(
    *, actor: Any, offering: Offering, recurrence: Recurrence
) -> list[Session]:
    """Add the sessions of a weekly pattern; a time already planned is kept, not doubled.
    Idempotent. Raises NotPermitted, ValidationError (bad times, a first day already past, a
    session outside the offering's dates, too many sessions)."""
    offering = Offering.objects.select_for_update().select_related("course").get(pk=offering.pk)
    _require_manager(actor, offering.course.provider_id)
    if offering.status in (OfferingStatus.CANCELLED, OfferingStatus.FINISHED):
        raise OfferingNotEditable(_("Không thể thêm buổi học cho lớp đã hủy hoặc đã kết thúc."))
    if not recurrence.weekdays:
        raise ValidationError({"weekdays": [_("Hãy chọn ít nhất một ngày trong tuần.")]})
    session_span(recurrence.first_day, recurrence.starts_at, recurrence.ends_at)
    if not 1 <= recurrence.weeks <= 52:
        raise ValidationError({"weeks": [_("Số tuần phải từ 1 đến 52.")]})
    if recurrence.first_day < timezone.localdate():
        raise ValidationError({"first_day": [_("Ngày bắt đầu lịch học đã qua.")]})
    times = recurrence.session_times()
    now = timezone.now()
    over = [starts_at for starts_at, _ends_at in times if starts_at <= now]
    if over:
        raise ValidationError(
            {
                "first_day": [
                    _("Buổi học lúc %(when)s đã qua; hãy bắt đầu lịch từ một buổi sắp tới.")
                    % {"when": long_datetime_for_people(over[0])}
                ]
            }
        )
    for starts_at, _ends_at in times:
        _session_in_offering_dates(offering, starts_at, field="first_day")
    if len(times) > MAX_RECURRING_SESSIONS:
        raise ValidationError(
            {"weeks": [_("Tối đa %(count)d buổi học.") % {"count": MAX_RECURRING_SESSIONS}]}
        )
    sessions = Session.objects.bulk_create(
        [
            Session(offering=offering, starts_at=starts_at, ends_at=ends_at, room=recurrence.room)
            for starts_at, ends_at in times
        ],
        ignore_conflicts=True,
    )
    audit_record(
        actor=actor,
        action="offering.sessions_added",
        object_type="offering",
        object_id=offering.public_id,
        details={"count": len(times)},
    )
    return sessions


def _session_in_offering_dates(offering: Offering, starts_at: datetime, *, field: str) -> None:
    """Raises ValidationError (on `field`) unless the session starts on a day of the
    offering (from starts_on to ends_on, local dates)."""
    day = timezone.localtime(starts_at).date()
    if not offering.starts_on <= day <= offering.ends_on:
        raise ValidationError(
            {
                field: [
                    _(
                        "Các buổi học phải nằm trong thời gian của lớp, từ %(start)s đến "
                        "%(end)s; buổi ngày %(day)s nằm ngoài."
                    )
                    % {
                        "start": date_for_people(offering.starts_on),
                        "end": date_for_people(offering.ends_on),
                        "day": date_for_people(day),
                    }
                ]
            }
        )


def _session_locked(actor: Any, session: Session) -> tuple[Offering, Session]:
    """The session's offering and the session, locked, for a manager of its center; the
    session as it is now (another manager may have moved it). Raises NotPermitted,
    NotFound, OfferingNotEditable."""
    offering = (
        Offering.objects.select_for_update().select_related("course").get(pk=session.offering_id)
    )
    _require_manager(actor, offering.course.provider_id)
    current = Session.objects.filter(pk=session.pk).first()
    if current is None:
        raise NotFound(_("Không tìm thấy buổi học."))
    if offering.status in (OfferingStatus.CANCELLED, OfferingStatus.FINISHED):
        raise OfferingNotEditable(_("Không thể đổi lịch của lớp đã hủy hoặc đã kết thúc."))
    current.offering = offering
    return offering, current


def _learners_told(offering: Offering, session: Session) -> bool:
    """Learners hear of a change to a session still to come of a class they can see."""
    return offering.status == OfferingStatus.PUBLISHED and session.starts_at > timezone.now()


@transaction.atomic
def session_reschedule(
    *, actor: Any, session: Session, starts_at: datetime, ends_at: datetime, room: str, reason: str
) -> Session:
    """Move a session (or change its room); everyone enrolled is told, once per change.
    Raises NotPermitted, NotFound, OfferingNotEditable, Conflict (attendance already taken),
    ValidationError (bad times, a session already at that time)."""
    offering, session = _session_locked(actor, session)
    if AttendanceMark.objects.filter(session_id=session.pk).exists():
        raise Conflict(_("Buổi học đã có điểm danh nên không thể đổi lịch."))
    session_duration_check(starts_at, ends_at)
    if starts_at <= timezone.now():
        raise ValidationError(
            {"starts_at": [_("Chỉ có thể dời buổi học sang một thời điểm sắp tới.")]}
        )
    _session_in_offering_dates(offering, starts_at, field="day")
    clash = Session.objects.filter(offering=offering, starts_at=starts_at).exclude(pk=session.pk)
    if clash.exists():
        raise ValidationError({"starts_at": [_("Lớp đã có một buổi học vào giờ này.")]})
    room = " ".join(room.split())[:100]
    reason = " ".join(reason.split())[:300]
    before = session.starts_at
    if (before, session.ends_at, session.room) == (starts_at, ends_at, room):
        return session
    was_told = _learners_told(offering, session)
    session.starts_at, session.ends_at, session.room = starts_at, ends_at, room
    session.save(update_fields=["starts_at", "ends_at", "room"])
    moved = audit_record(
        actor=actor,
        action="offering.session_moved",
        object_type="offering",
        object_id=offering.public_id,
        details={"from": before.isoformat(), "to": starts_at.isoformat(), "room": room},
    )
    if was_told or _learners_told(offering, session):
        notices.session_changed_notices_on_commit(
            session=session, event="moved", before=before, reason=reason, change_id=moved.pk
        )
    return session


@transaction.atomic
def session_delete(*, actor: Any, session: Session, reason: str = "") -> None:
    """Cancel a session that has not been held: it is removed and everyone enrolled is told.
    Raises NotPermitted, NotFound, Conflict (attendance already taken)."""
    offering = (
        Offering.objects.select_for_update().select_related("course").get(pk=session.offering_id)
    )
    _require_manager(actor, offering.course.provider_id)
    if AttendanceMark.objects.filter(session_id=session.pk).exists():
        # The marks are proof of learning (and PROTECT the session); a held session stays.
        raise Conflict(_("Buổi học đã có điểm danh nên không thể xóa."))
    session.offering = offering
    told = _learners_told(offering, session)
    if told:
        # Told before the row goes: the notice names the session by its id and time.
        notices.session_changed_notices_on_commit(
            session=session,
            event="cancelled",
            before=session.starts_at,
            reason=" ".join(reason.split())[:300],
        )
    if not Session.objects.filter(pk=session.pk).delete()[0]:
        raise NotFound(_("Không tìm thấy buổi học."))
    audit_record(
        actor=actor,
        action="offering.session_deleted",
        object_type="offering",
        object_id=offering.public_id,
        details={"starts_at": session.starts_at.isoformat(), "learners_told": told},
    )
