"""Privacy: consent records, data requests (export, deletion) and public profiles."""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.data import ConsentPurpose
from profiles.models.ledger import export_upload_to, private_storage


def _public_profile_slug() -> str:
    return secrets.token_urlsafe(18)


class PublicProfile(models.Model):
    """A citizen's opt-in public page. Off until they switch it on; its link is unguessable
    and a new link can replace it at any time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="public_profile"
    )
    slug = models.CharField(max_length=40, unique=True, default=_public_profile_slug)
    is_enabled = models.BooleanField(default=False)
    display_name = models.CharField(_("tên hiển thị"), max_length=150, blank=True)
    headline = models.CharField(_("giới thiệu ngắn"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.slug


class ConsentRecord(models.Model):
    """Append-only: each grant or withdrawal of consent for one purpose, with the version of
    the notice the person saw. The latest row per (person, purpose) is the current state."""

    # In profiles.data, where other apps read the purposes.
    Purpose = ConsentPurpose

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_records"
    )
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    is_granted = models.BooleanField()
    notice_version = models.CharField(max_length=20)
    recorded_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=10, default="web")

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["user", "purpose", "-recorded_at"], name="consent_latest_idx")
        ]

    def __str__(self) -> str:
        return f"{self.purpose}={self.is_granted}"


class DataRequest(models.Model):
    """A citizen's request under the personal data law: an export or an account deletion.

    Tracked with its deadlines: acknowledged within 2 working days (done at once, by email,
    when the request is recorded) and completed by `due_at`.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", _("Tải về dữ liệu")
        DELETION = "deletion", _("Xóa tài khoản")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã nhận")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        READY = "ready", _("Sẵn sàng tải về")
        EXPIRED = "expired", _("Đã hết hạn tải về")
        SCHEDULED = "scheduled", _("Đã lên lịch xóa")
        COMPLETED = "completed", _("Đã hoàn tất")
        CANCELLED = "cancelled", _("Đã hủy")
        FAILED = "failed", _("Không thành công")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    requested_at = models.DateTimeField(default=timezone.now)
    acknowledge_by = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    # Deletion: when the grace period ends and erasure runs (cancellable until then).
    scheduled_for = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(
        storage=private_storage, upload_to=export_upload_to, max_length=200, blank=True
    )
    file_expires_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open deletion request per person: asking twice is the same request.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(kind="deletion", status="scheduled"),
                name="data_request_one_open_deletion",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="data_request_progress_range"
            ),
        ]
        indexes = [
            models.Index(
                fields=["scheduled_for"],
                name="data_request_due_deletion_idx",
                condition=Q(kind="deletion", status="scheduled"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"
