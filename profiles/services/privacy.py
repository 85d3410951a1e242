"""The citizen's data rights: consent, the public profile, export and erasure.

Law 91/2025/QH15 on personal data protection and Decree 356/2025: consent is recorded per
purpose with the notice version and is withdrawn as easily as given; a request is
acknowledged within 2 working days (here at once, by email, when it is recorded) and tracked
until done. Exports and erasure run as durable jobs.
"""

import io
import json
import logging
import zipfile
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import holidays
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from learnprofile.absolute_urls import absolute_url
from learnprofile.audit.models import AuditEvent
from learnprofile.audit.services import audit_record
from learnprofile.errors import Conflict, NotFound
from learnprofile.formatting import date_for_people, number_for_people
from learnprofile.jobs.email import email_send_on_commit
from learnprofile.jobs.models import Job
from learnprofile.jobs.registry import PermanentJobError, job_handler
from learnprofile.jobs.services import job_enqueue_on_commit
from learnprofile.pdf import FONT_FAMILY, pdf_document
from profiles.data import LearningCategory, LearningRecordKind
from profiles.models import (
    CitizenProfile,
    ConsentRecord,
    DataRequest,
    EvidenceFile,
    HouseholdInvitation,
    HouseholdMember,
    LearningRecord,
    PublicProfile,
    User,
)
from profiles.personal_data import personal_data_collect
from profiles.services.households import household_leave

logger = logging.getLogger(__name__)

EXPORT_JOB = "privacy.export"
ERASE_JOB = "privacy.erase"
EXPORT_FORMAT = "learnprofile-export/1"


# --- Consent ------------------------------------------------------------------------------


