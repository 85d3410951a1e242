"""Writes to the learning record ledger. Each function owns its transaction and audit row."""

import logging
import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, NotFound, NotPermitted
from profiles import permissions
from profiles.data import LearningCategory, LearningRecordKind
from profiles.evidence import CheckedEvidence
from profiles.models import CitizenProfile, EvidenceFile, LearningRecord, Organization, User

logger = logging.getLogger(__name__)

SELF_REPORT_SOURCE_APP = "profiles"


class SourceBelongsToAnotherCitizen(Conflict):
    code = "source_belongs_to_another_citizen"


class RecordNotPendingVerification(Conflict):
    code = "record_not_pending_verification"


def _occurred_on(started_on: date | None, ended_on: date | None) -> date:
    return ended_on or started_on or timezone.localdate()


@transaction.atomic
def learning_record_add(
    *,
    citizen_id: int,
    kind: str,
    title: str,
    category: str,
    source_app: str,
    source_id: str,
    hours: Decimal = Decimal(0),
    started_on: date | None = None,
    ended_on: date | None = None,
    provider_organization_id: int | None = None,
    provider_name: str = "",
    url: str = "",
    description: str = "",
) -> tuple[LearningRecord, bool]:
    """Record a learning event that happened in another app (a completion, hours, a credential).

    Idempotent on (`source_app`, `source_id`): a second call returns the first row unchanged
    and `created=False`; concurrent calls are settled by the unique constraint. The source is
    authoritative, so the row is verified by the provider organization. Raises
    ValidationError for bad values, SourceBelongsToAnotherCitizen if the source was already
    recorded for someone else.
    """
    existing = LearningRecord.objects.filter(source_app=source_app, source_id=source_id).first()
    if existing is not None:
        if existing.citizen_id != citizen_id:
            raise SourceBelongsToAnotherCitizen(_("Nguồn này đã được ghi cho một người học khác."))
        return existing, False
    now = timezone.now()
    record = LearningRecord(
        citizen_id=citizen_id,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        category=category,
        hours=hours,
        started_on=started_on,
        ended_on=ended_on,
        occurred_on=_occurred_on(started_on, ended_on),
        provider_organization_id=provider_organization_id,
        provider_name=provider_name.strip(),
        url=url,
        source_app=source_app,
        source_id=source_id,
        verification_status=LearningRecord.Verification.VERIFIED,
        verified_at=now,
    )
    # The unique source is settled by the database below (a concurrent writer may have just
    # inserted it); the other constraints are checked here for a clear message.
    record.full_clean(
        exclude=["citizen", "provider_organization"],
        validate_unique=False,
        validate_constraints=False,
    )
    if started_on and ended_on and ended_on < started_on:
        raise ValidationError({"ended_on": [_("Ngày kết thúc phải sau ngày bắt đầu.")]})
    record, created = LearningRecord.objects.get_or_create(
        source_app=source_app,
        source_id=source_id,
        defaults={
            field.attname: getattr(record, field.attname)
            for field in LearningRecord._meta.concrete_fields
            if not field.primary_key
        },
    )
    if not created:
        # Lost a race with a concurrent writer of the same source: same answer as above.
        if record.citizen_id != citizen_id:
            raise SourceBelongsToAnotherCitizen(_("Nguồn này đã được ghi cho một người học khác."))
        return record, False
    audit_record(
        actor=None,
        action="learning_record.added",
        object_type="learning_record",
        object_id=record.public_id,
        details={"source_app": source_app, "kind": kind},
    )
    return record, True


@transaction.atomic
def learning_record_revoke(*, source_app: str, source_id: str, reason: str) -> LearningRecord:
    """Mark a source's record revoked (a credential withdrawn, a completion annulled).

    The row stays: history is never deleted. Idempotent: revoking again keeps the first
    time and reason. Locks the row. Raises NotFound if the source was never recorded.
    """
    record = (
        LearningRecord.objects.select_for_update()
        .filter(source_app=source_app, source_id=source_id)
        .first()
    )
    if record is None:
        raise NotFound(_("Không có bản ghi học tập nào từ nguồn này."))
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.revoke_reason = reason[:300]
        record.is_public = False
        record.save(update_fields=["revoked_at", "revoke_reason", "is_public", "updated_at"])
        audit_record(
            actor=None,
            action="learning_record.revoked",
            object_type="learning_record",
            object_id=record.public_id,
            details={"source_app": source_app},
        )
    return record


def learning_record_self_report(
    *,
    actor: User,
    title: str,
    category: str,
    hours: Decimal,
    started_on: date | None,
    ended_on: date | None,
    provider_name: str = "",
    description: str = "",
    url: str = "",
    verifier_organization: Organization | None = None,
    evidence: Sequence[CheckedEvidence] = (),
) -> LearningRecord:
    """A citizen records learning done elsewhere, with evidence files already checked.

    Writes the record and its evidence rows in one transaction; files are written to private
    storage inside it and removed again if it fails, so nothing is half-written. Asking an
    organization to verify puts the record in its staff's queue.
    """
    if verifier_organization is not None and not verifier_organization.is_approved:
        raise ValidationError({"verifier_organization": [_("Đơn vị này chưa được duyệt.")]})
    saved_names: list[str] = []
    try:
        with transaction.atomic():
            record = LearningRecord(
                citizen=actor,
                kind=LearningRecordKind.SELF_REPORTED,
                title=title.strip(),
                description=description.strip(),
                category=category,
                hours=hours,
                started_on=started_on,
                ended_on=ended_on,
                occurred_on=_occurred_on(started_on, ended_on),
                provider_name=provider_name.strip(),
                url=url,
                source_app=SELF_REPORT_SOURCE_APP,
                verifier_organization=verifier_organization,
                verification_status=(
                    LearningRecord.Verification.PENDING
                    if verifier_organization is not None
                    else LearningRecord.Verification.UNVERIFIED
                ),
            )
            record.source_id = f"self:{record.public_id}"
            _check_dates(started_on, ended_on)
            record.full_clean(exclude=["citizen"], validate_unique=False)
            record.save()
            for item in evidence:
                evidence_file = EvidenceFile(
                    record=record,
                    owner=actor,
                    original_name=item.original_name,
                    content_type=item.content_type,
                    size=item.size,
                    sha256=item.sha256,
                )
                evidence_file.file.save("evidence", item.upload, save=False)
                saved_names.append(evidence_file.file.name)
                evidence_file.save()
            audit_record(
                actor=actor,
                action="learning_record.self_reported",
                object_type="learning_record",
                object_id=record.public_id,
                details={
                    "evidence_files": len(saved_names),
                    "verifier_organization": str(verifier_organization.public_id)
                    if verifier_organization is not None
                    else None,
                },
            )
    except BaseException:
        storage = EvidenceFile._meta.get_field("file").storage
        for name in saved_names:
            storage.delete(name)
        raise
    return record


