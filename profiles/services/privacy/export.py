"""Export: a copy of everything held about a person (export.json, transcript.pdf and the
evidence files in one zip), built by a durable job."""

import io
import json
import zipfile
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from learnprofile.absolute_urls import absolute_url
from learnprofile.audit.services import audit_record
from learnprofile.formatting import date_for_people, number_for_people
from learnprofile.jobs.registry import PermanentJobError, job_handler
from learnprofile.jobs.services import job_enqueue_on_commit
from learnprofile.pdf import FONT_FAMILY, pdf_document
from profiles.data import LearningCategory, LearningRecordKind
from profiles.models import CitizenProfile, DataRequest, EvidenceFile, LearningRecord, User
from profiles.personal_data import personal_data_collect
from profiles.services.privacy.data_requests import data_request_email_on_commit, data_request_new

EXPORT_JOB = "privacy.export"
EXPORT_FORMAT = "learnprofile-export/1"


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
    request = data_request_new(user=actor, kind=DataRequest.Kind.EXPORT, now=timezone.now())
    request.save()
    job_enqueue_on_commit(
        kind=EXPORT_JOB,
        payload={"request_id": str(request.public_id)},
        dedupe_key=f"{EXPORT_JOB}:{request.public_id}",
    )
    data_request_email_on_commit(
        user=actor,
        template="data_request_received",
        subject="Chúng tôi đã nhận yêu cầu của bạn",
        context={"request": request, "kind": request.get_kind_display()},
        dedupe_key=f"privacy.ack:{request.public_id}",
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
        data_request_email_on_commit(
            user=user,
            template="data_export_ready",
            subject="Bản sao dữ liệu của bạn đã sẵn sàng",
            context={"request": request, "link": link},
            dedupe_key=f"privacy.ready:{request.public_id}",
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
