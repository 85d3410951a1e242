"""Sending the outbox: a job claims its rows, checks them again in bulk, words them in the
recipient's language, hands them to their channel and records each outcome (see
`notices.services.outbox` for the whole flow)."""

import logging
import smtplib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from learnprofile.jobs.registry import PermanentJobError, job_handler
from notices import channels
from notices.data import Message, NoticeChannel, NoticeData, NoticeKind
from notices.models import Notification, NotificationPreference
from notices.services import outbox
from notices.services.outbox import SEND
from notices.services.preferences import unsubscribe_url
from profiles import api as profiles_api
from profiles.data import ConsentPurpose, PersonData

logger = logging.getLogger(__name__)

SENT_MARK_EVERY = 20
# Kinds that only go to people who agreed to them; the others answer something they did.
CONSENT_NEEDED = {
    NoticeKind.SESSION_REMINDER: ConsentPurpose.LEARNING_REMINDERS,
    NoticeKind.INACTIVITY_NUDGE: ConsentPurpose.LEARNING_REMINDERS,
    NoticeKind.CREDENTIAL_EXPIRING: ConsentPurpose.LEARNING_REMINDERS,
    NoticeKind.BROADCAST: ConsentPurpose.NEWS,
}
Status = Notification.Status


@job_handler(SEND)
def notifications_send_job(payload: dict[str, Any]) -> None:
    ids = payload.get("ids")
    if not isinstance(ids, list) or not all(isinstance(value, int) for value in ids):
        raise PermanentJobError(f"Bad payload: {payload!r}")
    notifications_send(ids=ids)


def quiet_until(now: datetime) -> datetime | None:
    """The end of the quiet hours (`NOTICE_QUIET_HOURS`, local time: no SMS or Zalo message
    then; email may arrive any time) if `now` is in them, else None."""
    quiet_from, quiet_until_ = (time.fromisoformat(value) for value in settings.NOTICE_QUIET_HOURS)
    local = timezone.localtime(now)
    if quiet_until_ <= local.time() < quiet_from:
        return None
    morning = local.date() + (timedelta(days=1) if local.time() >= quiet_from else timedelta(0))
    return timezone.make_aware(datetime.combine(morning, quiet_until_))


def _claim(ids: Sequence[int], now: datetime) -> list[Notification]:
    """Take the still-pending rows among `ids` (pending -> sending). Rows another job holds
    are left to it."""
    with transaction.atomic():
        claimed = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(id__in=ids, status=Status.PENDING)
            .values_list("id", flat=True)
        )
        Notification.objects.filter(id__in=claimed).update(status=Status.SENDING, claimed_at=now)
    return list(Notification.objects.filter(id__in=claimed).order_by("id"))


def _reasons_not_to_send(rows: list[Notification]) -> dict[int, str]:
    """Why each row must not go now (by row id), read for the whole chunk at once."""
    reasons: dict[int, str] = {}
    user_ids = {row.recipient_id for row in rows}
    reachable = profiles_api.people_who_can_receive(user_ids=user_ids)
    switched_off = set(
        NotificationPreference.objects.filter(user_id__in=user_ids, is_enabled=False).values_list(
            "user_id", "kind", "channel"
        )
    )
    purposes: set[str] = {
        CONSENT_NEEDED[NoticeKind(row.kind)] for row in rows if row.kind in CONSENT_NEEDED
    }
    consenting = profiles_api.consents_granted(user_ids=user_ids, purposes=purposes)
    by_kind: dict[str, list[NoticeData]] = defaultdict(list)
    available = {channel.value for channel in channels.channels_available()}
    for row in rows:
        purpose = CONSENT_NEEDED.get(NoticeKind(row.kind))
        if row.recipient_id not in reachable:
            reasons[row.pk] = "recipient cannot receive notices"
        elif row.channel not in available:
            # Written before the channel was switched off: nothing would deliver it.
            reasons[row.pk] = "channel not available"
        elif (row.recipient_id, row.kind, row.channel) in switched_off:
            reasons[row.pk] = "unsubscribed"
        elif purpose is not None and (row.recipient_id, purpose) not in consenting:
            reasons[row.pk] = "no consent"
        else:
            by_kind[row.kind].append(_notice_data(row))
    for kind, notices in by_kind.items():
        check = outbox.notice_kind_check(kind)
        if check is not None:
            reasons.update(check(notices))
    return reasons


def _notice_data(row: Notification) -> NoticeData:
    return NoticeData(
        id=row.pk,
        kind=row.kind,
        channel=row.channel,
        recipient_id=row.recipient_id,
        object_ref=row.object_ref,
        context=row.context,
    )


def _addressed(notice: NoticeData) -> NoticeData:
    """The notice with a `name` to greet: "bạn" ("there" in English: "Xin chào bạn,") for a
    person who has not given their name yet, never "Xin chào ,". In the active language."""
    if "name" in notice.context and not str(notice.context["name"] or "").strip():
        greeted = translation.pgettext("greeting a person without a name", "bạn")
        return replace(notice, context={**notice.context, "name": greeted})
    return notice


def _end(ids: list[int], **fields: Any) -> None:
    """Leave "sending" for `fields` (rows of this job only)."""
    if ids:
        Notification.objects.filter(id__in=ids, status=Status.SENDING).update(
            claimed_at=None, **fields
        )


def _mark_sent(row_ids: list[int], *, provider_id: str = "") -> None:
    """Record these rows as sent, in one statement (with the provider's message id, for a
    single SMS or Zalo row)."""
    if row_ids:
        Notification.objects.filter(id__in=row_ids, status=Status.SENDING).update(
            status=Status.SENT,
            sent_at=timezone.now(),
            reason="",
            claimed_at=None,
            provider_message_id=provider_id[:100],
        )


