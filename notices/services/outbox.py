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
  language; delivery is per channel (`notices/channels/`). This module holds the outbox
  itself; sending is `notices.services.sending`, the person's choices
  `notices.services.preferences`.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from learnprofile.jobs.services import job_enqueue_on_commit, jobs_enqueue_on_commit
from notices.data import Message, NoticeChannel, NoticeData, NoticeKind
from notices.models import Notification

SEND = "notifications.send"
# Rows per sending job: one SMTP connection, a few queries for the checks of all of them.
CHUNK = 200
Status = Notification.Status

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


def notice_kind_renderer(kind: str) -> Renderer | None:
    """How notices of `kind` are worded (None when no app registered the kind)."""
    return _renderers.get(kind)


def notice_kind_check(kind: str) -> StillApplies | None:
    """The still-applies check of `kind` (None when its app registered none)."""
    return _checks.get(kind)


def notice_kinds_registered() -> dict[str, Renderer]:
    """Every registered kind and its renderer, as the apps' ready() left them."""
    return dict(_renderers)


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
