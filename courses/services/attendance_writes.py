"""How a batch of attendance marks is written (services.attendance decides what to write):
the new marks inserted, the changed ones updated and their history appended, in three
statements whatever the batch size."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper


@dataclass(slots=True)
class MarkState:
    """A mark as stored (pk set) or about to be; `written`: this batch inserts or updates it."""

    pk: int | None
    status: str
    note: str
    marked_at: datetime
    stored_updated_at: datetime | None
    written: bool = False


@dataclass(slots=True)
class MarkChange:
    """A history row (AttendanceChange) to append: what one proposed mark did to the stored one."""

    key: tuple[int, int]
    before_status: str
    before_note: str
    after_status: str
    after_note: str
    client_id: uuid.UUID | None
    marked_at: datetime
    outcome: str = "applied"
    is_conflict: bool = False


def marks_write(
    *,
    current: dict[tuple[int, int], MarkState],
    changes: list[MarkChange],
    actor: Any,
    source: str,
    now: datetime,
) -> set[int]:
    """Insert the new marks, update the changed ones and append the history: three
    statements whatever the batch size (arrays unnested by PostgreSQL, so neither the ORM nor
    the driver builds thousands of parameters). Returns the enrollment ids written."""
    inserts = [(key, mark) for key, mark in current.items() if mark.written and mark.pk is None]
    updates = [(key, mark) for key, mark in current.items() if mark.written and mark.pk is not None]
    with connection.cursor() as cursor:
        if inserts:
            _marks_insert(
                cursor, inserts, current=current, actor_id=actor.pk, source=source, now=now
            )
        if updates:
            _marks_update(cursor, updates, actor_id=actor.pk, source=source, now=now)
        if changes:
            _changes_append(
                cursor, changes, current=current, actor_id=actor.pk, source=source, now=now
            )
    return {key[1] for key, _mark in inserts} | {key[1] for key, _mark in updates}


def _marks_insert(
    cursor: CursorWrapper,
    inserts: list[tuple[tuple[int, int], MarkState]],
    *,
    current: dict[tuple[int, int], MarkState],
    actor_id: int | None,
    source: str,
    now: datetime,
) -> None:
    """One INSERT of the new marks; their ids are set on `current`."""
    cursor.execute(
        """
        INSERT INTO courses_attendancemark
            (session_id, enrollment_id, status, note, source, marked_by_id, marked_at,
             created_at, updated_at)
        SELECT session_id, enrollment_id, status, note, %s, %s, marked_at, %s, %s
          FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[],
                      %s::timestamptz[])
               AS new (session_id, enrollment_id, status, note, marked_at)
        RETURNING id, session_id, enrollment_id
        """,
        [
            source,
            actor_id,
            now,
            now,
            [key[0] for key, _mark in inserts],
            [key[1] for key, _mark in inserts],
            [mark.status for _key, mark in inserts],
            [mark.note for _key, mark in inserts],
            [mark.marked_at for _key, mark in inserts],
        ],
    )
    for pk, session_id, enrollment_id in cursor.fetchall():
        current[(session_id, enrollment_id)].pk = pk


def _marks_update(
    cursor: CursorWrapper,
    updates: list[tuple[tuple[int, int], MarkState]],
    *,
    actor_id: int | None,
    source: str,
    now: datetime,
) -> None:
    """One UPDATE of the changed marks."""
    cursor.execute(
        """
        UPDATE courses_attendancemark AS mark
           SET status = changed.status, note = changed.note, marked_at = changed.marked_at,
               source = %s, marked_by_id = %s, updated_at = %s
          FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::timestamptz[])
               AS changed (id, status, note, marked_at)
         WHERE mark.id = changed.id
        """,
        [
            source,
            actor_id,
            now,
            [mark.pk for _key, mark in updates],
            [mark.status for _key, mark in updates],
            [mark.note for _key, mark in updates],
            [mark.marked_at for _key, mark in updates],
        ],
    )


def _changes_append(
    cursor: CursorWrapper,
    changes: list[MarkChange],
    *,
    current: dict[tuple[int, int], MarkState],
    actor_id: int | None,
    source: str,
    now: datetime,
) -> None:
    """One INSERT of the history rows, each naming its mark (new marks have their ids by now)."""
    cursor.execute(
        """
        INSERT INTO courses_attendancechange
            (mark_id, actor_id, created_at, source, before_status, before_note,
             after_status, after_note, outcome, is_conflict, client_id, marked_at)
        SELECT mark_id, %s, %s, %s, before_status, before_note, after_status,
               after_note, outcome, is_conflict, client_id, marked_at
          FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::varchar[],
                      %s::varchar[], %s::varchar[], %s::boolean[], %s::uuid[],
                      %s::timestamptz[])
               AS change (mark_id, before_status, before_note, after_status, after_note,
                          outcome, is_conflict, client_id, marked_at)
        """,
        [
            actor_id,
            now,
            source,
            [current[change.key].pk for change in changes],
            [change.before_status for change in changes],
            [change.before_note for change in changes],
            [change.after_status for change in changes],
            [change.after_note for change in changes],
            [change.outcome for change in changes],
            [change.is_conflict for change in changes],
            [change.client_id for change in changes],
            [change.marked_at for change in changes],
        ],
    )
