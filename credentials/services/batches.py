"""An issuer administrator's issuance: to one learner, to the completers of an offering, or to
the rows of a spreadsheet (.csv or .xlsx). First a preview (who gets one, who already has one,
who cannot and why), then the batch: one request per learner, written with its jobs in one transaction.

The preview predicts; the worker decides: eligibility is checked again when each credential
is signed, and a refusal is kept with its reason on the request.

Privacy: a learner found by a contact (one learner, or a file's row) is found only by an exact
e-mail address or phone number and shown by a masked name ("Nguyễn T. L.") and whether they
were ever in a class of the organization; a whole name is shown only for the completers of one
of its classes. Issuing without a class (no completion behind the credential) needs the
administrator's written reason, kept on the batch and audited for each learner; a learner
with no tie to the organization is refused unless the administrator confirms that reason.
"""

import hashlib
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from courses import api as courses_api
from credentials.models import Achievement, Credential, Issuance, IssuanceBatch
from credentials.permissions import may_manage_achievement
from credentials.services.pipeline import issuances_enqueue_on_commit
from learnprofile.attempts import AttemptsExhausted, Limit, attempt_start, wait_for_people
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, DomainError, NotFound, NotPermitted
from learnprofile.formatting import number_for_people, person_name_masked
from learnprofile.spreadsheets import SpreadsheetRefused, spreadsheet_read
from profiles import api as profiles_api
from profiles.data import PersonData

CSV_MAX_BYTES = 1024 * 1024
CSV_MAX_ROWS = 5000
BATCH_MAX = 10_000
# The written reason for issuing without a class: a sentence, not a word.
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 500


class ReasonRequired(DomainError):
    """Issuing without a class needs the administrator's written reason (at least
    REASON_MIN_LENGTH characters, at most REASON_MAX_LENGTH)."""

    code = "reason_required"


class NoTieToOrganization(Conflict):
    """Learners who were never in a class of the organization are issued without a class only
    when the administrator confirms the written reason; `count` says how many."""

    code = "no_tie_to_organization"

    def __init__(self, count: int) -> None:
        super().__init__(
            ngettext(
                "%(count)d người học chưa từng học lớp nào của đơn vị. Chỉ cấp chứng chỉ không "
                "theo lớp học cho người này khi lý do đã ghi là xác đáng: hãy đánh dấu ô xác "
                "nhận lý do.",
                "%(count)d người học chưa từng học lớp nào của đơn vị. Chỉ cấp chứng chỉ không "
                "theo lớp học cho những người này khi lý do đã ghi là xác đáng: hãy đánh dấu ô "
                "xác nhận lý do.",
                count,
            )
            % {"count": count}
        )
        self.count = count


class BatchAlreadyRequested(Conflict):
    """The request that makes a batch was made before (the same signed plan confirmed again,
    the same Idempotency-Key sent again): `batch` is the batch it made; nothing new is
    written."""

    code = "batch_already_requested"

    def __init__(self, batch: IssuanceBatch) -> None:
        super().__init__(
            _("Đợt cấp này đã được gửi trước đó nên không tạo thêm đợt mới; đây là đợt cấp đã tạo.")
        )
        self.batch = batch


