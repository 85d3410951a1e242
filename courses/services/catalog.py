"""Writes to the catalog: courses, offerings, sessions. Each function owns its transaction,
checks that the actor manages the course's center, and writes an audit row."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import notices, permissions
from courses.models import (
    SESSION_MAX_DURATION,
    AttendanceMark,
    Course,
    Offering,
    OfferingStatus,
    Session,
)
from courses.search import search_columns
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, NotFound, NotPermitted
from learnprofile.formatting import date_for_people, long_datetime_for_people
from learnprofile.jobs.services import job_enqueue_on_commit
from profiles import api as profiles_api
from profiles.data import AdministrativeUnitData

COURSE_FIELDS = (
    "title",
    "summary",
    "description",
    "category",
    "tags",
    "level",
    "language",
    "hours",
    "mode",
    "fee",
    "audience",
)
OFFERING_FIELDS = (
    "venue",
    "starts_on",
    "ends_on",
    "capacity",
    "enrollment_opens_at",
    "enrollment_closes_at",
    "minimum_attendance_percent",
    "requires_assessment",
)
MAX_RECURRING_SESSIONS = 200
WAITLIST_PROMOTE = "courses.waitlist_promote"


class OfferingNotEditable(Conflict):
    code = "offering_not_editable"


def _require_manager(actor: Any, organization_id: int) -> None:
    if organization_id not in permissions.managed_organization_ids(actor):
        raise NotPermitted(_("Bạn không quản lý trung tâm này."))


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(tag.split())[:50]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned[:20]


def offering_search_fill(
    offering: Offering,
    *,
    course: Course,
    provider_name: str,
    unit: AdministrativeUnitData | None = None,
) -> None:
    """Copy the course's catalog fields and the folded search text onto an offering (in
    memory; the caller saves, alone or in bulk). `unit` is the offering's ward when the
    caller already has it (bulk writes); otherwise it is read."""
    if unit is None or unit.id != offering.ward_id:
        unit = profiles_api.administrative_unit_get(unit_id=offering.ward_id)
    if unit is None or unit.province_id is None:
        raise ValidationError({"ward": [_("Hãy chọn một xã/phường có trong danh mục.")]})
    offering.province_id = unit.province_id
    offering.category = course.category
    offering.mode = course.mode
    offering.is_free = course.fee == 0
    offering.search_title, offering.search_text = search_columns(
        title=course.title,
        summary=course.summary,
        tags=course.tags,
        provider_name=provider_name,
        venue=offering.venue,
        ward_name=unit.name,
        province_name=unit.province_name or "",
    )


def _provider_name(course: Course) -> str:
    organization = profiles_api.organization_get_by_id(organization_id=course.provider_id)
    return organization.name if organization is not None else ""


@transaction.atomic
def course_create(*, actor: Any, provider_id: int, **fields: Any) -> Course:
    """A draft course for a center the actor manages. Raises NotPermitted, ValidationError."""
    _require_manager(actor, provider_id)
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(f"Not course fields: {sorted(unknown)}")
    course = Course(provider_id=provider_id, **fields)
    course.tags = _clean_tags(course.tags)
    course.full_clean()
    course.save()
    audit_record(
        actor=actor, action="course.created", object_type="course", object_id=course.public_id
    )
    return course


@transaction.atomic
def course_update(*, actor: Any, course: Course, **fields: Any) -> Course:
    """Change a course; its offerings' catalog copies and search text follow in the same
    transaction. Raises NotPermitted, ValidationError."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    _require_manager(actor, course.provider_id)
    changed = {}
    for name, value in fields.items():
        if name not in COURSE_FIELDS:
            raise ValueError(f"Not a course field: {name}")
        if getattr(course, name) != value:
            changed[name] = str(value)
            setattr(course, name, value)
    course.tags = _clean_tags(course.tags)
    course.full_clean()
    course.save()
    offerings_refresh(course=course)
    audit_record(
        actor=actor,
        action="course.updated",
        object_type="course",
        object_id=course.public_id,
        details={"fields": sorted(changed)},
    )
    return course


def offerings_refresh(*, course: Course) -> int:
    """Rewrite the catalog copies of every offering of a course, in one bulk UPDATE (the
    wards are read in one query, not one per offering)."""
    provider_name = _provider_name(course)
    offerings = list(course.offerings.all())
    units = profiles_api.administrative_units_get(
        unit_ids={offering.ward_id for offering in offerings}
    )
    for offering in offerings:
        offering_search_fill(
            offering, course=course, provider_name=provider_name, unit=units.get(offering.ward_id)
        )
    Offering.objects.bulk_update(
        offerings,
        ["province", "category", "mode", "is_free", "search_title", "search_text"],
        batch_size=500,
    )
    return len(offerings)


@transaction.atomic
def course_publish(*, actor: Any, course: Course, is_published: bool = True) -> Course:
    _require_manager(actor, course.provider_id)
    Course.objects.filter(pk=course.pk).update(is_published=is_published)
    course.is_published = is_published
    audit_record(
        actor=actor,
        action="course.published" if is_published else "course.unpublished",
        object_type="course",
        object_id=course.public_id,
    )
    return course


