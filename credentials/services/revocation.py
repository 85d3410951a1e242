"""Revoking and re-issuing credentials (the issuer administrator's acts on one credential).

Revoke: set the status bit, mark the ledger row, audit, with a reason. Re-issue: revoke with
the reason REISSUED_REASON and issue a new credential with what holds today, in one
transaction.
"""

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credentials import documents
from credentials.models import REVOKE_REASON_REISSUED, Credential
from credentials.permissions import may_manage_achievement
from credentials.services import status
from credentials.services.issuance import credential_issue
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, NotFound, NotPermitted
from learnprofile.text import person_name_normalise
from profiles import api as profiles_api
from profiles.api import User

# The reason a re-issued credential's predecessor is revoked with (the audit action says
# credential.reissued).
REISSUED_REASON = REVOKE_REASON_REISSUED


@transaction.atomic
def credential_reissue(
    *, actor: User, credential_id: uuid.UUID, now: datetime | None = None
) -> Credential:
    """Re-issue a standing credential with what holds today (the holder's name, when it
    really changed): a new credential is signed, the old one is revoked with the reason
    REISSUED_REASON, each audited, the re-issue too (`credential.reissued`, old and new ids).
    The ledger keeps one standing row (the old one revoked, the new one added). One
    transaction: a refusal (the learner no longer eligible) leaves the old one standing.
    Locks the old credential. Raises NotFound, NotPermitted, Conflict (already revoked, or
    the name on file is the signed one: nothing to re-issue), NotEligible."""
    old = (
        Credential.objects.select_for_update(of=("self",))
        .select_related("achievement")
        .filter(public_id=credential_id)
        .first()
    )
    if old is None:
        raise NotFound(_("Không tìm thấy chứng chỉ."))
    if actor is None or not may_manage_achievement(actor, old.achievement):
        raise NotPermitted(_("Chỉ quản trị cấp chứng chỉ của đơn vị mới cấp lại được chứng chỉ."))
    if old.revoked_at is not None:
        raise Conflict(_("Chứng chỉ này đã bị thu hồi, không cấp lại được."))
    person = profiles_api.person_get(user_id=old.learner_id)
    if person is not None and documents.holder_name(old.document) == person_name_normalise(
        person.full_name
    ):
        raise Conflict(_("Tên trên hồ sơ vẫn là tên đã ký: không cần cấp lại."))
    credential_revoke(actor=actor, credential_id=old.public_id, reason=REISSUED_REASON)
    old.refresh_from_db()
    new, _created = credential_issue(
        actor=actor,
        achievement_id=old.achievement.public_id,
        learner_id=old.learner_id,
        offering_id=old.offering_id,
        now=now,
        replaces=old,
    )
    audit_record(
        actor=actor,
        action="credential.reissued",
        object_type="credential",
        object_id=new.public_id,
        details={"replaces": str(old.public_id)},
    )
    return new


@transaction.atomic
def credential_revoke(*, actor: User, credential_id: uuid.UUID, reason: str) -> Credential:
    """Revoke with a reason: the status bit is set, the ledger row marked, the act audited.
    Idempotent. Raises NotFound, NotPermitted, ValidationError (no reason)."""
    credential = (
        Credential.objects.select_for_update(of=("self",))
        .select_related("achievement", "status_index")
        .filter(public_id=credential_id)
        .first()
    )
    if credential is None:
        raise NotFound(_("Không tìm thấy chứng chỉ."))
    if actor is None or not may_manage_achievement(actor, credential.achievement):
        raise NotPermitted(_("Chỉ quản trị cấp chứng chỉ của đơn vị mới thu hồi được chứng chỉ."))
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": [_("Hãy ghi lý do thu hồi.")]})
    if credential.revoked_at is not None:
        return credential
    credential.revoked_at = timezone.now()
    credential.revoke_reason = reason[:300]
    credential.revoked_by_id = actor.pk
    credential.save(update_fields=["revoked_at", "revoke_reason", "revoked_by"])
    status.status_bit_set(position=credential.status_index)
    profiles_api.learning_record_revoke(
        source_app="credentials", source_id=f"credential:{credential.public_id}", reason=reason
    )
    audit_record(
        actor=actor,
        action="credential.revoked",
        object_type="credential",
        object_id=credential.public_id,
        details={"reason": reason[:300]},
    )
    return credential
