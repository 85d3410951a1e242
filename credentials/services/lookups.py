"""Finding learners by a contact, for an issuer administrator: the rows of a file of contacts
(.csv or .xlsx), how many look-ups they may make (`LOOKUPS`), and the audit row of each
preview of people so found.
"""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from credentials.models import Achievement, IssuanceBatch
from credentials.services.previews import Preview
from learnprofile.attempts import AttemptsExhausted, Limit, attempt_start, wait_for_people
from learnprofile.audit.services import audit_record
from learnprofile.errors import DomainError
from learnprofile.formatting import number_for_people
from learnprofile.spreadsheets import SpreadsheetRefused, spreadsheet_read
from profiles import api as profiles_api
from profiles.api import User

CSV_MAX_BYTES = 1024 * 1024
CSV_MAX_ROWS = 5000


class TooManyLookups(DomainError):
    """The administrator looked up too many learners by contact lately (`LOOKUPS`); the
    message says how long to wait, `retry_after_seconds` the same in seconds."""

    code = "too_many_lookups"
    http_status = 429


# Learners looked up by a contact, per administrator: 60 an hour cost nothing (a file counts
# each of its rows), then each look-up waits 1, 2, 4, ... seconds after the last, at most 15
# minutes. A generous bound for issuing, a slow one for going through a directory.
LOOKUPS = Limit(
    name="issuer-contact-lookups", free_failures=60, max_delay_seconds=900, window_seconds=3600
)


def contacts_lookup_start(*, actor: User, count: int) -> None:
    """Count `count` look-ups of learners by a contact (the one-learner form: 1; a file: its
    rows) for `actor` under LOOKUPS, or refuse them all with TooManyLookups (nothing counted).
    Call outside a transaction (learnprofile.attempts keeps the count in the cache)."""
    try:
        attempt_start(counters=[(LOOKUPS, f"user:{actor.pk}")], weight=max(1, count))
    except AttemptsExhausted as refusal:
        raise TooManyLookups(
            _(
                "Bạn đã tra cứu nhiều người học trong một giờ qua. Hãy đợi %(wait)s rồi thử "
                "lại; cần cấp cho nhiều người thì hãy dùng danh sách người hoàn thành lớp."
            )
            % {"wait": wait_for_people(refusal.wait_seconds)},
            retry_after_seconds=refusal.wait_seconds,
        ) from refusal


def contacts_lookup_audit(
    *, actor: User, achievement: Achievement, source: str, preview: Preview
) -> None:
    """An audit row `credential.contacts_looked_up` for a preview of learners found by a
    contact: who looked, for which achievement, from what (`source`: single, csv), how many
    contacts, how many named someone, and for one learner the contact's kind (email, phone)
    and the person found (their public id; the contact itself is not kept)."""
    found = [row for row in preview.rows if row.learner_id is not None]
    details: dict[str, Any] = {
        "achievement": str(achievement.public_id),
        "source": source,
        "contacts": len(preview.rows),
        "found": len(found),
    }
    if source == IssuanceBatch.Source.SINGLE and len(preview.rows) == 1:
        (row,) = preview.rows
        details["contact_kind"] = "email" if "@" in row.contact else "phone"
        people = profiles_api.persons_get(user_ids={row.learner_id} if row.learner_id else set())
        person = people.get(row.learner_id) if row.learner_id else None
        details["learner"] = str(person.public_id) if person is not None else ""
    audit_record(
        actor=actor,
        action="credential.contacts_looked_up",
        object_type="achievement",
        object_id=achievement.public_id,
        details=details,
    )


def file_rows(
    content: bytes, *, file_name: str, content_type: str = ""
) -> list[tuple[int, str, uuid.UUID | None]]:
    """Rows of (line, contact, offering or None) from a .csv or .xlsx file (read by
    learnprofile.spreadsheets) with a `contact` column (email or phone) and an optional
    `offering` column (the class's code). Raises ValidationError on the `file` field, naming
    the line, for anything else: a file that cannot be read, a bad row (a malformed class
    code, a control character, an over-long cell; at most 20 are listed), more than
    CSV_MAX_ROWS rows, or no row at all. Reads only: nothing is written."""
    try:
        sheet = spreadsheet_read(
            content=content,
            file_name=file_name,
            content_type=content_type,
            columns=("contact", "offering"),
            required=("contact",),
            max_bytes=CSV_MAX_BYTES,
            max_rows=CSV_MAX_ROWS,
        )
    except SpreadsheetRefused as error:
        raise ValidationError({"file": [str(error.message)]}) from error
    if sheet.is_truncated:
        raise ValidationError(
            {"file": [_("Tệp có quá %(max)s dòng.") % {"max": number_for_people(CSV_MAX_ROWS)}]}
        )
    rows: list[tuple[int, str, uuid.UUID | None]] = []
    errors: list[str] = []
    for sheet_row in sheet.rows:
        line = sheet_row.line
        if sheet_row.error:
            errors.append(_("Dòng %(line)s: %(error)s") % {"line": line, "error": sheet_row.error})
            continue
        contact = sheet_row.values.get("contact", "").strip()
        if not contact:
            continue
        offering_id = None
        offering_text = sheet_row.values.get("offering", "").strip()
        if offering_text:
            try:
                offering_id = uuid.UUID(offering_text)
            except ValueError:
                errors.append(_("Dòng %(line)s: mã lớp không hợp lệ.") % {"line": line})
                continue
        rows.append((line, contact[:254], offering_id))
    if errors:
        raise ValidationError({"file": errors[:20]})
    if not rows:
        raise ValidationError({"file": [_("Tệp không có dòng nào.")]})
    return rows
