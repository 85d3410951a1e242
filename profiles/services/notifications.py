"""Notices to people: an outbox row per (kind, object, recipient, channel), sent by a job.

- `notice_enqueue_on_commit` writes the row and its job in the caller's transaction; the same
  notice asked for twice is one row (its dedupe key), whatever retries happen.
- At send time the job checks again, in order: the row is still pending; the recipient still
  exists; they have not switched this kind off on this channel (one-click unsubscribe, or
  their preferences); they still consent, for kinds that need it; the notice still applies
  (the app that asked registers a check: still enrolled, session not moved...). Otherwise the
  row ends `skipped` with the reason. SMS and Zalo wait for the morning during quiet hours.
- Rendering is per kind, registered by the app that owns the event, in the recipient's
  language; delivery is per channel (`profiles/channels.py`).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from learnprofile.jobs.registry import JobDeferred, PermanentJobError, job_handler
from learnprofile.jobs.services import job_enqueue_on_commit
from profiles import channels
from profiles.data import NoticeChannel, NoticeKind
from profiles.models import ConsentRecord, Notification, NotificationPreference, User

logger = logging.getLogger(__name__)

SEND = "notifications.send"
UNSUBSCRIBE_SALT = "profiles.unsubscribe"
# Kinds that only go to people who agreed to them; the others answer something they did.
CONSENT_NEEDED = {
    NoticeKind.SESSION_REMINDER: ConsentRecord.Purpose.LEARNING_REMINDERS,
    NoticeKind.INACTIVITY_NUDGE: ConsentRecord.Purpose.LEARNING_REMINDERS,
    NoticeKind.CREDENTIAL_EXPIRING: ConsentRecord.Purpose.LEARNING_REMINDERS,
    NoticeKind.BROADCAST: ConsentRecord.Purpose.NEWS,
}


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str = ""


@dataclass(frozen=True)
class NoticeData:
    """What a renderer and a still-applies check see."""

    kind: str
    channel: str
    recipient_id: int
    object_ref: str
    context: dict[str, Any]


Renderer = Callable[[NoticeData], Message]
# Returns why the notice no longer applies, or None when it still does.
StillApplies = Callable[[NoticeData], str | None]

_renderers: dict[str, Renderer] = {}
_checks: dict[str, StillApplies] = {}


def notice_kind_register(
    kind: str, *, render: Renderer, applies: StillApplies | None = None
) -> None:
    """Called by the app that owns the event (at start-up) for each kind it sends."""
    if kind not in NoticeKind.values:
        raise ValueError(f"Unknown notice kind {kind!r}")
    _renderers[kind] = render
    if applies is not None:
        _checks[kind] = applies


def _dedupe_key(kind: str, object_ref: str, recipient_id: int, channel: str) -> str:
    return f"{kind}:{object_ref}:{recipient_id}:{channel}"


def notice_enqueue_on_commit(
    *,
    kind: str,
    recipient_id: int,
    object_ref: str,
    context: dict[str, Any] | None = None,
    channel: str = NoticeChannel.EMAIL,
    send_after: datetime | None = None,
) -> Notification:
    """The notice, once per (kind, object, recipient, channel), sent after commit (or at
    `send_after`). Returns the row, the existing one if it was asked for before."""
    if kind not in NoticeKind.values or channel not in NoticeChannel.values:
        raise ValueError(f"Unknown notice kind or channel: {kind!r}, {channel!r}")
    notification, created = Notification.objects.get_or_create(
        dedupe_key=_dedupe_key(kind, object_ref, recipient_id, channel),
        defaults={
            "kind": kind,
            "channel": channel,
            "recipient_id": recipient_id,
            "object_ref": object_ref[:100],
            "context": context or {},
            "send_after": send_after or timezone.now(),
        },
    )
    if created:
        job_enqueue_on_commit(
            kind=SEND,
            payload={"notification": str(notification.public_id)},
            queue="email",
            available_at=send_after,
        )
    return notification


def unsubscribe_token(*, user: User, kind: str, channel: str) -> str:
    """A signed token that switches one kind off on one channel for one person, no login."""
    token: str = signing.dumps(
        {"u": str(user.public_id), "k": kind, "c": channel}, salt=UNSUBSCRIBE_SALT
    )
    return token


def unsubscribe_url(*, user: User, kind: str, channel: str) -> str:
    token = unsubscribe_token(user=user, kind=kind, channel=channel)
    return f"{settings.SITE_URL}{reverse('unsubscribe', kwargs={'token': token})}"


@dataclass(frozen=True)
class Unsubscription:
    user: User
    kind: str
    channel: str


def unsubscribe_read(token: str) -> Unsubscription | None:
    """Who and what a token names; None for a forged, altered or unknown one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.filter(public_id=UUID(data["u"]), erased_at__isnull=True).first()
        kind, channel = data["k"], data["c"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or kind not in NoticeKind.values or channel not in NoticeChannel.values:
        return None
    return Unsubscription(user=user, kind=kind, channel=channel)


@transaction.atomic
def unsubscribe_apply(unsubscription: Unsubscription) -> bool:
    """Switch it off; returns False when it was already off (the link was used before)."""
    preference, created = NotificationPreference.objects.select_for_update().get_or_create(
        user=unsubscription.user,
        kind=unsubscription.kind,
        channel=unsubscription.channel,
        defaults={"is_enabled": False},
    )
    if not created and not preference.is_enabled:
        return False
    if not created:
        preference.is_enabled = False
        preference.save(update_fields=["is_enabled", "updated_at"])
    return True


def preferences_get(*, user: User) -> set[tuple[str, str]]:
    """The (kind, channel) pairs switched off; every other pair is on."""
    return set(
        NotificationPreference.objects.filter(user=user, is_enabled=False).values_list(
            "kind", "channel"
        )
    )


@transaction.atomic
def preferences_set(*, user: User, enabled: set[tuple[str, str]]) -> None:
    """Switch on exactly the `enabled` pairs (unknown pairs are ignored) and off the rest."""
    for kind in NoticeKind.values:
        for channel in NoticeChannel.values:
            NotificationPreference.objects.update_or_create(
                user=user,
                kind=kind,
                channel=channel,
                defaults={"is_enabled": (kind, channel) in enabled},
            )


def _is_enabled(user_id: int, kind: str, channel: str) -> bool:
    return not NotificationPreference.objects.filter(
        user_id=user_id, kind=kind, channel=channel, is_enabled=False
    ).exists()


def _has_consent(user_id: int, purpose: str) -> bool:
    latest = (
        ConsentRecord.objects.filter(user_id=user_id, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .values_list("is_granted", flat=True)
        .first()
    )
    return bool(latest)


def quiet_until(now: datetime) -> datetime | None:
    """The end of the quiet hours (`NOTICE_QUIET_HOURS`, local time: no SMS or Zalo message
    then; email may arrive any time) if `now` is in them, else None."""
    quiet_from, quiet_until_ = (time.fromisoformat(value) for value in settings.NOTICE_QUIET_HOURS)
    local = timezone.localtime(now)
    if quiet_until_ <= local.time() < quiet_from:
        return None
    morning = local.date() + (timedelta(days=1) if local.time() >= quiet_from else timedelta(0))
    return timezone.make_aware(datetime.combine(morning, quiet_until_))


def _skip(notification: Notification, reason: str) -> str:
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.PENDING).update(
        status=Notification.Status.SKIPPED, reason=reason[:300]
    )
    return Notification.Status.SKIPPED


@job_handler(SEND)
def notification_send_job(payload: dict[str, Any]) -> None:
    try:
        notification_id = UUID(payload["notification"])
    except (KeyError, TypeError, ValueError) as error:
        raise PermanentJobError(f"Bad payload: {payload!r}") from error
    notification_send(notification_id=notification_id)


def notification_send(*, notification_id: UUID, now: datetime | None = None) -> str:
    """Send one notice if it still should go; returns the row's state afterwards. A
    transient delivery error propagates (the job retries); a permanent one fails the row."""
    now = now or timezone.now()
    notification = (
        Notification.objects.select_related("recipient").filter(public_id=notification_id).first()
    )
    if notification is None:
        raise PermanentJobError(f"No notification {notification_id}.")
    if notification.status != Notification.Status.PENDING:
        return notification.status
    recipient = notification.recipient
    if recipient.erased_at is not None or not recipient.is_active or recipient.is_assisted:
        return _skip(notification, "recipient cannot receive notices")
    if not _is_enabled(recipient.pk, notification.kind, notification.channel):
        return _skip(notification, "unsubscribed")
    purpose = CONSENT_NEEDED.get(NoticeKind(notification.kind))
    if purpose is not None and not _has_consent(recipient.pk, purpose):
        return _skip(notification, "no consent")
    notice = NoticeData(
        kind=notification.kind,
        channel=notification.channel,
        recipient_id=recipient.pk,
        object_ref=notification.object_ref,
        context=notification.context,
    )
    check = _checks.get(notification.kind)
    reason = check(notice) if check is not None else None
    if reason:
        return _skip(notification, reason)
    if notification.channel != NoticeChannel.EMAIL:
        morning = quiet_until(now)
        if morning is not None:
            raise JobDeferred(morning)
    render = _renderers.get(notification.kind)
    if render is None:
        raise PermanentJobError(f"No renderer for notice kind {notification.kind!r}.")
    with translation.override(recipient.preferred_language):
        message = render(notice)
        unsubscribe = unsubscribe_url(
            user=recipient, kind=notification.kind, channel=notification.channel
        )
        try:
            channels.deliver(
                channel=notification.channel,
                recipient=recipient,
                subject=message.subject,
                text=message.text,
                html=message.html,
                unsubscribe_url=unsubscribe,
            )
        except channels.PermanentDeliveryError as error:
            Notification.objects.filter(pk=notification.pk).update(
                status=Notification.Status.FAILED, reason=str(error)[:300]
            )
            return Notification.Status.FAILED
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.PENDING).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), reason=""
    )
    return Notification.Status.SENT