@transaction.atomic
def consent_set(
    *, actor: User, purpose: str, is_granted: bool, channel: str = "web"
) -> ConsentRecord:
    """Grant or withdraw consent for one purpose. Appends a row only when the state changes
    (idempotent), with the current notice version. Locks the person's user row so two
    clicks at once cannot both append."""
    if purpose not in ConsentRecord.Purpose.values:
        raise NotFound(gettext_lazy("Không có mục đích xử lý dữ liệu này."))
    User.objects.select_for_update().filter(pk=actor.pk).first()
    current = (
        ConsentRecord.objects.filter(user=actor, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .first()
    )
    if current is not None and current.is_granted == is_granted:
        return current
    record = ConsentRecord.objects.create(
        user=actor,
        purpose=purpose,
        is_granted=is_granted,
        notice_version=settings.PRIVACY_NOTICE_VERSION,
        channel=channel,
    )
    audit_record(
        actor=actor,
        action="consent.granted" if is_granted else "consent.withdrawn",
        object_type="user",
        object_id=actor.public_id,
        details={"purpose": purpose, "notice_version": record.notice_version},
    )
    return record


# --- Public profile -----------------------------------------------------------------------


@transaction.atomic
def public_profile_update(
    *, actor: User, is_enabled: bool, display_name: str, headline: str
) -> PublicProfile:
    """Switch the public profile on or off; doing so grants or withdraws the
    `public_profile` consent in the same transaction."""
    public_profile, _created = PublicProfile.objects.select_for_update().get_or_create(user=actor)
    public_profile.is_enabled = is_enabled
    public_profile.display_name = display_name.strip()
    public_profile.headline = headline.strip()
    public_profile.full_clean(exclude=["user"])
    public_profile.save()
    consent_set(actor=actor, purpose=ConsentRecord.Purpose.PUBLIC_PROFILE, is_granted=is_enabled)
    return public_profile


@transaction.atomic
def public_profile_new_link(*, actor: User) -> PublicProfile:
    """Replace the shareable link: the old one stops working at once."""
    public_profile, _created = PublicProfile.objects.select_for_update().get_or_create(user=actor)
    public_profile.slug = PublicProfile._meta.get_field("slug").get_default()
    public_profile.save(update_fields=["slug", "updated_at"])
    audit_record(
        actor=actor,
        action="public_profile.new_link",
        object_type="user",
        object_id=actor.public_id,
    )
    return public_profile


# --- Deadlines ----------------------------------------------------------------------------


def working_days_after(start: datetime, days: int) -> datetime:
    """The end of the `days`-th working day after `start` in Vietnam: weekends and public
    holidays (Tết included, from the `holidays` package) do not count."""
    local = timezone.localtime(start)
    vietnam_holidays = holidays.country_holidays("VN", years=range(local.year, local.year + 2))
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in vietnam_holidays:
            counted += 1
    end_of_day = datetime.combine(day, datetime.max.time()).replace(microsecond=0)
    return timezone.make_aware(end_of_day)


def _request_new(user: User, kind: str, now: datetime, **fields: Any) -> DataRequest:
    return DataRequest(
        user=user,
        kind=kind,
        requested_at=now,
        acknowledge_by=working_days_after(now, settings.DATA_REQUEST_ACKNOWLEDGE_WORKING_DAYS),
        acknowledged_at=now,
        due_at=now + timedelta(hours=settings.DATA_REQUEST_COMPLETE_HOURS),
        **fields,
    )


def _notify(user: User, template: str, subject: str, context: dict[str, Any], key: str) -> None:
    with translation.override(user.preferred_language):
        body = render_to_string(f"profiles/email/{template}.txt", context)
        subject_text = str(gettext_lazy(subject))
    email_send_on_commit(to=[user.email], subject=subject_text, body=body, dedupe_key=key)


# --- Export -------------------------------------------------------------------------------


@transaction.atomic
def data_export_request(*, actor: User) -> DataRequest:
    """Ask for a copy of everything held about the actor. One export at a time: while one
    is being prepared, asking again returns it. Sends the acknowledgement; the job builds
    the file."""
    User.objects.select_for_update().filter(pk=actor.pk).first()
    running = DataRequest.objects.filter(
        user=actor,
        kind=DataRequest.Kind.EXPORT,
        status__in=[DataRequest.Status.RECEIVED, DataRequest.Status.IN_PROGRESS],
    ).first()
    if running is not None:
        return running
    request = _request_new(actor, DataRequest.Kind.EXPORT, timezone.now())
    request.save()
    job_enqueue_on_commit(
        kind=EXPORT_JOB,
        payload={"request_id": str(request.public_id)},
        dedupe_key=f"{EXPORT_JOB}:{request.public_id}",
    )
    _notify(
        actor,
        "data_request_received",
        "Chúng tôi đã nhận yêu cầu của bạn",
        {"request": request, "kind": request.get_kind_display()},
        key=f"privacy.ack:{request.public_id}",
    )
    audit_record(
        actor=actor,
        action="data_request.export_requested",
        object_type="data_request",
        object_id=request.public_id,
    )
    return request


def _progress(request_id: int, percent: int) -> None:
    # Committed on its own (the handler runs outside a transaction) so the page sees it.
    DataRequest.objects.filter(pk=request_id).update(progress=percent)


@job_handler(EXPORT_JOB)
def data_export_build(payload: dict[str, Any]) -> None:
    """Build the export zip: export.json (every declared table's rows), transcript.pdf and
    the evidence files. Idempotent: a finished request is left alone; a retried one starts
    over and replaces the file."""
    try:
        public_id = UUID(payload["request_id"])
    except (KeyError, ValueError) as error:
        raise PermanentJobError(f"Bad payload: {payload!r}") from error
    claimed = DataRequest.objects.filter(
        public_id=public_id,
        kind=DataRequest.Kind.EXPORT,
        status__in=[DataRequest.Status.RECEIVED, DataRequest.Status.IN_PROGRESS],
    ).update(status=DataRequest.Status.IN_PROGRESS, progress=5)
    if not claimed:
        return
    request = DataRequest.objects.select_related("user").get(public_id=public_id)
    user = request.user
    tables = personal_data_collect(user)
    _progress(request.pk, 40)
    document = {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "person": {"public_id": str(user.public_id), "email": user.email},
        "tables": tables,
    }
    transcript = transcript_pdf(user=user)
    _progress(request.pk, 70)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "export.json", json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
        )
        archive.writestr("transcript.pdf", transcript)
        for evidence in EvidenceFile.objects.filter(owner=user).order_by("pk"):
            with evidence.file.open("rb") as handle:
                archive.writestr(
                    f"evidence/{evidence.public_id}-{evidence.original_name}", handle.read()
                )
    _progress(request.pk, 90)
    with transaction.atomic():
        request = DataRequest.objects.select_for_update().get(pk=request.pk)
        old_name = request.file.name
        request.file.save("export.zip", ContentFile(buffer.getvalue()), save=False)
        if old_name:
            request.file.storage.delete(old_name)
        now = timezone.now()
        request.status = DataRequest.Status.READY
        request.progress = 100
        request.completed_at = now
        request.file_expires_at = now + timedelta(days=settings.DATA_EXPORT_KEEP_DAYS)
        request.save()
        link = absolute_url("privacy_home")
        _notify(
            user,
            "data_export_ready",
            "Bản sao dữ liệu của bạn đã sẵn sàng",
            {"request": request, "link": link},
            key=f"privacy.ready:{request.public_id}",
        )
        audit_record(
            actor=None,
            action="data_request.export_ready",
            object_type="data_request",
            object_id=request.public_id,
        )


