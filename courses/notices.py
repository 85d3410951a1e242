"""The notices courses sends through the profiles outbox, and how each is checked again at
send time. Registered at start-up (apps.ready).

- Enrollment: confirmed or waitlisted (`enrollment_confirmed`), a seat from the waitlist
  (`waitlist_promoted`), the class cancelled (`session_changed`). Sent only while the
  enrollment is as the notice says.
- A session moved or cancelled (`session_changed`), to everyone enrolled.
- Low attendance (`low_attendance`), while the learner is still enrolled.
- Session reminders (`session_reminder`), planned in bulk by `services.reminders`; not sent
  to a learner who left, nor for a session that moved (the new time gets its own).
- Inactivity nudge (`inactivity_nudge`): three open classes near the person.

The context of each notice is a snapshot taken when it was asked for; the checks make sure
it still holds.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import DateTimeField, F, TextField, Value
from django.db.models.functions import JSONObject
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses import api, selectors
from courses.models import Enrollment, EnrollmentStatus, OfferingStatus, Session
from learnprofile.absolute_urls import absolute_url
from learnprofile.formatting import (
    date_for_people,
    end_time_for_people,
    long_datetime_for_people,
    percent_for_people,
)
from notices import api as notices_api
from notices.data import NoticeKind
from profiles import api as profiles_api
from profiles.data import PersonData

# What happened to an enrollment -> the notice kind, the template and the subject.
ENROLLMENT_NOTICES = {
    "confirmed": (NoticeKind.ENROLLMENT_CONFIRMED, gettext_lazy("Đăng ký thành công: %(course)s")),
    "waitlisted": (
        NoticeKind.ENROLLMENT_CONFIRMED,
        gettext_lazy("Bạn đang trong danh sách chờ: %(course)s"),
    ),
    "promoted": (NoticeKind.WAITLIST_PROMOTED, gettext_lazy("Đã có chỗ cho bạn: %(course)s")),
    "offering_cancelled": (
        NoticeKind.SESSION_CHANGED,
        gettext_lazy("Lớp học đã bị hủy: %(course)s"),
    ),
}
SESSION_SUBJECTS = {
    "moved": gettext_lazy("Buổi học đổi lịch: %(course)s"),
    "cancelled": gettext_lazy("Buổi học bị hủy: %(course)s"),
}
NUDGE_COURSES = 3


def _link(name: str, **kwargs: Any) -> str:
    return absolute_url(name, kwargs=kwargs or None)


def _when(value: str) -> str:
    """A planned time (ISO 8601 in the snapshot), as the recipient reads it: their language
    is active, the time is Vietnam's."""
    return long_datetime_for_people(value) or value


def _span(starts: str, ends: str) -> str:
    """A session's new time: "Thứ Bảy, 05/12/2026 21:00", an en dash, "00:30 (hôm sau)"; the
    start alone for a notice planned before the end was kept."""
    if not ends:
        return _when(starts)
    return f"{_when(starts)}\u2013{end_time_for_people(ends, starts)}"


def _day(value: str) -> str:
    """A day (ISO 8601 in the snapshot), as the recipient reads it. A snapshot taken before
    the days were kept as ISO holds the day already written out: it is shown as it is."""
    return date_for_people(value) or value


def _text(value: str) -> Value:
    return Value(value, output_field=TextField())


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# --- Enrollment -----------------------------------------------------------------------------


def enrollment_notice_on_commit(
    *, enrollment: Enrollment, event: str, person: PersonData | None = None
) -> None:
    """Tell the learner about their enrollment (`event`: confirmed, waitlisted, promoted,
    offering_cancelled), once whatever retries happen. Callers telling many pass each
    `person`, read in bulk."""
    if person is None:
        person = profiles_api.person_get(user_id=enrollment.learner_id)
    if person is None:
        return
    offering = enrollment.offering
    kind, _subject = ENROLLMENT_NOTICES[event]
    ref = f"enrollment:{enrollment.public_id}"
    if event == "offering_cancelled":
        ref = f"offering:{offering.public_id}:cancelled"
    notices_api.notice_enqueue_on_commit(
        kind=kind,
        recipient_id=enrollment.learner_id,
        object_ref=ref,
        context={
            "event": event,
            "enrollment": str(enrollment.public_id),
            "name": person.full_name,
            "course": offering.course.title,
            "starts": offering.starts_on.isoformat(),
            "venue": offering.venue,
            "position": selectors.waitlist_positions([enrollment]).get(enrollment.pk),
            "reason": offering.cancel_reason,
            "link": _link("my_courses"),
            "course_link": _link("course_detail", course_id=offering.course.public_id),
        },
    )


