"""Notices planned by beat from the database: session reminders and inactivity nudges.

Nothing waits in the broker with a long ETA: every ten minutes `session_reminders_plan`
writes the reminders due in the next 20 minutes as outbox rows (one INSERT ... SELECT per
chunk of sessions, whatever the number of learners); the outbox's dispatcher hands them to
sending jobs when due. A run that was missed is caught up (GRACE); a reminder planned twice
is one row (its dedupe key names the session, its planned time and the lead).
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Concat, JSONObject
from django.utils import timezone

from courses.models import Enrollment, EnrollmentStatus, OfferingStatus, Session
from notices import api as notices_api
from notices.data import NoticeKind
from profiles import api as profiles_api

# Reminders are planned this far ahead of their time (the planner runs every 10 minutes)...
HORIZON = timedelta(minutes=20)
# ... and still planned this late, when a run was missed (after that, the next lead's does).
GRACE = timedelta(minutes=30)
SESSIONS_PER_STATEMENT = 500
INACTIVE_DAYS = 180


class _Epoch(Func):
    """Seconds since 1970 of a timestamp, as text (for reminder_ref, in SQL)."""

    template = "floor(extract(epoch from %(expressions)s))::bigint::text"
    output_field = TextField()


def session_reminders_plan(*, now: datetime | None = None) -> dict[str, int]:
    """Plan the reminders of sessions starting one lead (NOTICE_REMINDER_HOURS) from now,
    for every learner actively enrolled in a published class. Returns new rows per lead."""
    now = now or timezone.now()
    planned: dict[str, int] = {}
    for hours in settings.NOTICE_REMINDER_HOURS:
        lead = timedelta(hours=hours)
        session_ids = list(
            Session.objects.filter(
                starts_at__gte=now + lead - GRACE,
                starts_at__lt=now + lead + HORIZON,
                offering__status=OfferingStatus.PUBLISHED,
            )
            .order_by("id")
            .values_list("id", flat=True)
        )
        planned[f"{hours}h"] = sum(
            notices_api.notices_plan(
                kind=NoticeKind.SESSION_REMINDER, rows=_reminder_rows(chunk, hours), now=now
            )
            for chunk in _chunks(session_ids, SESSIONS_PER_STATEMENT)
        )
    return planned


def _chunks(values: list[int], size: int) -> list[list[int]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def _reminder_rows(session_ids: list[int], hours: int) -> QuerySet[Enrollment, Any]:
    session = "offering__sessions__"
    return Enrollment.objects.filter(
        status=EnrollmentStatus.ACTIVE, offering__sessions__id__in=session_ids
    ).values(
        recipient=F("learner_id"),
        ref=Concat(
            Value("session:"),
            Cast(F(f"{session}public_id"), TextField()),
            Value("@"),
            _Epoch(F(f"{session}starts_at")),
            Value(f":{hours}h"),
            output_field=TextField(),
        ),
        due=ExpressionWrapper(
            F(f"{session}starts_at") - timedelta(hours=hours), output_field=DateTimeField()
        ),
        ctx=JSONObject(
            name=profiles_api.person_full_name_expression(user_id_field="learner_id"),
            course=F("offering__course__title"),
            venue=F("offering__venue"),
            room=F(f"{session}room"),
            starts_at=F(f"{session}starts_at"),
        ),
    )


def inactivity_nudges_plan(*, now: datetime | None = None) -> int:
    """Nudge, once per half year, the consenting people with no learning for six months: no
    ledger row and no enrollment since. Returns how many were planned."""
    now = now or timezone.now()
    since = now - timedelta(days=INACTIVE_DAYS)
    period = f"{now.year}-{1 if now.month <= 6 else 2}"
    rows = (
        profiles_api.people_inactive_since(since=since)
        .exclude(
            Exists(Enrollment.objects.filter(learner_id=OuterRef("pk"), created_at__gte=since))
        )
        .values(
            recipient=F("pk"),
            ref=Value(f"inactive:{period}", output_field=TextField()),
            due=Value(now, output_field=DateTimeField()),
            ctx=JSONObject(
                name=profiles_api.person_full_name_expression(user_id_field="pk"),
                planned_at=Value(now.isoformat(), output_field=TextField()),
            ),
        )
    )
    return notices_api.notices_plan(kind=NoticeKind.INACTIVITY_NUDGE, rows=rows, now=now)
