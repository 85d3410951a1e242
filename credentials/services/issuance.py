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
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import api as courses_api
from courses.data import CompletionData
from credentials import cryptosuite, documents
from credentials.models import Achievement, Credential, Issuance, SigningKey, StatusIndex
from credentials.permissions import may_manage_achievement
from credentials.services import keys, status
from learnprofile.absolute_urls import absolute_url
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, NotFound, NotPermitted
from notices import api as notices_api
from notices.data import NoticeKind
from profiles import api as profiles_api
from profiles.api import User
from profiles.data import LearningRecordKind, OrganizationData, PersonData

logger = logging.getLogger(__name__)


class NotEligible(Conflict):
    code = "not_eligible"


def credential_url(public_id: uuid.UUID) -> str:
    """The credential's public page, its signed `id`: `<SITE_URL>/credentials/<uuid>`."""
    return absolute_url("credential_page", kwargs={"credential_id": public_id})


def achievement_url(public_id: uuid.UUID) -> str:
    """The achievement's public page, its signed `id`: `<SITE_URL>/achievements/<uuid>`."""
    return absolute_url("achievement_page", kwargs={"achievement_id": public_id})


def _may_issue(actor: User | None, achievement: Achievement) -> bool:
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


@dataclass(frozen=True)
class _Subject:
    """Who and what a credential is issued for, read and checked before anything is
    written: the completion behind it (None without a class), the holder, the identity
    signed for them (its kind, email or phone, and the normalised value) and the issuer."""

    achievement: Achievement
    learner_id: int
    offering_id: uuid.UUID | None
    completion: CompletionData | None
    person: PersonData
    identity_kind: str
    identity: str
    organization: OrganizationData


