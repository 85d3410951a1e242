"""A data request's deadlines and acknowledgement, and the beat sweep that moves requests on
(a request is acknowledged within 2 working days: here at once, by email, when recorded)."""

from datetime import datetime, timedelta

import holidays
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from learnprofile.jobs.email import email_send_on_commit
from learnprofile.jobs.services import job_enqueue_on_commit
from profiles.models import DataRequest, User

ERASE_JOB = "privacy.erase"


# --- Deadlines ----------------------------------------------------------------------------


def working_days_after(start: datetime, days: int) -> datetime:
    """The end of the `days`-th working day after `start` in Vietnam: weekends and public
    holidays (Tết included, from the `holidays` package) do not count."""
    local = timezone.localtime(start)
    vietnam_holidays = holidays.country_holidays("VN", years=range(local.year, local.year + 2))
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in vietnam_holidays:
            counted += 1
    end_of_day = datetime.combine(day, datetime.max.time()).replace(microsecond=0)
    return timezone.make_aware(end_of_day)


def data_request_new(
    *,
    user: User,
    kind: str,
    now: datetime,
    status: str = DataRequest.Status.RECEIVED,
    scheduled_for: datetime | None = None,
) -> DataRequest:
    """An unsaved request of `kind` (a `DataRequest.Kind`) asked at `now` (aware) and
    acknowledged at once: to acknowledge by `DATA_REQUEST_ACKNOWLEDGE_WORKING_DAYS` working
    days, due `DATA_REQUEST_COMPLETE_HOURS` hours after `now`. The caller saves it."""
    return DataRequest(
        user=user,
        kind=kind,
        requested_at=now,
        acknowledge_by=working_days_after(now, settings.DATA_REQUEST_ACKNOWLEDGE_WORKING_DAYS),
        acknowledged_at=now,
        due_at=now + timedelta(hours=settings.DATA_REQUEST_COMPLETE_HOURS),
        status=status,
        scheduled_for=scheduled_for,
    )


def data_request_email_on_commit(
    *, user: User, template: str, subject: str, context: dict[str, object], dedupe_key: str
) -> None:
    """Mail `user` the text template `profiles/email/<template>.txt` in their language, once
    per `dedupe_key`, after the caller's transaction commits. `subject` is a Vietnamese msgid
    (translated here)."""
    with translation.override(user.preferred_language):
        body = render_to_string(f"profiles/email/{template}.txt", context)
        subject_text = str(gettext_lazy(subject))
    email_send_on_commit(to=[user.email], subject=subject_text, body=body, dedupe_key=dedupe_key)


# --- The beat sweep -----------------------------------------------------------------------


def data_requests_process(*, now: datetime | None = None) -> dict[str, int]:
    """Run by beat: queue the erasure of accounts whose grace period is over, and delete
    export files past their download window."""
    now = now or timezone.now()
    due = list(
        DataRequest.objects.filter(
            kind=DataRequest.Kind.DELETION,
            status=DataRequest.Status.SCHEDULED,
            scheduled_for__lte=now,
        ).values_list("public_id", flat=True)
    )
    for public_id in due:
        with transaction.atomic():
            job_enqueue_on_commit(
                kind=ERASE_JOB,
                payload={"request_id": str(public_id)},
                dedupe_key=f"{ERASE_JOB}:{public_id}",
            )
    expired = 0
    for request in DataRequest.objects.filter(
        kind=DataRequest.Kind.EXPORT, status=DataRequest.Status.READY, file_expires_at__lte=now
    ):
        with transaction.atomic():
            if request.file:
                request.file.storage.delete(request.file.name)
            DataRequest.objects.filter(pk=request.pk).update(
                status=DataRequest.Status.EXPIRED, file=""
            )
            expired += 1
    return {"erasures_queued": len(due), "exports_expired": expired}
