"""Notices to people: an outbox row per (kind, object, recipient, channel), sent by jobs.

- `notice_enqueue_on_commit` writes one row in the caller's transaction, and its sending job;
  the same notice asked for twice is one row (its dedupe key), whatever retries happen.
- `notices_plan` writes many rows in one statement from a query (reminders, broadcasts); they
  are sent when due by `notifications_dispatch` (beat, every minute), which hands due rows to
  jobs in chunks, so no message waits in the broker for longer than a minute.
- A job claims its rows (pending -> sending) before sending, so a job delivered twice, or two
  jobs given the same row, send it once. It then checks each row again, in bulk: the
  recipient still exists; they have not switched this kind off on this channel (one-click
  unsubscribe, or their preferences); they still consent, for kinds that need it; the notice
  still applies (the app that asked registers a check: still enrolled, session not moved...).
  A row on a channel that is off now (`channels.channels_available`) is skipped too.
  Otherwise the row ends `skipped` with the reason. SMS and Zalo wait for the morning during
  quiet hours. Emails are marked sent as the server accepts them, twenty at a time; an SMS
  or Zalo message at once, with its provider's message id (each one costs money).
- A transient failure (the mail server is down) puts the rows back, counts an attempt and
  retries the job with backoff; after NOTICE_MAX_ATTEMPTS the row is `failed`, with the
  reason, for an administrator to retry.
- Rendering is per kind, registered by the app that owns the event, in the recipient's
  language; delivery is per channel (`notices/channels.py`).
"""

import logging
import smtplib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Count, F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from learnprofile.absolute_urls import absolute_url
from learnprofile.jobs.registry import PermanentJobError, job_handler
from learnprofile.jobs.services import job_enqueue_on_commit, jobs_enqueue_on_commit
from notices import channels
from notices.data import NoticeChannel, NoticeKind
from notices.models import Notification, NotificationPreference
from profiles import api as profiles_api
from profiles.data import ConsentPurpose, PersonData

logger = logging.getLogger(__name__)

SEND = "notifications.send"
# Named when the outbox lived in profiles; kept, so the links already sent keep working.
UNSUBSCRIBE_SALT = "profiles.unsubscribe"
# Rows per sending job: one SMTP connection, a few queries for the checks of all of them.
CHUNK = 200
SENT_MARK_EVERY = 20
# Kinds that only go to people who agreed to them; the others answer something they did.
CONSENT_NEEDED = {
    NoticeKind.SESSION_REMINDER: ConsentPurpose.LEARNING_REMINDERS,
    NoticeKind.INACTIVITY_NUDGE: ConsentPurpose.LEARNING_REMINDERS,
    NoticeKind.CREDENTIAL_EXPIRING: ConsentPurpose.LEARNING_REMINDERS,
    NoticeKind.BROADCAST: ConsentPurpose.NEWS,
}
Status = Notification.Status


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str = ""


@dataclass(frozen=True)
class NoticeData:
    """What a renderer and a still-applies check see."""

    id: int
    kind: str
    channel: str
    recipient_id: int
    object_ref: str
    context: dict[str, Any]


Renderer = Callable[[NoticeData], Message]
# Given the notices of one kind about to be sent, returns why some no longer apply (by
# NoticeData.id); those absent still apply. One call per chunk: a query, not one per notice.
StillApplies = Callable[[Sequence[NoticeData]], dict[int, str]]

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


def _send_job_enqueue_on_commit(ids: list[int]) -> None:
    job_enqueue_on_commit(kind=SEND, payload={"ids": ids}, queue="email")