def _offering_validate(offering: Offering) -> None:
    errors: dict[str, list[Any]] = {}
    if offering.ends_on and offering.starts_on and offering.ends_on < offering.starts_on:
        errors["ends_on"] = [_("Ngày kết thúc phải sau ngày bắt đầu.")]
    if (
        offering.enrollment_opens_at
        and offering.enrollment_closes_at
        and offering.enrollment_closes_at <= offering.enrollment_opens_at
    ):
        errors["enrollment_closes_at"] = [_("Hạn đăng ký phải sau ngày mở đăng ký.")]
    if offering.capacity is not None and offering.capacity < offering.enrolled_count:
        errors["capacity"] = [
            _("Đã có %(count)d người đăng ký; số chỗ không thể ít hơn.")
            % {"count": offering.enrolled_count}
        ]
    if (
        offering.minimum_attendance_percent is not None
        and offering.minimum_attendance_percent > 100
    ):
        errors["minimum_attendance_percent"] = [_("Tỷ lệ tối đa là 100%.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def offering_create(*, actor: Any, course: Course, ward_id: int, **fields: Any) -> Offering:
    """A draft offering of a course the actor manages. Raises NotPermitted, ValidationError."""
    _require_manager(actor, course.provider_id)
    offering = Offering(course=course, ward_id=ward_id)
    for name, value in fields.items():
        if name not in OFFERING_FIELDS:
            raise ValueError(f"Not an offering field: {name}")
        setattr(offering, name, value)
    offering_search_fill(offering, course=course, provider_name=_provider_name(course))
    _offering_validate(offering)
    offering.full_clean(exclude=["search_vector"])
    offering.save()
    audit_record(
        actor=actor,
        action="offering.created",
        object_type="offering",
        object_id=offering.public_id,
    )
    return offering


@transaction.atomic
def offering_update(
    *, actor: Any, offering: Offering, ward_id: int | None = None, **fields: Any
) -> Offering:
    """Change an offering (not a cancelled or finished one). More seats promote the waitlist
    (a durable job); fewer than the people enrolled is refused. Row lock on the offering."""
    offering = Offering.objects.select_for_update().select_related("course").get(pk=offering.pk)
    _require_manager(actor, offering.course.provider_id)
    if offering.status in (OfferingStatus.CANCELLED, OfferingStatus.FINISHED):
        raise OfferingNotEditable(_("Không thể sửa một lớp đã hủy hoặc đã kết thúc."))
    old_capacity = offering.capacity
    for name, value in fields.items():
        if name not in OFFERING_FIELDS:
            raise ValueError(f"Not an offering field: {name}")
        setattr(offering, name, value)
    if ward_id is not None:
        offering.ward_id = ward_id
    offering_search_fill(
        offering, course=offering.course, provider_name=_provider_name(offering.course)
    )
    _offering_validate(offering)
    offering.full_clean(exclude=["search_vector"])
    offering.save()
    updated = audit_record(
        actor=actor,
        action="offering.updated",
        object_type="offering",
        object_id=offering.public_id,
        details={"capacity": [old_capacity, offering.capacity]},
    )
    if offering.capacity > old_capacity and offering.status == OfferingStatus.PUBLISHED:
        waitlist_promote_on_commit(offering=offering, event=f"offering.updated:{updated.pk}")
    return offering


def waitlist_promote_on_commit(*, offering: Offering, event: str) -> None:
    """Queue the promotion of waitlisted learners into free seats (services.enrollment).
    `event` names the one event that freed seats (an audit row, a cancelled enrollment), so
    the job's dedupe key never repeats: a capacity that goes back to a value it had before
    promotes again (finished jobs keep their key for 30 days)."""
    job_enqueue_on_commit(
        kind=WAITLIST_PROMOTE,
        payload={"offering_id": offering.pk},
        dedupe_key=f"waitlist-promote:{offering.public_id}:{event}",
    )


@transaction.atomic
def offering_publish(*, actor: Any, offering: Offering) -> Offering:
    """Open a draft offering in the catalog (its course is published with it)."""
    offering = Offering.objects.select_for_update().select_related("course").get(pk=offering.pk)
    _require_manager(actor, offering.course.provider_id)
    if offering.status == OfferingStatus.PUBLISHED:
        return offering
    if offering.status != OfferingStatus.DRAFT:
        raise OfferingNotEditable(_("Chỉ có thể công bố một lớp đang là bản nháp."))
    offering.status = OfferingStatus.PUBLISHED
    offering.save(update_fields=["status", "updated_at"])
    Course.objects.filter(pk=offering.course_id, is_published=False).update(is_published=True)
    audit_record(
        actor=actor,
        action="offering.published",
        object_type="offering",
        object_id=offering.public_id,
    )
    return offering


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