def _message(row: Notification, recipient: PersonData) -> tuple[Message, str]:
    """The rendered notice, in the recipient's language, and its unsubscribe link."""
    render = outbox.notice_kind_renderer(row.kind)
    if render is None:
        raise LookupError(f"no renderer for notice kind {row.kind!r}")
    with translation.override(recipient.preferred_language):
        message = render(_addressed(_notice_data(row)))
        unsubscribe = unsubscribe_url(
            user_public_id=recipient.public_id, kind=row.kind, channel=row.channel
        )
        if not message.html and row.channel == NoticeChannel.EMAIL:
            html = render_to_string(
                "notices/email/notice.html",
                {
                    "subject": message.subject,
                    "text": message.text,
                    "unsubscribe_url": unsubscribe,
                    "language": recipient.preferred_language,
                },
            )
            message = Message(subject=message.subject, text=message.text, html=html)
    return message, unsubscribe


def notifications_send(*, ids: Sequence[int], now: datetime | None = None) -> dict[str, int]:
    """Send the rows `ids` that still should go. Returns counts by outcome. A transient
    delivery error puts the unsent rows back and propagates (the job retries)."""
    now = now or timezone.now()
    rows = _claim(ids, now)
    if not rows:
        return {}
    try:
        return _send_claimed(rows, now)
    finally:
        # Whatever stopped the chunk early (an app's check, a channel's own error): its
        # unfinished rows wait for the job's retry instead of staying claimed.
        _end([row.pk for row in rows], status=Status.PENDING)


def _send_claimed(rows: list[Notification], now: datetime) -> dict[str, int]:
    reasons = _reasons_not_to_send(rows)
    by_reason: dict[str, list[int]] = defaultdict(list)
    for row_id, reason in reasons.items():
        by_reason[reason[:300]].append(row_id)
    for reason, row_ids in by_reason.items():
        _end(row_ids, status=Status.SKIPPED, reason=reason)
    counts: dict[str, int] = defaultdict(int)
    counts[Status.SKIPPED] = len(reasons)
    to_send = [row for row in rows if row.pk not in reasons]
    morning = quiet_until(now)
    if morning is not None:
        held = [row.pk for row in to_send if row.channel != NoticeChannel.EMAIL]
        # Back to the dispatcher, due in the morning.
        _end(held, status=Status.PENDING, send_after=morning, dispatched_at=None)
        counts["held"] = len(held)
        to_send = [row for row in to_send if row.channel == NoticeChannel.EMAIL]
    people = profiles_api.persons_get(user_ids={row.recipient_id for row in to_send})
    email_connection = None
    if any(row.channel == NoticeChannel.EMAIL for row in to_send):
        # Opened here, so that every message of the chunk goes over this one connection
        # (a backend not opened by its caller connects and quits for each message).
        email_connection = get_connection()
        try:
            email_connection.open()
        except (smtplib.SMTPException, OSError) as error:
            _transient_failure([row.pk for row in to_send], error)
            raise
    # Marked sent every SENT_MARK_EVERY messages (a statement and a commit per message cost
    # as much as the send): a worker killed mid-chunk may send up to that many again.
    sent: list[int] = []
    try:
        for position, row in enumerate(to_send):
            try:
                message, unsubscribe = _message(row, people[row.recipient_id])
            except Exception as error:  # a renderer's bug fails its own row, not the chunk
                logger.exception("notice.render_failed", extra={"kind": row.kind})
                reason = f"cannot be worded: {type(error).__name__}: {error}"
                _end([row.pk], status=Status.FAILED, reason=reason[:300])
                counts[Status.FAILED] += 1
                continue
            try:
                provider_id = channels.deliver(
                    channel=row.channel,
                    recipient=people[row.recipient_id],
                    subject=message.subject,
                    text=message.text,
                    html=message.html,
                    unsubscribe_url=unsubscribe,
                    reference=str(row.public_id),
                    connection=email_connection,
                )
            except channels.PermanentDeliveryError as error:
                _end([row.pk], status=Status.FAILED, reason=str(error)[:300])
                counts[Status.FAILED] += 1
                continue
            except (smtplib.SMTPException, OSError, channels.TransientDeliveryError) as error:
                _mark_sent(sent)
                sent = []
                _transient_failure([later.pk for later in to_send[position:]], error)
                raise
            counts[Status.SENT] += 1
            if row.channel != NoticeChannel.EMAIL:
                # A paid message, accepted by its provider: recorded at once with the
                # provider's id, so a worker killed later does not send it again.
                _mark_sent([row.pk], provider_id=provider_id)
                continue
            sent.append(row.pk)
            if len(sent) >= SENT_MARK_EVERY:
                _mark_sent(sent)
                sent = []
    finally:
        _mark_sent(sent)
        if email_connection is not None:
            email_connection.close()
    return dict(counts)


def _transient_failure(ids: list[int], error: Exception) -> None:
    """The channel is unreachable: these rows wait for the job's retry; a row that failed
    NOTICE_MAX_ATTEMPTS times fails for good."""
    reason = f"{type(error).__name__}: {error}"[:300]
    with transaction.atomic():
        Notification.objects.filter(id__in=ids, status=Status.SENDING).update(
            attempts=F("attempts") + 1, reason=reason
        )
        _end(
            list(
                Notification.objects.filter(
                    id__in=ids, status=Status.SENDING, attempts__gte=settings.NOTICE_MAX_ATTEMPTS
                ).values_list("id", flat=True)
            ),
            status=Status.FAILED,
        )
        _end(ids, status=Status.PENDING)