def _enrollment_render(notice: notices_api.NoticeData) -> notices_api.Message:
    context = notice.context
    event = context["event"]
    return notices_api.Message(
        subject=str(ENROLLMENT_NOTICES[event][1] % {"course": context["course"]}),
        text=render_to_string(
            f"courses/email/enrollment_{event}.txt",
            {**context, "starts": _day(context.get("starts", ""))},
        ),
    )


def _enrollments_as_told(notices: Sequence[notices_api.NoticeData]) -> dict[int, str]:
    """A confirmation goes while the enrollment is open; a promotion while it is active."""
    wanted = {
        notice.id: UUID(notice.context["enrollment"])
        for notice in notices
        if notice.context.get("event") != "offering_cancelled"
    }
    statuses = dict(
        Enrollment.objects.filter(public_id__in=wanted.values()).values_list("public_id", "status")
    )
    allowed = {
        "confirmed": {EnrollmentStatus.ACTIVE},
        "waitlisted": {EnrollmentStatus.WAITLISTED},
        "promoted": {EnrollmentStatus.ACTIVE},
    }
    reasons = {}
    for notice in notices:
        enrollment_id = wanted.get(notice.id)
        if enrollment_id is None:
            continue
        if statuses.get(enrollment_id) not in allowed[notice.context["event"]]:
            reasons[notice.id] = "enrollment changed"
    return reasons


# --- A session moved or cancelled -----------------------------------------------------------


def session_changed_notices_on_commit(
    *,
    session: Session,
    event: str,
    before: datetime,
    reason: str = "",
    change_id: int | None = None,
) -> int:
    """Tell everyone enrolled (active) that `session`, planned at `before`, moved (to its
    current time) or was cancelled: one statement for the whole class, sent after commit.
    `change_id` (the audit row of a move) names the event in the notices' dedupe key, so a
    session moved away from the same time twice is told twice. Returns how many will be told."""
    change = f":{change_id}" if change_id is not None else ""
    offering = session.offering
    now = timezone.now()
    rows = Enrollment.objects.filter(
        offering_id=offering.pk, status=EnrollmentStatus.ACTIVE
    ).values(
        recipient=F("learner_id"),
        ref=_text(f"session:{session.public_id}@{epoch(before)}:{event}{change}"),
        due=Value(now, output_field=DateTimeField()),
        ctx=JSONObject(
            event=_text(event),
            name=profiles_api.person_full_name_expression(user_id_field="learner_id"),
            course=_text(offering.course.title),
            before=_text(before.isoformat()),
            after=_text(session.starts_at.isoformat()),
            after_ends=_text(session.ends_at.isoformat()),
            room=_text(session.room),
            venue=_text(offering.venue),
            reason=_text(reason),
            link=_text(_link("my_courses")),
        ),
    )
    return notices_api.notices_plan(
        kind=NoticeKind.SESSION_CHANGED, rows=rows, now=now, send_now=True
    )


def _session_changed_render(notice: notices_api.NoticeData) -> notices_api.Message:
    context = notice.context
    event = context["event"]
    if event == "offering_cancelled":
        return _enrollment_render(notice)
    return notices_api.Message(
        subject=str(SESSION_SUBJECTS[event] % {"course": context["course"]}),
        text=render_to_string(
            f"courses/email/session_{event}.txt",
            {
                **context,
                "before": _when(context["before"]),
                "after": _span(context["after"], context.get("after_ends", "")),
            },
        ),
    )


# --- Low attendance -------------------------------------------------------------------------


def low_attendance_notice_on_commit(
    *, enrollment: Enrollment, person: PersonData, summary: Any
) -> None:
    offering = enrollment.offering
    notices_api.notice_enqueue_on_commit(
        kind=NoticeKind.LOW_ATTENDANCE,
        recipient_id=enrollment.learner_id,
        object_ref=f"enrollment:{enrollment.public_id}",
        context={
            "enrollment": str(enrollment.public_id),
            "name": person.full_name,
            "course": offering.course.title,
            "attended": summary.attended,
            "counted": summary.counted,
            "percent": str(summary.percent),
            "minimum": offering.minimum_attendance_percent,
            "link": _link("my_courses"),
        },
    )


def _low_attendance_render(notice: notices_api.NoticeData) -> notices_api.Message:
    context = notice.context
    return notices_api.Message(
        subject=_("Bạn đang vắng nhiều buổi: %(course)s") % {"course": context["course"]},
        text=render_to_string(
            "courses/email/low_attendance.txt",
            {
                **context,
                "percent": percent_for_people(context["percent"]),
                "minimum": percent_for_people(context["minimum"]),
            },
        ),
    )


