"""A regional administrator's message to the citizens of their province or commune.

Composed as a draft, previewed in both languages with the number of people it will reach,
then queued: a job (`broadcasts.plan`) writes one outbox row per consenting citizen (`news`
consent, living in the area, able to receive) by one INSERT ... SELECT whatever the count,
each due a little after the one before (`per_minute`), so sending is throttled by the rows
themselves and survives restarts. Stopping it skips every row not sent yet. Every step is
audited.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    QuerySet,
    TextField,
    Value,
    Window,
)
from django.db.models.functions import JSONObject, RowNumber
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, NotFound
from learnprofile.jobs.registry import PermanentJobError, job_handler
from learnprofile.jobs.services import job_enqueue_on_commit
from notices import channels
from notices.data import Message, NoticeChannel, NoticeData, NoticeKind
from notices.models import BROADCAST_PER_MINUTE_DEFAULT, Broadcast, Notification
from notices.services import outbox
from profiles import api as profiles_api
from profiles.api import User
from profiles.data import AdministrativeUnitData, ConsentPurpose

PLAN = "broadcasts.plan"


def broadcast_units(*, user: User | AnonymousUser) -> list[AdministrativeUnitData]:
    """The areas `user` may write to: their scopes (a province covers all its wards)."""
    if not user.is_authenticated:
        return []
    return profiles_api.regional_admin_units(user_id=user.pk)


def broadcasts_of(*, user: User | AnonymousUser) -> QuerySet[Broadcast]:
    """The broadcasts of the areas `user` administers (a province: its wards' too), newest
    first, each with its area's name (`unit_name`)."""
    if not user.is_authenticated:
        return Broadcast.objects.none()
    return Broadcast.objects.filter(
        unit_id__in=profiles_api.regional_admin_unit_ids(user_id=user.pk)
    ).annotate(unit_name=profiles_api.administrative_unit_name_expression(unit_id_field="unit_id"))


def broadcast_get(*, user: User | AnonymousUser, public_id: UUID) -> Broadcast:
    """A broadcast of an area `user` administers; NotFound for any other (or none)."""
    broadcast = broadcasts_of(user=user).filter(public_id=public_id).first()
    if broadcast is None:
        raise NotFound(_("Không tìm thấy thông báo."))
    return broadcast


@transaction.atomic
def broadcast_create(
    *,
    actor: User,
    unit_id: int,
    subject_vi: str,
    body_vi: str,
    subject_en: str = "",
    body_en: str = "",
    channel: str = NoticeChannel.EMAIL,
    per_minute: int = BROADCAST_PER_MINUTE_DEFAULT,
) -> Broadcast:
    """A draft to one of the actor's areas (`unit_id`: an administrative unit's id), in
    Vietnamese and optionally English (both English fields or neither), sent on `channel`
    at `per_minute` messages a minute once queued; audited. Raises NotFound (an area that is
    not theirs), ChannelNotAvailable (SMS or Zalo while it has no delivery backend),
    ValidationError (the model's checks)."""
    unit = next((unit for unit in broadcast_units(user=actor) if unit.id == unit_id), None)
    if unit is None:
        raise NotFound(_("Bạn không quản lý địa bàn này."))
    channels.channel_require(channel)
    broadcast = Broadcast(
        author=actor,
        unit_id=unit.id,
        channel=channel,
        subject_vi=subject_vi,
        body_vi=body_vi,
        subject_en=subject_en,
        body_en=body_en,
        per_minute=per_minute,
    )
    broadcast.full_clean()
    broadcast.save()
    audit_record(
        actor=actor,
        action="broadcast.drafted",
        object_type="broadcast",
        object_id=broadcast.public_id,
        details={"unit": unit.code, "channel": broadcast.channel},
    )
    return broadcast


def broadcast_audience(broadcast: Broadcast) -> QuerySet[profiles_api.User]:
    """Who it reaches: people who can receive notices, whose latest `news` consent is yes,
    living in the area (a province: any of its wards), with a phone for SMS and Zalo."""
    return profiles_api.people_consenting_in_area(
        purpose=ConsentPurpose.NEWS,
        unit_id=broadcast.unit_id,
        with_phone=broadcast.channel != NoticeChannel.EMAIL,
    )


def broadcast_count(broadcast: Broadcast) -> int:
    return broadcast_audience(broadcast).count()


@transaction.atomic
def broadcast_queue(*, actor: User, broadcast: Broadcast) -> None:
    """Send a draft: it is queued at once and a worker writes its rows (a province can hold
    a million consenting people: not a web request's work). Queuing twice (a double click)
    queues once. Raises Conflict for a stopped broadcast, ChannelNotAvailable for a draft
    whose channel was switched off since it was written."""
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if broadcast.status == Broadcast.Status.QUEUED:
        return
    if broadcast.status != Broadcast.Status.DRAFT:
        raise Conflict(_("Thông báo này đã dừng, không thể gửi."))
    channels.channel_require(broadcast.channel)
    broadcast.status = Broadcast.Status.QUEUED
    broadcast.queued_at = timezone.now()
    broadcast.save(update_fields=["status", "queued_at"])
    job_enqueue_on_commit(
        kind=PLAN,
        payload={"broadcast": str(broadcast.public_id)},
        dedupe_key=f"{PLAN}:{broadcast.public_id}",
    )
    audit_record(
        actor=actor,
        action="broadcast.queued",
        object_type="broadcast",
        object_id=broadcast.public_id,
        details={"per_minute": broadcast.per_minute},
    )


@job_handler(PLAN)
def broadcast_plan_job(payload: dict[str, Any]) -> None:
    try:
        public_id = UUID(payload["broadcast"])
    except (KeyError, TypeError, ValueError) as error:
        raise PermanentJobError(f"Bad payload: {payload!r}") from error
    broadcast_plan(public_id=public_id)


@transaction.atomic
def broadcast_plan(*, public_id: UUID, now: datetime | None = None) -> int:
    """Write one row per person it reaches, throttled: the n-th is due (n - 1) / per_minute
    minutes from now. Once: a run again, or after a stop, writes nothing. Returns how many."""
    now = now or timezone.now()
    broadcast = Broadcast.objects.select_for_update().filter(public_id=public_id).first()
    if broadcast is None:
        raise PermanentJobError(f"No broadcast {public_id}.")
    if broadcast.status != Broadcast.Status.QUEUED or broadcast.recipient_count is not None:
        return 0
    step = Value(timedelta(minutes=1) / broadcast.per_minute, output_field=DurationField())
    position = Window(RowNumber(), order_by=F("pk").asc())
    rows = broadcast_audience(broadcast).values(
        recipient=F("pk"),
        ref=Value(_ref(broadcast), output_field=TextField()),
        due=ExpressionWrapper(
            Value(now, output_field=DateTimeField())
            + ExpressionWrapper((position - 1) * step, output_field=DurationField()),
            output_field=DateTimeField(),
        ),
        ctx=JSONObject(),
    )
    count = outbox.notices_plan(
        kind=NoticeKind.BROADCAST, channel=broadcast.channel, rows=rows, now=now
    )
    broadcast.recipient_count = count
    broadcast.save(update_fields=["recipient_count"])
    return count


@transaction.atomic
def broadcast_stop(*, actor: User, broadcast: Broadcast) -> int:
    """Stop a broadcast: the rows not sent yet are skipped when their time comes (now, for
    those already due). Returns how many will not be sent."""
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if broadcast.status == Broadcast.Status.CANCELLED:
        return 0
    broadcast.status = Broadcast.Status.CANCELLED
    broadcast.save(update_fields=["status"])
    unsent = Notification.objects.filter(
        object_ref=_ref(broadcast), status=outbox.Status.PENDING
    ).update(status=outbox.Status.SKIPPED, reason="broadcast stopped")
    audit_record(
        actor=actor,
        action="broadcast.stopped",
        object_type="broadcast",
        object_id=broadcast.public_id,
        details={"unsent": unsent},
    )
    return unsent


def _ref(broadcast: Broadcast) -> str:
    return f"broadcast:{broadcast.public_id}"


def broadcast_progress(broadcast: Broadcast) -> dict[str, int]:
    """Its outbox rows by state."""
    rows = Notification.objects.filter(object_ref=_ref(broadcast)).order_by()
    return {row["status"]: row["n"] for row in rows.values("status").annotate(n=Count("id"))}


@lru_cache(maxsize=64)
def _wording(public_id: str) -> tuple[str, str, str, str]:
    """(subject_vi, body_vi, subject_en, body_en), cached per worker process: the words of a
    queued broadcast never change."""
    broadcast = Broadcast.objects.get(public_id=public_id)
    return broadcast.subject_vi, broadcast.body_vi, broadcast.subject_en, broadcast.body_en


def _in_language(words: tuple[str, str, str, str], language: str) -> Message:
    """English when it was written, else Vietnamese."""
    subject_vi, body_vi, subject_en, body_en = words
    if language == "en" and subject_en and body_en:
        return Message(subject=subject_en, text=body_en)
    return Message(subject=subject_vi, text=body_vi)


def broadcast_message(broadcast: Broadcast, *, language: str) -> Message:
    """What a citizen reading `language` receives (the preview)."""
    words = (broadcast.subject_vi, broadcast.body_vi, broadcast.subject_en, broadcast.body_en)
    return _in_language(words, language)


def broadcast_notice_render(notice: NoticeData) -> Message:
    """A broadcast's notice in the active language (the recipient's), for the outbox."""
    words = _wording(notice.object_ref.removeprefix("broadcast:"))
    return _in_language(words, get_language())


def broadcast_notices_still_apply(notices: Sequence[NoticeData]) -> dict[int, str]:
    """Why some of these broadcast notices must not go: their broadcast was stopped."""
    refs = {notice.object_ref.removeprefix("broadcast:") for notice in notices}
    stopped = {
        str(public_id)
        for public_id in Broadcast.objects.filter(
            public_id__in=refs, status=Broadcast.Status.CANCELLED
        ).values_list("public_id", flat=True)
    }
    return {
        notice.id: "broadcast stopped"
        for notice in notices
        if notice.object_ref.removeprefix("broadcast:") in stopped
    }
