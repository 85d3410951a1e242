"""Issuing credentials (the synchronous core that the issuance job calls); revoking and
re-issuing are in `revocation.py`.

Issue: check eligibility again at issue time (the learner completed an offering of a linked
course), name the learner by a salted hash of their verified email or their phone, take a
random status position, build, sign with the issuer's active key, check the schema, store, and
add the credential to the learner's ledger. Exactly once: a standing credential for the same
(learner, achievement, offering) is returned instead, and the database's unique constraint
holds under any race.
"""

import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import api as courses_api
from credentials import cryptosuite, documents
from credentials.models import Achievement, Credential, Issuance
from credentials.permissions import may_manage_achievement
from credentials.services import keys, status
from learnprofile.absolute_urls import absolute_url
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, NotFound, NotPermitted
from profiles import api as profiles_api
from profiles.data import LearningRecordKind, NoticeKind

logger = logging.getLogger(__name__)


class NotEligible(Conflict):
    code = "not_eligible"


def credential_url(public_id: uuid.UUID) -> str:
    """The credential's public page, its signed `id`: `<SITE_URL>/credentials/<uuid>`."""
    return absolute_url("credential_page", kwargs={"credential_id": public_id})


def achievement_url(public_id: uuid.UUID) -> str:
    """The achievement's public page, its signed `id`: `<SITE_URL>/achievements/<uuid>`."""
    return absolute_url("achievement_page", kwargs={"achievement_id": public_id})


def _may_issue(actor: Any, achievement: Achievement) -> bool:
    """The system (actor None: automatic issuance) or an issuer administrator of the issuer."""
    if actor is None:
        return True
    return may_manage_achievement(actor, achievement)


def _refuse(achievement: Achievement, learner_id: int, reason: str) -> NotEligible:
    logger.info(
        "credential.not_eligible",
        extra={"achievement": str(achievement.public_id), "learner": learner_id, "reason": reason},
    )
    return NotEligible(reason)


