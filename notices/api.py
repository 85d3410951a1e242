"""The only module of `notices` that other apps import (with `data.py`)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from notices.data import Message as Message
from notices.data import NoticeData as NoticeData
from notices.services import outbox


def notice_kind_register(
    kind: str,
    *,
    render: outbox.Renderer,
    applies: outbox.StillApplies | None = None,
) -> None:
    """An app that owns an event registers how to word its notice (`render`, called in the
    recipient's language) and, optionally, a check run at send time on a chunk of notices of
    this kind, returning why some no longer apply (by `NoticeData.id`)."""
    outbox.notice_kind_register(kind, render=render, applies=applies)


def notice_enqueue_on_commit(
    *,
    kind: str,
    recipient_id: int,
    object_ref: str,
    context: dict[str, Any] | None = None,
    channel: str = "email",
    send_after: datetime | None = None,
) -> UUID:
    """Queue a notice in the caller's transaction, once per (kind, object, recipient,
    channel); returns its public id."""
    return outbox.notice_enqueue_on_commit(
        kind=kind,
        recipient_id=recipient_id,
        object_ref=object_ref,
        context=context,
        channel=channel,
        send_after=send_after,
    ).public_id


def notices_plan(
    *,
    kind: str,
    rows: QuerySet[Any],
    now: datetime,
    channel: str = "email",
    send_now: bool = False,
) -> int:
    """Plan many notices from one query of the calling app, in one statement: `rows` is a
    `.values()` query with the columns `recipient` (user id), `ref` (what it is about),
    `due` (send after) and `ctx` (a JSON object for the renderer). A notice planned before
    (same kind, ref, recipient, channel) is not planned again. Returns how many are new.
    `send_now`: queue their sending after the caller's commit instead of waiting for the
    dispatcher."""
    return outbox.notices_plan(kind=kind, channel=channel, rows=rows, now=now, send_now=send_now)