def notice_enqueue_on_commit(
    *,
    kind: str,
    recipient_id: int,
    object_ref: str,
    context: dict[str, Any] | None = None,
    channel: str = NoticeChannel.EMAIL,
    send_after: datetime | None = None,
) -> Notification:
    """The notice, once per (kind, object, recipient, channel), sent after commit (or when
    `send_after` comes, by the dispatcher). Returns the row, the existing one if it was
    asked for before."""
    if kind not in NoticeKind.values or channel not in NoticeChannel.values:
        raise ValueError(f"Unknown notice kind or channel: {kind!r}, {channel!r}")
    now = timezone.now()
    due_now = send_after is None or send_after <= now
    notification, created = Notification.objects.get_or_create(
        dedupe_key=_dedupe_key(kind, object_ref, recipient_id, channel),
        defaults={
            "kind": kind,
            "channel": channel,
            "recipient_id": recipient_id,
            "object_ref": object_ref[:100],
            "context": context or {},
            "send_after": send_after or now,
            "dispatched_at": now if due_now else None,
        },
    )
    if created and due_now:
        _send_job_enqueue_on_commit([notification.pk])
    return notification


def notices_plan(
    *, kind: str, channel: str, rows: QuerySet[Any], now: datetime, send_now: bool = False
) -> int:
    """Write one pending row per result of `rows` in a single INSERT ... SELECT, skipping
    those planned before (same dedupe key). `rows` is a `.values()` query of any app with
    the columns `recipient` (user id), `ref` (object reference), `due` (send after) and
    `ctx` (jsonb context): a million reminders never pass through Python. Returns how many
    rows were new. The dispatcher sends them when due; with `send_now` (news that is due at
    once, to a class), their sending jobs are queued in the caller's transaction instead."""
    if kind not in NoticeKind.values or channel not in NoticeChannel.values:
        raise ValueError(f"Unknown notice kind or channel: {kind!r}, {channel!r}")
    select_sql, select_params = rows.query.sql_with_params()
    table = Notification._meta.db_table
    sql = f"""
        INSERT INTO {table} (public_id, kind, channel, recipient_id, object_ref, dedupe_key,
            context, status, reason, send_after, dispatched_at, attempts, created_at)
        SELECT gen_random_uuid(), %s, %s, q.recipient, left(q.ref, 100),
            %s || ':' || q.ref || ':' || q.recipient::text || ':' || %s,
            q.ctx, 'pending', '', q.due, %s, 0, %s
        FROM ({select_sql}) AS q
        ON CONFLICT (dedupe_key) DO NOTHING
    """  # noqa: S608 (the table name is ours; every value is a parameter)
    dispatched_at = now if send_now else None
    with connection.cursor() as cursor:
        if not send_now:
            cursor.execute(sql, [kind, channel, kind, channel, None, now, *select_params])
            return int(cursor.rowcount)
        cursor.execute(
            sql + " RETURNING id",
            [kind, channel, kind, channel, dispatched_at, now, *select_params],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if ids:
        jobs_enqueue_on_commit(
            kind=SEND,
            payloads=[{"ids": ids[start : start + CHUNK]} for start in range(0, len(ids), CHUNK)],
            queue="email",
        )
    return len(ids)


def notifications_dispatch(*, now: datetime | None = None, limit: int = 200_000) -> dict[str, int]:
    """Hand due pending rows to sending jobs, CHUNK rows a job (beat, every minute). Also
    gives back rows whose job died while sending, and hands over again rows whose job never
    finished them. Returns counts."""
    now = now or timezone.now()
    released = Notification.objects.filter(
        status=Status.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.JOBS_STALE_RUNNING_SECONDS),
    ).update(status=Status.PENDING, claimed_at=None, dispatched_at=None)
    forgotten = Notification.objects.filter(
        status=Status.PENDING,
        dispatched_at__lt=now - timedelta(seconds=settings.NOTICE_REDISPATCH_SECONDS),
    ).update(dispatched_at=None)
    dispatched = 0
    while dispatched < limit:
        with transaction.atomic():
            ids = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(status=Status.PENDING, dispatched_at__isnull=True, send_after__lte=now)
                .order_by("send_after")
                .values_list("id", flat=True)[: CHUNK * 50]
            )
            if not ids:
                break
            Notification.objects.filter(id__in=ids).update(dispatched_at=now)
            jobs_enqueue_on_commit(
                kind=SEND,
                payloads=[
                    {"ids": ids[start : start + CHUNK]} for start in range(0, len(ids), CHUNK)
                ],
                queue="email",
            )
        dispatched += len(ids)
    return {"dispatched": dispatched, "released": released, "handed_over_again": forgotten}


