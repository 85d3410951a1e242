"""An issuer administrator's batch of issuance requests: to one learner, to the completers of
an offering, or to the rows of a spreadsheet, from a preview (`previews.py`): one request per
learner, written with its jobs in one transaction. The worker decides: eligibility is checked
again when each credential is signed, and a refusal is kept with its reason on the request.

Issuing without a class (no completion behind the credential) needs the administrator's
written reason, kept on the batch and audited for each learner; a learner with no tie to the
organization is refused unless the administrator confirms that reason.
"""

import hashlib
import unicodedata
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses import api as courses_api
from credentials.models import Achievement, Issuance, IssuanceBatch
from credentials.permissions import may_manage_achievement
from credentials.services.pipeline import issuances_enqueue_on_commit
from credentials.services.previews import offerings_check
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, DomainError, NotPermitted
from profiles import api as profiles_api
from profiles.api import User

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
    actor: User,
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
        earlier = _batch_of_request(achievement=achievement, request_digest=request_digest)
        if earlier is not None:
            raise BatchAlreadyRequested(earlier)
    offerings_check(
        achievement=achievement,
        offering_ids={offering_id, *(row_offering for _learner, row_offering in rows)},
    )
    unique_rows = _rows_unique(rows)
    without_class = {learner_id for learner_id, row_offering in unique_rows if row_offering is None}
    reason, reason_confirmed, tied = _without_class_checked(
        achievement=achievement,
        without_class=without_class,
        reason=reason,
        reason_confirmed=reason_confirmed,
    )
    batch = _batch_row_create(
        actor=actor,
        achievement=achievement,
        source=source,
        offering_id=offering_id,
        reason=reason,
        reason_confirmed=reason_confirmed,
        request_digest=request_digest,
    )
    issuances = _requests_create(actor=actor, batch=batch, rows=unique_rows)
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
        _without_class_audit(
            actor=actor,
            batch=batch,
            issuances=issuances,
            without_class=without_class,
            tied=tied,
        )
    return batch


def _batch_of_request(*, achievement: Achievement, request_digest: str) -> IssuanceBatch | None:
    """The batch an earlier request with this digest made, if any."""
    return IssuanceBatch.objects.filter(
        request_digest=request_digest, achievement=achievement
    ).first()


def _rows_unique(rows: list[tuple[int, uuid.UUID | None]]) -> list[tuple[int, uuid.UUID | None]]:
    """The rows without repeats, in their order. Raises ValidationError for none, or more than
    BATCH_MAX."""
    unique_rows = list(dict.fromkeys(rows))
    if not unique_rows:
        raise ValidationError(_("Không có ai để cấp chứng chỉ."))
    if len(unique_rows) > BATCH_MAX:
        raise ValidationError(_("Một đợt cấp tối đa %(max)s người.") % {"max": f"{BATCH_MAX:,}"})
    return unique_rows


def _without_class_checked(
    *, achievement: Achievement, without_class: set[int], reason: str, reason_confirmed: bool
) -> tuple[str, bool, set[int]]:
    """(reason as kept, confirmation, tied): for the learners issued without a class, the
    written reason (`reason_clean`) and those of them who were in a class of the achievement's
    organization (asked now); ("", False, none) when everyone has a class. Raises
    ReasonRequired, or NoTieToOrganization when some have no tie and the reason is not
    confirmed."""
    if not without_class:
        return "", False, set()
    reason = reason_clean(reason)
    tied = courses_api.learners_of_organization(
        organization_id=achievement.organization_id, learner_ids=without_class
    )
    if without_class - tied and not reason_confirmed:
        raise NoTieToOrganization(len(without_class - tied))
    return reason, reason_confirmed, tied


def _batch_row_create(
    *,
    actor: User,
    achievement: Achievement,
    source: str,
    offering_id: uuid.UUID | None,
    reason: str,
    reason_confirmed: bool,
    request_digest: str,
) -> IssuanceBatch:
    """The batch's row. The same request at the same moment (its digest taken by a batch
    that has just committed) raises BatchAlreadyRequested naming that batch."""
    try:
        with transaction.atomic():
            return IssuanceBatch.objects.create(
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
        earlier = _batch_of_request(achievement=achievement, request_digest=request_digest)
        if not request_digest or earlier is None:
            raise
        raise BatchAlreadyRequested(earlier) from None


def _requests_create(
    *, actor: User, batch: IssuanceBatch, rows: list[tuple[int, uuid.UUID | None]]
) -> list[Issuance]:
    """One request per (learner, offering) row, in the batch, each with its job queued after
    the caller's commit."""
    issuances = Issuance.objects.bulk_create(
        [
            Issuance(
                achievement=batch.achievement,
                learner_id=learner_id,
                offering_id=row_offering_id,
                batch=batch,
                requested_by=actor,
            )
            for learner_id, row_offering_id in rows
        ]
    )
    issuances_enqueue_on_commit(issuances)
    return issuances


def _without_class_audit(
    *,
    actor: User,
    batch: IssuanceBatch,
    issuances: list[Issuance],
    without_class: set[int],
    tied: set[int],
) -> None:
    """An audit row `credential.issue_without_class_requested` for each request of the batch
    without an offering (those of the learners `without_class`): the learner (public id),
    the batch's reason and confirmation, and whether they are `tied` to the organization."""
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
                "achievement": str(batch.achievement.public_id),
                "learner": str(person.public_id) if person is not None else "",
                "batch": str(batch.public_id),
                "reason": batch.reason,
                "has_tie": request.learner_id in tied,
                "reason_confirmed": batch.is_reason_confirmed,
            },
        )