def transcript_pdf(*, user: User) -> bytes:
    """The ledger as a printable transcript (PDF), in the person's language."""
    profile = CitizenProfile.objects.filter(user=user).first()
    records = (
        LearningRecord.objects.filter(citizen=user)
        .select_related("provider_organization")
        .order_by("occurred_on", "id")
    )
    categories = dict(LearningCategory.choices)
    kinds = dict(LearningRecordKind.choices)
    statuses = dict(LearningRecord.Verification.choices)
    with translation.override(user.preferred_language):
        title = _("Bảng ghi quá trình học tập suốt đời")
        document = pdf_document(title=str(title))
        document.add_page()
        document.set_font(FONT_FAMILY, style="B", size=16)
        document.cell(text=str(title), new_x="LMARGIN", new_y="NEXT")
        document.set_font(FONT_FAMILY, size=10)
        name = profile.full_name if profile is not None and profile.full_name else user.email
        document.cell(text=f"{_('Người học')}: {name}", new_x="LMARGIN", new_y="NEXT")
        generated = date_for_people(timezone.now())
        document.cell(text=f"{_('Ngày lập')}: {generated}", new_x="LMARGIN", new_y="NEXT")
        document.ln(4)
        # The day and the hours on one line in either language ("30 Nov 2026", "1.234,25").
        with document.table(col_widths=(26, 66, 45, 18, 35), text_align="LEFT") as table:
            heading = table.row()
            for label in (_("Ngày"), _("Nội dung"), _("Nơi học"), _("Giờ"), _("Trạng thái")):
                heading.cell(str(label))
            for record in records:
                row = table.row()
                row.cell(date_for_people(record.occurred_on))
                row.cell(
                    f"{record.title}\n{kinds.get(record.kind, '')} · "
                    f"{categories.get(record.category, '')}"
                )
                provider = (
                    record.provider_organization.name
                    if record.provider_organization is not None
                    else record.provider_name
                )
                row.cell(provider or "")
                row.cell(number_for_people(record.hours))
                state = (
                    str(_("Đã thu hồi"))
                    if record.revoked_at is not None
                    else str(statuses.get(record.verification_status, ""))
                )
                row.cell(state)
        return bytes(document.output())


# --- Deletion -----------------------------------------------------------------------------


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
    request = _request_new(
        actor,
        DataRequest.Kind.DELETION,
        now,
        status=DataRequest.Status.SCHEDULED,
        scheduled_for=scheduled_for,
    )
    request.due_at = scheduled_for + timedelta(hours=settings.DATA_REQUEST_COMPLETE_HOURS)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as error:
        raise DeletionAlreadyRequested(_("Bạn đã yêu cầu xóa tài khoản.")) from error
    _notify(
        actor,
        "account_deletion_scheduled",
        "Tài khoản của bạn sẽ bị xóa",
        {"request": request},
        key=f"privacy.ack:{request.public_id}",
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


def data_requests_process(*, now: datetime | None = None) -> dict[str, int]:
    """Run by beat: queue the erasure of accounts whose grace period is over, and delete
    export files past their download window."""
    now = now or timezone.now()
    due = list(
        DataRequest.objects.filter(
            kind=DataRequest.Kind.DELETION,
            status=DataRequest.Status.SCHEDULED,
            scheduled_for__lte=now,
        ).values_list("public_id", flat=True)
    )
    for public_id in due:
        with transaction.atomic():
            job_enqueue_on_commit(
                kind=ERASE_JOB,
                payload={"request_id": str(public_id)},
                dedupe_key=f"{ERASE_JOB}:{public_id}",
            )
    expired = 0
    for request in DataRequest.objects.filter(
        kind=DataRequest.Kind.EXPORT, status=DataRequest.Status.READY, file_expires_at__lte=now
    ):
        with transaction.atomic():
            if request.file:
                request.file.storage.delete(request.file.name)
            DataRequest.objects.filter(pk=request.pk).update(
                status=DataRequest.Status.EXPIRED, file=""
            )
            expired += 1
    return {"erasures_queued": len(due), "exports_expired": expired}


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