def _check_dates(started_on: date | None, ended_on: date | None) -> None:
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if started_on and started_on > today:
        errors["started_on"] = [str(_("Ngày bắt đầu không thể ở tương lai."))]
    if ended_on and ended_on > today:
        errors["ended_on"] = [str(_("Ngày kết thúc không thể ở tương lai."))]
    if started_on and ended_on and ended_on < started_on:
        errors["ended_on"] = [str(_("Ngày kết thúc phải sau ngày bắt đầu."))]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def learning_record_decide(
    *, actor: User, record_id: uuid.UUID, is_verified: bool, reason: str
) -> LearningRecord:
    """Staff of the asked organization verify or reject a pending self-reported record.

    A rejection needs a reason. Locks the row, so two staff deciding at once cannot both
    win. Raises NotFound when the record is not in the actor's queue (no hint that it
    exists), RecordNotPendingVerification when already decided.
    """
    record = LearningRecord.objects.select_for_update().filter(public_id=record_id).first()
    if record is None or not permissions.may_verify_record(actor, record):
        raise NotFound(_("Không tìm thấy bản ghi cần xác nhận."))
    if record.verification_status != LearningRecord.Verification.PENDING:
        raise RecordNotPendingVerification(_("Bản ghi này đã được xử lý."))
    reason = reason.strip()
    if not is_verified and not reason:
        raise ValidationError({"reason": [_("Hãy cho người học biết lý do từ chối.")]})
    record.verification_status = (
        LearningRecord.Verification.VERIFIED
        if is_verified
        else LearningRecord.Verification.REJECTED
    )
    record.verified_by_id = actor.pk
    record.verified_at = timezone.now()
    record.verification_note = reason[:500]
    record.save(
        update_fields=[
            "verification_status",
            "verified_by",
            "verified_at",
            "verification_note",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="learning_record.verified" if is_verified else "learning_record.rejected",
        object_type="learning_record",
        object_id=record.public_id,
    )
    return record


@transaction.atomic
def learning_record_withdraw(*, actor: User, record_id: uuid.UUID) -> LearningRecord:
    """A citizen withdraws their own self-reported record: it is marked, not deleted."""
    record = (
        LearningRecord.objects.select_for_update()
        .filter(public_id=record_id, citizen=actor)
        .first()
    )
    if record is None or not record.is_self_reported:
        raise NotFound(_("Không tìm thấy bản ghi."))
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.revoke_reason = "withdrawn_by_citizen"
        record.is_public = False
        record.save(update_fields=["revoked_at", "revoke_reason", "is_public", "updated_at"])
        audit_record(
            actor=actor,
            action="learning_record.withdrawn",
            object_type="learning_record",
            object_id=record.public_id,
        )
    return record


@transaction.atomic
def learning_records_publish(*, actor: User, public_record_ids: set[uuid.UUID]) -> int:
    """Choose which of the actor's records appear on their public profile: exactly those
    listed (revoked and rejected ones never do). Ids of other people's records are ignored
    by construction: the update is scoped to the actor. Returns how many are public."""
    mine = LearningRecord.objects.filter(citizen=actor)
    publishable = mine.filter(public_id__in=public_record_ids, revoked_at__isnull=True).exclude(
        verification_status=LearningRecord.Verification.REJECTED
    )
    if len(public_record_ids) != publishable.count():
        raise NotPermitted(_("Có bản ghi không thể hiện công khai."))
    mine.exclude(public_id__in=public_record_ids).filter(is_public=True).update(
        is_public=False, updated_at=timezone.now()
    )
    count = publishable.filter(is_public=False).update(is_public=True, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="learning_record.public_selection_changed",
        object_type="user",
        object_id=actor.public_id,
        details={"newly_public": count, "public": len(public_record_ids)},
    )
    return len(public_record_ids)


@transaction.atomic
def learning_goals_update(
    *, actor: User, profile: CitizenProfile, interests: list[str], yearly_hours_goal: int | None
) -> CitizenProfile:
    """Set the categories the citizen wants to learn next and their yearly hours goal."""
    unknown = set(interests) - set(LearningCategory.values)
    if unknown:
        raise ValidationError({"learning_interests": [_("Lĩnh vực không hợp lệ.")]})
    profile.learning_interests = [value for value in LearningCategory.values if value in interests]
    profile.yearly_hours_goal = yearly_hours_goal
    profile.full_clean(exclude=["user", "national_id_hash"])
    profile.save(update_fields=["learning_interests", "yearly_hours_goal", "updated_at"])
    audit_record(
        actor=actor, action="profile.goals_updated", object_type="profile", object_id=profile.pk
    )
    return profile
