"""The learning record ledger, its evidence files, and the private storage they use."""

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.data import LearningCategory, LearningRecordKind
from profiles.models.organizations import Organization

if TYPE_CHECKING:
    from profiles.models.privacy import DataRequest


def private_storage() -> Storage:
    """Files no URL serves: evidence and exports leave only through permission-checked views."""
    return storages["private"]


def _private_name(folder: str) -> str:
    # Server-chosen, unguessable, no extension: the uploader's name never reaches the disk.
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


def evidence_upload_to(instance: "EvidenceFile", filename: str) -> str:
    return _private_name("evidence")


def export_upload_to(instance: "DataRequest", filename: str) -> str:
    return _private_name("exports")


class LearningRecord(models.Model):
    """One learning event in a citizen's lifelong ledger.

    Written by this app (self-reported learning) and by `courses` and `credentials` through
    `profiles.api`. (`source_app`, `source_id`) names the event at its origin, so writing it
    again finds the same row. Rows are never deleted to change history: revocation is a mark.
    """

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", _("Chưa xác nhận")
        PENDING = "pending", _("Đang chờ xác nhận")
        VERIFIED = "verified", _("Đã xác nhận")
        REJECTED = "rejected", _("Bị từ chối")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learning_records"
    )
    kind = models.CharField(_("loại"), max_length=20, choices=LearningRecordKind.choices)
    title = models.CharField(_("tên hoạt động học tập"), max_length=300)
    description = models.TextField(_("mô tả"), blank=True, max_length=4000)
    category = models.CharField(_("lĩnh vực"), max_length=30, choices=LearningCategory.choices)
    provider_organization = models.ForeignKey(
        Organization,
        verbose_name=_("đơn vị tổ chức"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    provider_name = models.CharField(_("nơi học"), max_length=200, blank=True)
    hours = models.DecimalField(
        _("số giờ"),
        max_digits=7,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10000))],
    )
    started_on = models.DateField(_("ngày bắt đầu"), null=True, blank=True)
    ended_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    # The date the timeline shows: the end date, else the start, else the day it was recorded.
    occurred_on = models.DateField()
    url = models.URLField(_("đường dẫn"), max_length=500, blank=True)
    source_app = models.CharField(max_length=30)
    source_id = models.CharField(max_length=100)
    verification_status = models.CharField(
        max_length=12, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    # The organization asked to verify a self-reported record (its staff see it in a queue).
    verifier_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.CharField(max_length=500, blank=True)
    is_public = models.BooleanField(_("hiện trên hồ sơ công khai"), default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_app", "source_id"], name="record_source_unique"
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0),
                name="record_hours_not_negative",
                violation_error_message=_("Số giờ học không được âm."),
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(ended_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="record_dates_in_order",
                violation_error_message=_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."),
            ),
        ]
        indexes = [
            models.Index(fields=["citizen", "-occurred_on"], name="record_citizen_timeline_idx"),
            models.Index(
                fields=["verifier_organization", "verification_status"],
                name="record_verification_idx",
                condition=Q(verification_status="pending"),
            ),
            models.Index(
                fields=["provider_organization", "citizen"], name="record_provider_citizen_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_self_reported(self) -> bool:
        return self.kind in {LearningRecordKind.SELF_REPORTED, LearningRecordKind.EXTERNAL}


class EvidenceFile(models.Model):
    """A file proving a self-reported record; stored privately under a server-chosen name."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record = models.ForeignKey(LearningRecord, on_delete=models.CASCADE, related_name="evidence")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evidence_files"
    )
    file = models.FileField(storage=private_storage, upload_to=evidence_upload_to, max_length=200)
    # The uploader's file name, cleaned, shown only as a label (never used as a path).
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name