def credential_issue(
    *,
    actor: User | None,
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
    achievement = _achievement_issuable(actor=actor, achievement_id=achievement_id)
    standing = _standing(achievement, learner_id, offering_id)
    if standing is not None:
        return standing, False
    subject = _subject_checked(
        achievement=achievement, learner_id=learner_id, offering_id=offering_id
    )
    now = now or timezone.now()
    public_id = uuid.uuid4()
    key = keys.signing_key_active(organization=subject.organization)
    position = status.status_index_allocate(organization_id=subject.organization.id)
    valid_from, valid_until = _validity_window(achievement, now=now, replaces=replaces)
    document = _document_build(
        subject,
        public_id=public_id,
        position=position,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    signed = _document_sign(document, organization=subject.organization, key=key, now=now)
    return _credential_store(
        subject,
        actor=actor,
        public_id=public_id,
        position=position,
        signed=signed,
        valid_until=valid_until,
        issuance=issuance,
        replaces=replaces,
    )


def _achievement_issuable(*, actor: User | None, achievement_id: uuid.UUID) -> Achievement:
    """The active achievement, if `actor` may issue it. Raises NotFound, NotPermitted."""
    achievement = Achievement.objects.filter(public_id=achievement_id, is_active=True).first()
    if achievement is None:
        raise NotFound(_("Không tìm thấy mẫu chứng chỉ."))
    if not _may_issue(actor, achievement):
        raise NotPermitted(_("Chỉ quản trị cấp chứng chỉ của đơn vị mới cấp được chứng chỉ này."))
    return achievement


def _subject_checked(
    *, achievement: Achievement, learner_id: int, offering_id: uuid.UUID | None
) -> _Subject:
    """The eligibility checked again (a completion of a linked course, when there is an
    offering), the identity to sign (the verified email, else the phone) and the issuer.
    Raises NotEligible (logged with its reason), NotFound (learner or issuer gone)."""
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
    return _Subject(
        achievement=achievement,
        learner_id=learner_id,
        offering_id=offering_id,
        completion=completion,
        person=person,
        identity_kind=identity_kind,
        identity=identity,
        organization=organization,
    )


def _validity_window(
    achievement: Achievement, *, now: datetime, replaces: Credential | None
) -> tuple[datetime, datetime | None]:
    """(validFrom, validUntil): from now for the achievement's days of validity (None: no
    end); a re-issue keeps the window of the credential it replaces."""
    valid_until = (
        now + timedelta(days=achievement.valid_for_days) if achievement.valid_for_days else None
    )
    valid_from = now
    if replaces is not None:
        valid_until = replaces.valid_until
        valid_from = _parse_utc(replaces.document.get("validFrom")) or replaces.issued_at
    return valid_from, valid_until


def _document_build(
    subject: _Subject,
    *,
    public_id: uuid.UUID,
    position: StatusIndex,
    valid_from: datetime,
    valid_until: datetime | None,
) -> dict[str, Any]:
    """The unsigned OB 3.0 document (documents.credential_build) from the checked subject."""
    achievement, completion = subject.achievement, subject.completion
    return documents.credential_build(
        credential_id=credential_url(public_id),
        issuer=documents.IssuerInfo(
            id=keys.issuer_did(subject.organization),
            name=subject.organization.name,
            url=absolute_url("home"),
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
            identity_kind=subject.identity_kind,
            identity=subject.identity,
            salt=documents.identity_salt(),
            attendance_percent=completion.attendance_percent if completion else None,
            name=subject.person.full_name,
        ),
        valid_from=valid_from,
        valid_until=valid_until,
        evidence_url=(
            absolute_url("offering_page", kwargs={"offering_id": subject.offering_id})
            if subject.offering_id
            else None
        ),
        evidence_name=completion.course_title if completion else "",
        status=documents.StatusInfo(
            list_credential=status.status_list_url(position.status_list), index=position.index
        ),
    )


def _document_sign(
    document: dict[str, Any], *, organization: OrganizationData, key: SigningKey, now: datetime
) -> dict[str, Any]:
    """The document with its eddsa-rdfc-2022 proof made now with the issuer's `key`. Raises
    ValidationError if the signed document does not match the OB 3.0 schema (a bug, never
    the learner's doing)."""
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
    return signed


def _credential_store(
    subject: _Subject,
    *,
    actor: User | None,
    public_id: uuid.UUID,
    position: StatusIndex,
    signed: dict[str, Any],
    valid_until: datetime | None,
    issuance: Issuance | None,
    replaces: Credential | None,
) -> tuple[Credential, bool]:
    """One transaction: the credential, its ledger row, its audit row, the `issuance`
    request marked issued, and the holder's notice queued on commit (verified email only).
    A credential issued meanwhile by a concurrent call stands instead: (it, False), and
    `position` goes back."""
    achievement = subject.achievement
    with transaction.atomic():
        try:
            with transaction.atomic():
                credential = Credential.objects.create(
                    public_id=public_id,
                    achievement=achievement,
                    learner_id=subject.learner_id,
                    offering_id=subject.offering_id,
                    status_index=position,
                    document=signed,
                    valid_until=valid_until,
                    replaces=replaces,
                )
        except IntegrityError:
            standing = _standing(achievement, subject.learner_id, subject.offering_id)
            if standing is None:
                raise
            # Issued by a concurrent call in the meantime: that one stands; the position
            # drawn for this one goes back.
            status.status_index_release(position=position)
            return standing, False
        _learning_record_add(subject, public_id=public_id)
        audit_record(
            actor=actor,
            action="credential.issued",
            object_type="credential",
            object_id=public_id,
            details={
                "achievement": str(achievement.public_id),
                "offering": str(subject.offering_id or ""),
            },
        )
        if issuance is not None:
            Issuance.objects.filter(pk=issuance.pk, status=Issuance.Status.PENDING).update(
                status=Issuance.Status.ISSUED, credential=credential, finished_at=timezone.now()
            )
        if subject.person.has_verified_email:
            _issued_notice_enqueue_on_commit(subject, public_id=public_id, signed=signed)
    return credential, True


def _learning_record_add(subject: _Subject, *, public_id: uuid.UUID) -> None:
    """The credential's row in the learner's ledger (profiles.api), in the caller's
    transaction."""
    achievement, completion, organization = (
        subject.achievement,
        subject.completion,
        subject.organization,
    )
    profiles_api.learning_record_add(
        citizen_id=subject.learner_id,
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


def _issued_notice_enqueue_on_commit(
    subject: _Subject, *, public_id: uuid.UUID, signed: dict[str, Any]
) -> None:
    """The holder's `credential_issued` notice, queued in the caller's transaction."""
    notices_api.notice_enqueue_on_commit(
        kind=NoticeKind.CREDENTIAL_ISSUED,
        recipient_id=subject.learner_id,
        object_ref=f"credential:{public_id}",
        # What was signed, never the profile of the day the e-mail is sent.
        context={
            "name": documents.holder_name(signed) or "",
            "valid_from": signed["validFrom"],
            "achievement": subject.achievement.name_vi,
            "achievement_en": subject.achievement.name_en,
            "issuer": subject.organization.name,
            "link": credential_url(public_id),
        },
    )


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
