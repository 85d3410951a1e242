"""Who would get a credential, before anything is written: the completers of an offering,
or learners found by a contact (one learner, a file's rows): who gets one, who already has
one, who cannot and why. The preview predicts; the worker decides.

Privacy: a learner found by a contact is found only by an exact e-mail address or phone number
and shown by a masked name ("Nguyễn T. L.") and whether they were ever in a class of the
organization; a whole name is shown only for the completers of one of its classes.
"""

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses import api as courses_api
from credentials.models import Achievement, Credential
from learnprofile.errors import NotFound
from learnprofile.formatting import person_name_masked
from profiles import api as profiles_api
from profiles.data import PersonData


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