def _still_active(notices: Sequence[notices_api.NoticeData]) -> dict[int, str]:
    wanted = {notice.id: UUID(notice.context["enrollment"]) for notice in notices}
    active = set(
        Enrollment.objects.filter(
            public_id__in=wanted.values(), status=EnrollmentStatus.ACTIVE
        ).values_list("public_id", flat=True)
    )
    return {
        notice_id: "no longer enrolled"
        for notice_id, enrollment_id in wanted.items()
        if enrollment_id not in active
    }


# --- Session reminders ----------------------------------------------------------------------


def reminder_ref(session_id: UUID, starts_at: datetime, hours: int) -> str:
    """ "session:<id>@<planned start>:<hours>h": a session moved gets reminders of its own."""
    return f"session:{session_id}@{epoch(starts_at)}:{hours}h"


def _reminder_ref_read(ref: str) -> tuple[UUID, int] | None:
    try:
        session, rest = ref.removeprefix("session:").split("@", 1)
        return UUID(session), int(rest.split(":", 1)[0])
    except ValueError:
        return None


def _reminder_render(notice: notices_api.NoticeData) -> notices_api.Message:
    context = notice.context
    when = _when(context["starts_at"])
    return notices_api.Message(
        subject=_("Nhắc lịch học: %(course)s, %(when)s")
        % {"course": context["course"], "when": when},
        text=render_to_string(
            "courses/email/session_reminder.txt",
            {**context, "when": when, "link": _link("my_courses")},
        ),
    )


def _reminders_still_apply(notices: Sequence[notices_api.NoticeData]) -> dict[int, str]:
    """Still enrolled (active) in a published class whose session is still at that time."""
    planned = {notice.id: _reminder_ref_read(notice.object_ref) for notice in notices}
    session_ids = {value[0] for value in planned.values() if value is not None}
    learner_ids = {notice.recipient_id for notice in notices}
    current = {
        (learner_id, session_id): epoch(starts_at)
        for learner_id, session_id, starts_at in Enrollment.objects.filter(
            status=EnrollmentStatus.ACTIVE,
            learner_id__in=learner_ids,
            offering__status=OfferingStatus.PUBLISHED,
            offering__sessions__public_id__in=session_ids,
        ).values_list(
            "learner_id", "offering__sessions__public_id", "offering__sessions__starts_at"
        )
    }
    reasons = {}
    for notice in notices:
        value = planned[notice.id]
        starts = current.get((notice.recipient_id, value[0])) if value is not None else None
        if starts is None:
            reasons[notice.id] = "no longer enrolled"
        elif value is not None and starts != value[1]:
            reasons[notice.id] = "session moved"
    return reasons


# --- Inactivity nudge -----------------------------------------------------------------------


def _nudge_render(notice: notices_api.NoticeData) -> notices_api.Message:
    offerings = api.open_offerings_near(learner_id=notice.recipient_id, limit=NUDGE_COURSES)
    return notices_api.Message(
        subject=_("Học điều mới gần nhà bạn"),
        text=render_to_string(
            "courses/email/inactivity_nudge.txt",
            {
                "name": notice.context.get("name", ""),
                "offerings": [
                    {**vars(offering), "starts": date_for_people(offering.starts_on)}
                    for offering in offerings
                ],
                "catalog": _link("catalog"),
            },
        ),
    )


def _nudges_still_apply(notices: Sequence[notices_api.NoticeData]) -> dict[int, str]:
    """Someone who enrolled since the nudge was planned does not need it."""
    since = {notice.id: parse_datetime(notice.context.get("planned_at", "")) for notice in notices}
    back = set(
        Enrollment.objects.filter(
            learner_id__in={notice.recipient_id for notice in notices},
            created_at__gte=min(
                (value for value in since.values() if value is not None), default=timezone.now()
            ),
        ).values_list("learner_id", flat=True)
    )
    return {notice.id: "learning again" for notice in notices if notice.recipient_id in back}


def notices_register() -> None:
    register = notices_api.notice_kind_register
    register(
        NoticeKind.ENROLLMENT_CONFIRMED, render=_enrollment_render, applies=_enrollments_as_told
    )
    register(NoticeKind.WAITLIST_PROMOTED, render=_enrollment_render, applies=_enrollments_as_told)
    register(NoticeKind.SESSION_CHANGED, render=_session_changed_render)
    register(NoticeKind.LOW_ATTENDANCE, render=_low_attendance_render, applies=_still_active)
    register(NoticeKind.SESSION_REMINDER, render=_reminder_render, applies=_reminders_still_apply)
    register(NoticeKind.INACTIVITY_NUDGE, render=_nudge_render, applies=_nudges_still_apply)
