"""Erasure: an account deleted after a cancellable grace period, by a durable job that erases
or anonymises every personal datum (decision 0003)."""

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import IntegrityError, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from learnprofile.audit.models import AuditEvent
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, NotFound
from learnprofile.jobs.models import Job
from learnprofile.jobs.registry import PermanentJobError, job_handler
from profiles.data import LearningRecordKind
from profiles.models import (
    CitizenProfile,
    DataRequest,
    EvidenceFile,
    HouseholdInvitation,
    HouseholdMember,
    LearningRecord,
    PublicProfile,
    User,
)
from profiles.services.households import household_leave
from profiles.services.privacy.data_requests import (
    ERASE_JOB,
    data_request_email_on_commit,
    data_request_new,
)


class DeletionAlreadyRequested(Conflict):
    code = "deletion_already_requested"


@transaction.atomic
def account_deletion_request(*, actor: User) -> DataRequest:
    """Schedule the erasure of the actor's account after the grace period (cancellable
    until then). The caller must have re-authenticated. Idempotent: asking again returns
    the open request."""
    User.objects.select_for_update().filter(pk=actor.pk).first()
    existing = DataRequest.objects.filter(
        user=actor, kind=DataRequest.Kind.DELETION, status=DataRequest.Status.SCHEDULED
    ).first()
    if existing is not None:
        return existing
    now = timezone.now()
    scheduled_for = now + timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    request = data_request_new(
        user=actor,
        kind=DataRequest.Kind.DELETION,
        now=now,
        status=DataRequest.Status.SCHEDULED,
        scheduled_for=scheduled_for,
    )
    request.due_at = scheduled_for + timedelta(hours=settings.DATA_REQUEST_COMPLETE_HOURS)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as error:
        raise DeletionAlreadyRequested(_("Bạn đã yêu cầu xóa tài khoản.")) from error
    data_request_email_on_commit(
        user=actor,
        template="account_deletion_scheduled",
        subject="Tài khoản của bạn sẽ bị xóa",
        context={"request": request},
        dedupe_key=f"privacy.ack:{request.public_id}",
    )
    audit_record(
        actor=actor,
        action="data_request.deletion_requested",
        object_type="data_request",
        object_id=request.public_id,
    )
    return request


@transaction.atomic
def account_deletion_cancel(*, actor: User, request_id: UUID) -> DataRequest:
    """Cancel the actor's scheduled deletion `request_id` (its public id) before the grace
    period ends; the account stays as it is. Locks the request row. Raises NotFound when the
    actor has no such deletion still scheduled (cancelled, done, or someone else's)."""
    request = (
        DataRequest.objects.select_for_update()
        .filter(
            public_id=request_id,
            user=actor,
            kind=DataRequest.Kind.DELETION,
            status=DataRequest.Status.SCHEDULED,
        )
        .first()
    )
    if request is None:
        raise NotFound(gettext_lazy("Không có yêu cầu xóa nào đang chờ."))
    request.status = DataRequest.Status.CANCELLED
    request.cancelled_at = timezone.now()
    request.save(update_fields=["status", "cancelled_at"])
    audit_record(
        actor=actor,
        action="data_request.deletion_cancelled",
        object_type="data_request",
        object_id=request.public_id,
    )
    return request


@job_handler(ERASE_JOB)
def account_erase_job(payload: dict[str, Any]) -> None:
    try:
        public_id = UUID(payload["request_id"])
    except (KeyError, ValueError) as error:
        raise PermanentJobError(f"Bad payload: {payload!r}") from error
    account_erase(request_id=public_id)


def account_erase(*, request_id: UUID) -> bool:
    """Erase or anonymise every personal datum of the requester, in one transaction.

    Kept, without personal data: the user row (anonymous, inactive, new public id) so other
    tables keep their foreign keys; ledger rows from courses and credentials (title, hours,
    dates) for statistics; consent and request history as proof of lawful processing.
    Deleted: profile, email addresses, MFA, tokens, public profile, household membership,
    invitations addressed to the person, self-reported records and every file; job rows
    and admin log texts that mention the email. Idempotent: a done request is skipped.
    Returns whether it erased.
    """
    storage_names: list[str] = []
    with transaction.atomic():
        request = (
            DataRequest.objects.select_for_update()
            .filter(public_id=request_id, kind=DataRequest.Kind.DELETION)
            .first()
        )
        if request is None or request.status != DataRequest.Status.SCHEDULED:
            return False
        if request.scheduled_for is None or request.scheduled_for > timezone.now():
            return False
        user = User.objects.select_for_update().get(pk=request.user_id)
        profile = CitizenProfile.objects.filter(user=user).first()
        email = user.email
        phone = profile.phone if profile is not None else ""

        if HouseholdMember.objects.filter(user=user).exists():
            household_leave(actor=user)
        invitations = HouseholdInvitation.objects.filter(email=email)
        if phone:
            invitations = invitations | HouseholdInvitation.objects.filter(phone=phone)
        invitations.delete()

        for evidence in EvidenceFile.objects.filter(owner=user):
            storage_names.append(evidence.file.name)
        EvidenceFile.objects.filter(owner=user).delete()
        LearningRecord.objects.filter(
            citizen=user,
            kind__in=[LearningRecordKind.SELF_REPORTED, LearningRecordKind.EXTERNAL],
        ).delete()
        LearningRecord.objects.filter(citizen=user).update(
            is_public=False, verification_note="", url=""
        )
        for data_request in DataRequest.objects.filter(user=user).exclude(file=""):
            storage_names.append(data_request.file.name)
        DataRequest.objects.filter(user=user).update(file="")

        PublicProfile.objects.filter(user=user).delete()
        CitizenProfile.objects.filter(user=user).delete()
        _erase_account_tables(user)
        _erase_mentions(
            email=email, phone=phone, full_name=profile.full_name if profile is not None else ""
        )

        user.email = f"erased-{uuid4().hex}@erased.invalid"
        user.public_id = uuid4()
        user.set_unusable_password()
        user.is_active = False
        user.last_login = None
        user.erased_at = timezone.now()
        user.save()

        request.status = DataRequest.Status.COMPLETED
        request.completed_at = timezone.now()
        request.progress = 100
        request.save(update_fields=["status", "completed_at", "progress"])
        audit_record(
            actor=None,
            action="data_request.account_erased",
            object_type="data_request",
            object_id=request.public_id,
        )
        transaction.on_commit(lambda: _files_delete(storage_names))
    return True


def _files_delete(names: list[str]) -> None:
    storage = EvidenceFile._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def _erase_account_tables(user: User) -> None:
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    LogEntry.objects.filter(user=user).update(change_message="")
    AuditEvent.objects.filter(object_type="user", object_id=str(user.public_id)).update(
        object_id="erased"
    )


def _erase_mentions(*, email: str, phone: str, full_name: str) -> None:
    """Rows that hold the person's email, phone or name as text: mail jobs (rendered
    messages) and the admin's log of changed objects. A message still waiting to go to
    someone else is left alone unless it is addressed to the person."""
    jobs = Job.objects.annotate(text=Cast("payload", TextField()))
    for value in (email, phone):
        if value:
            jobs.exclude(status=Job.Status.RUNNING).filter(text__icontains=value).delete()
    finished = jobs.filter(status__in=[Job.Status.DONE, Job.Status.FAILED])
    for value in (email, phone, full_name):
        if value:
            finished.filter(text__icontains=value).delete()
            LogEntry.objects.filter(object_repr__icontains=value).update(object_repr="—")