def request_digest(*parts: str) -> str:
    """The SHA-256 digest (hex) that names the request making a batch (`batch_create`'s
    `request_digest`): of the signed plan on the page, of the actor, achievement and
    Idempotency-Key on the API."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


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


def contacts_lookup_start(*, actor: Any, count: int) -> None:
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
    *, actor: Any, achievement: Achievement, source: str, preview: "Preview"
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


class Outcome:
    ISSUE = "issue"
    ALREADY = "already"
    NOT_COMPLETED = "not_completed"
    NO_IDENTITY = "no_identity"
    UNKNOWN = "unknown"
    DUPLICATE = "duplicate"
    # The contact is not a valid e-mail address or phone number; the row says why.
    INVALID_CONTACT = "invalid_contact"
    # A phone number several people share (a household's landline): it names nobody alone.
    SHARED_PHONE = "shared_phone"


OUTCOME_LABELS = {
    Outcome.ISSUE: gettext_lazy("Sẽ được cấp"),
    Outcome.ALREADY: gettext_lazy("Đã có chứng chỉ này"),
    Outcome.NOT_COMPLETED: gettext_lazy("Chưa hoàn thành lớp học"),
    Outcome.NO_IDENTITY: gettext_lazy("Chưa có email đã xác minh hay số điện thoại"),
    Outcome.UNKNOWN: gettext_lazy("Không tìm thấy người học"),
    Outcome.DUPLICATE: gettext_lazy("Trùng với một dòng phía trên"),
    Outcome.INVALID_CONTACT: gettext_lazy("Email hoặc số điện thoại không hợp lệ"),
    Outcome.SHARED_PHONE: gettext_lazy("Số điện thoại nhiều người dùng chung"),
}
# A label heads a count ("...: 2"); a row says what to do.
SHARED_PHONE_ADVICE = gettext_lazy(
    "Nhiều người dùng chung số điện thoại này; hãy dùng email của người học."
)
TIE_LABELS = {
    True: gettext_lazy("Đã học lớp của đơn vị"),
    False: gettext_lazy("Chưa từng học lớp nào của đơn vị"),
}


@dataclass(frozen=True)
class PreviewRow:
    line: int
    contact: str
    outcome: str
    learner_id: int | None = None
    name: str = ""
    offering_id: uuid.UUID | None = None
    # The row's own reason, when the outcome's label is not enough (why a contact is
    # invalid); "" otherwise.
    message: str = ""
    # Was the learner (found by a contact) ever in a class of the achievement's organization?
    # None: nobody found, or a class's completer.
    is_tied: bool | None = None

    @property
    def label(self) -> str:
        return self.message or str(OUTCOME_LABELS[self.outcome])

    @property
    def tie_label(self) -> str:
        return str(TIE_LABELS[self.is_tied]) if self.is_tied is not None else ""


@dataclass
class Preview:
    rows: list[PreviewRow] = field(default_factory=list)

    @property
    def to_issue(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.outcome == Outcome.ISSUE]

    @property
    def needs_reason(self) -> bool:
        """Someone would be issued without a class: the batch needs a written reason."""
        return any(row.offering_id is None for row in self.to_issue)

    @property
    def untied_count(self) -> int:
        """How many would be issued without a class who were never in one of the
        organization's classes (the administrator confirms the reason for them)."""
        return sum(
            1 for row in self.to_issue if row.offering_id is None and row.is_tied is not True
        )

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


def _offering_not_found() -> NotFound:
    return NotFound(
        _(
            "Không tìm thấy lớp học này: hãy chọn một lớp của đơn vị thuộc khóa học gắn với "
            "mẫu chứng chỉ."
        )
    )


def offerings_out_of_scope(
    *, achievement: Achievement, offering_ids: set[uuid.UUID | None]
) -> set[uuid.UUID]:
    """Those of these offerings (None ignored) that the achievement's issuer may not name: not
    a class of the achievement's organization, or of a course the achievement is not linked
    to (`courses.api.offerings_of_organization`). One query; reads only."""
    wanted = {offering_id for offering_id in offering_ids if offering_id is not None}
    if not wanted:
        return set()
    return wanted - courses_api.offerings_of_organization(
        organization_id=achievement.organization_id,
        course_ids=list(achievement.course_ids),
        offering_ids=wanted,
    )


def offerings_check(*, achievement: Achievement, offering_ids: set[uuid.UUID | None]) -> None:
    """Raises NotFound (code `not_found`) when any of these offerings is out of the
    achievement's scope (`offerings_out_of_scope`): another organization's class is answered
    as a class that does not exist, before anyone is looked up."""
    if offerings_out_of_scope(achievement=achievement, offering_ids=offering_ids):
        raise _offering_not_found()


def file_rows_check(
    *, achievement: Achievement, rows: list[tuple[int, str, uuid.UUID | None]]
) -> None:
    """The rows of a file (`file_rows`) whose class is out of the achievement's scope
    (`offerings_out_of_scope`): a ValidationError on the `file` field naming each line (at
    most 20), before anyone is looked up. Reads only."""
    out_of_scope = offerings_out_of_scope(
        achievement=achievement, offering_ids={offering_id for _l, _c, offering_id in rows}
    )
    if not out_of_scope:
        return
    errors = [
        _(
            "Dòng %(line)s: không tìm thấy lớp học có mã này trong các lớp của đơn vị thuộc "
            "khóa học gắn với mẫu chứng chỉ."
        )
        % {"line": line}
        for line, _contact, offering_id in rows
        if offering_id in out_of_scope
    ]
    raise ValidationError({"file": errors[:20]})