def credential_issue(
    *,
    actor: Any,
    achievement_id: uuid.UUID,
    learner_id: int,
    offering_id: uuid.UUID | None,
    now: datetime | None = None,
    issuance: Issuance | None = None,
    replaces: Credential | None = None,
) -> tuple[Credential, bool]:
    """Issue (or return the standing) credential; (credential, created). Raises NotFound,
    NotPermitted (not an issuer administrator of the issuer), NotEligible (with the reason,
    also logged).

    Three steps, so that no lock is held while signing: the checks (reads); a status position
    (its own short transaction when called outside one); build, sign and check the schema
    (CPU only); then one transaction writes the credential, the ledger row, the audit row
    and, when given, marks the `issuance` request that asked for it as issued.

    `replaces`: a re-issue (credential_reissue) of that credential, already revoked in the
    caller's transaction; the new one keeps its validity window (validFrom, validUntil).
    """
    achievement = Achievement.objects.filter(public_id=achievement_id, is_active=True).first()
    if achievement is None:
        raise NotFound(_("Không tìm thấy mẫu chứng chỉ."))
    if not _may_issue(actor, achievement):
        raise NotPermitted(_("Chỉ quản trị cấp chứng chỉ của đơn vị mới cấp được chứng chỉ này."))
    standing = _standing(achievement, learner_id, offering_id)
    if standing is not None:
        return standing, False
    completion = None
    if offering_id is not None:
        completion = courses_api.completion_get(learner_id=learner_id, offering_id=offering_id)
        if completion is None or not completion.is_completed:
            raise _refuse(achievement, learner_id, str(_("Người học chưa hoàn thành lớp học này.")))
        if completion.course_id not in achievement.course_ids:
            raise _refuse(
                achievement, learner_id, str(_("Khóa học này không gắn với mẫu chứng chỉ."))
            )
    person = profiles_api.person_get(user_id=learner_id)
    if person is None:
        raise NotFound(_("Không tìm thấy người học."))
    if person.has_verified_email:
        identity_kind, identity = "email", person.email.strip().lower()
    elif person.phone:
        identity_kind, identity = "phone", person.phone
    else:
        raise _refuse(
            achievement,
            learner_id,
            str(_("Người học chưa có email đã xác minh hay số điện thoại để ghi trên chứng chỉ.")),
        )
    organization = profiles_api.organization_get_by_id(organization_id=achievement.organization_id)
    if organization is None:
        raise NotFound(_("Không tìm thấy đơn vị cấp."))
    now = now or timezone.now()
    public_id = uuid.uuid4()
    key = keys.signing_key_active(organization=organization)
    position = status.status_index_allocate(organization_id=organization.id)
    valid_until = (
        now + timedelta(days=achievement.valid_for_days) if achievement.valid_for_days else None
    )
    valid_from = now
    if replaces is not None:
        valid_until = replaces.valid_until
        valid_from = _parse_utc(replaces.document.get("validFrom")) or replaces.issued_at
    document = documents.credential_build(
        credential_id=credential_url(public_id),
        issuer=documents.IssuerInfo(
            id=keys.issuer_did(organization), name=organization.name, url=absolute_url("home")
        ),
        achievement=documents.AchievementInfo(
            id=achievement_url(achievement.public_id),
            name=achievement.name_vi,
            description=achievement.description_vi,
            criteria=achievement.criteria,
            achievement_type=achievement.achievement_type,
            credits=achievement.credits,
            hours=achievement.hours or None,
            image_url=(
                absolute_url("achievement_image", kwargs={"achievement_id": achievement.public_id})
                if achievement.image_png
                else None
            ),
        ),
        subject=documents.SubjectInfo(
            identity_kind=identity_kind,
            identity=identity,
            salt=documents.identity_salt(),
            attendance_percent=completion.attendance_percent if completion else None,
            name=person.full_name,
        ),
        valid_from=valid_from,
        valid_until=valid_until,
        evidence_url=(
            absolute_url("offering_page", kwargs={"offering_id": offering_id})
            if offering_id
            else None
        ),
        evidence_name=completion.course_title if completion else "",
        status=documents.StatusInfo(
            list_credential=status.status_list_url(position.status_list), index=position.index
        ),
    )
    signed = cryptosuite.proof_create(
        document=document,
        private_key=keys.signing_key_private(key),
        options=cryptosuite.ProofOptions(
            verification_method=keys.verification_method_id(organization, key),
            created=documents.xsd_datetime(now),
        ),
    )
    errors = documents.schema_errors(signed)
    if errors:
        raise ValidationError(f"An issued credential must match the OB 3.0 schema: {errors[:3]}")
    with transaction.atomic():
        try:
            with transaction.atomic():
                credential = Credential.objects.create(
                    public_id=public_id,
                    achievement=achievement,
                    learner_id=learner_id,
                    offering_id=offering_id,
                    status_index=position,
                    document=signed,
                    valid_until=valid_until,
                    replaces=replaces,
                )
        except IntegrityError:
            standing = _standing(achievement, learner_id, offering_id)
            if standing is None:
                raise
            # Issued by a concurrent call in the meantime: that one stands; the position
            # drawn for this one goes back.
            status.status_index_release(position=position)
            return standing, False
        profiles_api.learning_record_add(
            citizen_id=learner_id,
            kind=LearningRecordKind.CREDENTIAL,
            title=achievement.name_vi,
            category=achievement.category,
            source_app="credentials",
            source_id=f"credential:{public_id}",
            hours=achievement.hours or Decimal(0),
            started_on=completion.starts_on if completion else None,
            ended_on=completion.ends_on if completion else None,
            provider_organization_id=organization.id,
            provider_name=organization.name,
            url=credential_url(public_id),
        )
        audit_record(
            actor=actor,
            action="credential.issued",
            object_type="credential",
            object_id=public_id,
            details={
                "achievement": str(achievement.public_id),
                "offering": str(offering_id or ""),
            },
        )
        if issuance is not None:
            Issuance.objects.filter(pk=issuance.pk, status=Issuance.Status.PENDING).update(
                status=Issuance.Status.ISSUED, credential=credential, finished_at=timezone.now()
            )
        if person.has_verified_email:
            profiles_api.notice_enqueue_on_commit(
                kind=NoticeKind.CREDENTIAL_ISSUED,
                recipient_id=learner_id,
                object_ref=f"credential:{public_id}",
                # What was signed, never the profile of the day the e-mail is sent.
                context={
                    "name": documents.holder_name(signed) or "",
                    "valid_from": signed["validFrom"],
                    "achievement": achievement.name_vi,
                    "achievement_en": achievement.name_en,
                    "issuer": organization.name,
                    "link": credential_url(public_id),
                },
            )
    return credential, True


def _parse_utc(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _standing(
    achievement: Achievement, learner_id: int, offering_id: uuid.UUID | None
) -> Credential | None:
    return Credential.objects.filter(
        achievement=achievement,
        learner_id=learner_id,
        offering_id=offering_id,
        revoked_at__isnull=True,
    ).first()