@job_handler(SEND)
def notifications_send_job(payload: dict[str, Any]) -> None:
    ids = payload.get("ids")
    if not isinstance(ids, list) or not all(isinstance(value, int) for value in ids):
        raise PermanentJobError(f"Bad payload: {payload!r}")
    notifications_send(ids=ids)


def unsubscribe_token(*, user_public_id: UUID, kind: str, channel: str) -> str:
    """A signed token that switches one kind off on one channel for one person, no login."""
    token: str = signing.dumps(
        {"u": str(user_public_id), "k": kind, "c": channel}, salt=UNSUBSCRIBE_SALT
    )
    return token


def unsubscribe_url(*, user_public_id: UUID, kind: str, channel: str) -> str:
    token = unsubscribe_token(user_public_id=user_public_id, kind=kind, channel=channel)
    return absolute_url("unsubscribe", kwargs={"token": token})


@dataclass(frozen=True)
class Unsubscription:
    user_id: int
    kind: str
    channel: str


def unsubscribe_read(token: str) -> Unsubscription | None:
    """Who and what a token names; None for a forged, altered or unknown one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        person = profiles_api.person_get_by_public_id(public_id=UUID(data["u"]))
        kind, channel = data["k"], data["c"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if person is None or kind not in NoticeKind.values or channel not in NoticeChannel.values:
        return None
    return Unsubscription(user_id=person.id, kind=kind, channel=channel)


@transaction.atomic
def unsubscribe_apply(unsubscription: Unsubscription) -> bool:
    """Switch it off; returns False when it was already off (the link was used before)."""
    preference, created = NotificationPreference.objects.select_for_update().get_or_create(
        user_id=unsubscription.user_id,
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


def preferences_get(*, user: profiles_api.User) -> set[tuple[str, str]]:
    """The (kind, channel) pairs switched off; every other pair is on."""
    return set(
        NotificationPreference.objects.filter(user=user, is_enabled=False).values_list(
            "kind", "channel"
        )
    )


@transaction.atomic
def preferences_set(*, user: profiles_api.User, enabled: set[tuple[str, str]]) -> None:
    """Switch on exactly the `enabled` pairs (unknown kinds are ignored) and off the rest,
    on the channels offered now (`channels.channels_available`). A choice on a channel that
    is off is kept as it was, unseen, for the day the channel is switched on. Raises
    ChannelNotAvailable, writing nothing, when `enabled` names a channel that is off."""
    for _kind, channel in enabled:
        channels.channel_require(channel)
    for kind in NoticeKind.values:
        for channel in channels.channels_available():
            NotificationPreference.objects.update_or_create(
                user=user,
                kind=kind,
                channel=channel,
                defaults={"is_enabled": (kind, channel) in enabled},
            )


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
        check = _checks.get(kind)
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
    render = _renderers.get(row.kind)
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


def notifications_retry(*, ids: Sequence[int] | None = None, kind: str = "") -> int:
    """An administrator's retry of failed rows (these `ids`, or every failed row of `kind`,
    or every failed row): back to pending with a fresh count, for the dispatcher."""
    failed = Notification.objects.filter(status=Status.FAILED)
    if ids is not None:
        failed = failed.filter(id__in=ids)
    if kind:
        failed = failed.filter(kind=kind)
    return failed.update(
        status=Status.PENDING, attempts=0, dispatched_at=None, claimed_at=None, reason=""
    )


def outbox_counts() -> dict[str, dict[str, int]]:
    """Rows by kind and state, for the administrators' view."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in Notification.objects.order_by().values("kind", "status").annotate(n=Count("id")):
        counts[row["kind"]][row["status"]] = row["n"]
    return dict(counts)


def outbox_failures(
    *, kind: str = "", channel: str = "", limit: int = 100
) -> QuerySet[Notification]:
    """The latest failed rows (of `kind`, on `channel`, when given), newest first."""
    failures = Notification.objects.filter(status=Status.FAILED)
    if kind:
        failures = failures.filter(kind=kind)
    if channel:
        failures = failures.filter(channel=channel)
    return failures.order_by("-created_at", "-id")[:limit]