def _mask(person: PersonData) -> str:
    if person.has_verified_email:
        local, _at, domain = person.email.partition("@")
        return f"{local[:2]}•••@{domain}"
    if person.phone:
        return f"•••• {person.phone[-3:]}"
    return ""


def _classify(
    achievement: Achievement,
    people: dict[int, PersonData],
    wanted: list[tuple[int, str, int | None, uuid.UUID | None, bool]],
    refusals: dict[int, tuple[str, str]] | None = None,
    *,
    names_masked: bool,
) -> Preview:
    """Rows of (line, contact, learner id, offering id, completed) -> the preview.
    `refusals`: by position in `wanted`, the (outcome, message) of a row whose contact names
    no one learner (invalid, or shared by several people). `names_masked`: each person by
    `person_name_masked` (found by a contact), else by full name (a class's completers)."""
    refusals = refusals or {}
    learner_ids = {learner_id for _line, _c, learner_id, _o, _d in wanted if learner_id}
    # Found by a contact, a person is shown with their tie; a class's completers have one.
    tied = (
        courses_api.learners_of_organization(
            organization_id=achievement.organization_id, learner_ids=learner_ids
        )
        if names_masked
        else set()
    )
    standing = set(
        Credential.objects.filter(
            achievement=achievement, learner_id__in=learner_ids, revoked_at__isnull=True
        ).values_list("learner_id", "offering_id")
    )
    seen: set[tuple[int, uuid.UUID | None]] = set()
    preview = Preview()
    for position, (line, contact, learner_id, offering_id, completed) in enumerate(wanted):
        if position in refusals:
            outcome, message = refusals[position]
            preview.rows.append(PreviewRow(line, contact, outcome, message=message))
            continue
        person = people.get(learner_id) if learner_id else None
        if person is None:
            preview.rows.append(PreviewRow(line, contact, Outcome.UNKNOWN))
            continue
        key = (person.id, offering_id)
        if key in seen:
            outcome = Outcome.DUPLICATE
        elif key in standing:
            outcome = Outcome.ALREADY
        elif not completed:
            outcome = Outcome.NOT_COMPLETED
        elif not (person.has_verified_email or person.phone):
            outcome = Outcome.NO_IDENTITY
        else:
            outcome = Outcome.ISSUE
        seen.add(key)
        preview.rows.append(
            PreviewRow(
                line,
                contact or _mask(person),
                outcome,
                learner_id=person.id,
                name=person_name_masked(person.full_name) if names_masked else person.full_name,
                offering_id=offering_id,
                is_tied=(person.id in tied) if names_masked else None,
            )
        )
    return preview


def preview_offering(*, achievement: Achievement, offering_id: uuid.UUID) -> Preview:
    """Everyone whose result in the offering was decided. NotFound (before anything about
    the class is read) if the offering is not a class of the achievement's organization of
    a course the achievement rewards (`offerings_check`); ValidationError if it has no decided
    result yet."""
    offerings_check(achievement=achievement, offering_ids={offering_id})
    completions = courses_api.completions_of_offering(offering_id=offering_id)
    if not completions:
        raise ValidationError(
            {"offering": [_("Lớp này chưa có kết quả: hãy chốt kết quả lớp trước.")]}
        )
    if completions[0].course_id not in achievement.course_ids:
        raise ValidationError(
            {"offering": [_("Lớp này không thuộc khóa học gắn với mẫu chứng chỉ.")]}
        )
    people = profiles_api.persons_get(user_ids={c.learner_id for c in completions})
    return _classify(
        achievement,
        people,
        [
            (line, "", c.learner_id, offering_id, c.is_completed)
            for line, c in enumerate(completions, start=1)
        ],
        names_masked=False,
    )


def preview_contacts(
    *, achievement: Achievement, rows: list[tuple[int, str, uuid.UUID | None]]
) -> Preview:
    """Rows of (line, email or phone, offering or None), e.g. from a CSV file or the form for
    one learner; a few queries whatever the number of rows. A person is found only by an
    exact e-mail address or phone number (`profiles.api.contacts_match`: no part of one, no
    name) and named by a masked name with their tie to the organization (`is_tied`). A
    contact that is not a valid e-mail address or phone number is an INVALID_CONTACT row
    whose label says why (the message of `phone_normalise` for a phone); a phone number
    several people share is a SHARED_PHONE row (nobody is guessed); one that names nobody,
    UNKNOWN. Raises NotFound, before anyone is looked up, when a row names a class out of
    the achievement's scope (`offerings_check`; `file_rows_check` names the lines). Reads
    only."""
    offerings_check(
        achievement=achievement, offering_ids={offering_id for _l, _c, offering_id in rows}
    )
    matches = profiles_api.contacts_match(contacts=[contact for _line, contact, _o in rows])
    people = {
        contact: match.people[0] for contact, match in matches.items() if len(match.people) == 1
    }
    completions = courses_api.completions_of_learners(
        pairs={
            (people[contact].id, offering_id)
            for _line, contact, offering_id in rows
            if contact in people and offering_id is not None
        }
    )

    def completed(learner_id: int, offering_id: uuid.UUID | None) -> bool:
        if offering_id is None:
            return True  # the issuer vouches; no course to check
        completion = completions.get((learner_id, offering_id))
        return (
            completion is not None
            and completion.is_completed
            and completion.course_id in achievement.course_ids
        )

    wanted: list[tuple[int, str, int | None, uuid.UUID | None, bool]] = []
    refusals: dict[int, tuple[str, str]] = {}
    for line, contact, offering_id in rows:
        match = matches.get(contact)
        if match is not None and match.error:
            refusals[len(wanted)] = (Outcome.INVALID_CONTACT, match.error)
        elif match is not None and len(match.people) > 1:
            refusals[len(wanted)] = (Outcome.SHARED_PHONE, str(SHARED_PHONE_ADVICE))
        person = people.get(contact)
        learner_id = person.id if person is not None else None
        wanted.append(
            (
                line,
                contact,
                learner_id,
                offering_id,
                learner_id is not None and completed(learner_id, offering_id),
            )
        )
    return _classify(
        achievement,
        {person.id: person for person in people.values()},
        wanted,
        refusals,
        names_masked=True,
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


def reason_clean(reason: str) -> str:
    """The written reason for issuing without a class as it is kept: NFC, control and format
    characters dropped, whitespace collapsed. Raises ReasonRequired when it is shorter than
    REASON_MIN_LENGTH or longer than REASON_MAX_LENGTH characters."""
    visible = "".join(
        " " if unicodedata.category(char)[0] == "C" else char
        for char in unicodedata.normalize("NFC", reason or "")
    )
    cleaned = " ".join(visible.split())
    if len(cleaned) < REASON_MIN_LENGTH:
        raise ReasonRequired(
            _(
                "Cấp chứng chỉ không theo lớp học cần ghi lý do (ít nhất %(min)d ký tự), ví dụ: "
                "“Đã dự đủ các buổi tập huấn tại xã ngày 12/10 nhưng chưa có trên hệ thống”."
            )
            % {"min": REASON_MIN_LENGTH}
        )
    if len(cleaned) > REASON_MAX_LENGTH:
        raise ReasonRequired(
            _("Lý do dài %(length)d ký tự; tối đa %(max)d ký tự.")
            % {"length": len(cleaned), "max": REASON_MAX_LENGTH}
        )
    return cleaned


@transaction.atomic
def batch_create(
    *,
    actor: Any,
    achievement: Achievement,
    source: str,
    rows: list[tuple[int, uuid.UUID | None]],
    offering_id: uuid.UUID | None = None,
    reason: str = "",
    reason_confirmed: bool = False,
    request_digest: str = "",
) -> IssuanceBatch:
    """One request per (learner, offering), and their jobs, in one transaction; the worker
    checks each again. Idempotent on `request_digest` (`request_digest()`: the signed plan
    confirmed, an Idempotency-Key) when one is given: a second call with it raises
    BatchAlreadyRequested naming the first batch and writes nothing (a unique constraint keeps
    this true under concurrency). Without one each call is a new batch (the worker never
    issues a second standing credential).

    Rows without an offering issue without a class: they need `reason` (`reason_clean`), and
    those of learners never in a class of the achievement's organization
    (`courses.api.learners_of_organization`, asked here, whatever the preview said) need
    `reason_confirmed`. The reason and the confirmation are kept on the batch, and each such
    learner gets an audit row `credential.issue_without_class_requested` (actor, learner,
    achievement, reason, tie, confirmation) besides the batch's `credential.batch_requested`.

    Raises NotPermitted unless `actor` issues for the achievement's organization, NotFound
    when an offering (of a row, or `offering_id`) is out of the achievement's scope
    (`offerings_check`), ValidationError (no row, too many), ReasonRequired,
    NoTieToOrganization, BatchAlreadyRequested; nothing is written then."""
    if not may_manage_achievement(actor, achievement):
        raise NotPermitted(_("Chỉ quản trị cấp chứng chỉ của đơn vị mới cấp được chứng chỉ này."))
    if request_digest:
        earlier = IssuanceBatch.objects.filter(
            request_digest=request_digest, achievement=achievement
        ).first()
        if earlier is not None:
            raise BatchAlreadyRequested(earlier)
    offerings_check(
        achievement=achievement,
        offering_ids={offering_id, *(row_offering for _learner, row_offering in rows)},
    )
    unique_rows = list(dict.fromkeys(rows))
    if not unique_rows:
        raise ValidationError(_("Không có ai để cấp chứng chỉ."))
    if len(unique_rows) > BATCH_MAX:
        raise ValidationError(_("Một đợt cấp tối đa %(max)s người.") % {"max": f"{BATCH_MAX:,}"})
    without_class = {learner_id for learner_id, row_offering in unique_rows if row_offering is None}
    tied: set[int] = set()
    if without_class:
        reason = reason_clean(reason)
        tied = courses_api.learners_of_organization(
            organization_id=achievement.organization_id, learner_ids=without_class
        )
        if without_class - tied and not reason_confirmed:
            raise NoTieToOrganization(len(without_class - tied))
    else:
        reason, reason_confirmed = "", False
    try:
        with transaction.atomic():
            batch = IssuanceBatch.objects.create(
                achievement=achievement,
                source=source,
                offering_id=offering_id,
                created_by=actor,
                reason=reason,
                is_reason_confirmed=reason_confirmed,
                request_digest=request_digest,
            )
    except IntegrityError:
        # The same request at the same moment: the other one's batch has just committed.
        earlier = IssuanceBatch.objects.filter(
            request_digest=request_digest, achievement=achievement
        ).first()
        if not request_digest or earlier is None:
            raise
        raise BatchAlreadyRequested(earlier) from None
    issuances = Issuance.objects.bulk_create(
        [
            Issuance(
                achievement=achievement,
                learner_id=learner_id,
                offering_id=row_offering_id,
                batch=batch,
                requested_by=actor,
            )
            for learner_id, row_offering_id in unique_rows
        ]
    )
    issuances_enqueue_on_commit(issuances)
    audit_record(
        actor=actor,
        action="credential.batch_requested",
        object_type="issuance_batch",
        object_id=batch.public_id,
        details={
            "achievement": str(achievement.public_id),
            "source": source,
            "count": len(unique_rows),
            "without_class": len(without_class),
        },
    )
    if without_class:
        people = profiles_api.persons_get(user_ids=without_class)
        for request in issuances:
            if request.offering_id is not None:
                continue
            person = people.get(request.learner_id)
            audit_record(
                actor=actor,
                action="credential.issue_without_class_requested",
                object_type="issuance",
                object_id=request.public_id,
                details={
                    "achievement": str(achievement.public_id),
                    "learner": str(person.public_id) if person is not None else "",
                    "batch": str(batch.public_id),
                    "reason": reason,
                    "has_tie": request.learner_id in tied,
                    "reason_confirmed": reason_confirmed,
                },
            )
    return batch
