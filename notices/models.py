"""The notice outbox, broadcasts and people's notice preferences.

The tables were made by `profiles` (the outbox lived there) and keep their names
(`db_table`); the foreign keys to `profiles` are references read by their `_id`
(decision 0011)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notices.data import NoticeChannel, NoticeKind


class Notification(models.Model):
    """The outbox: one row per (kind, object, recipient, channel), written in the transaction
    of the event that calls for it; a job sends it, checking at send time that it still
    applies. The row's state, not the job's, is what administrators read."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        SKIPPED = "skipped", _("Không gửi")
        FAILED = "failed", _("Gửi lỗi")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    channel = models.CharField(max_length=10, choices=NoticeChannel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # What it is about, e.g. "session:<uuid>" (the kind's checker reads it at send time).
    object_ref = models.CharField(max_length=100)
    # Unique by the constraint below (not `unique=True`, which adds a second, LIKE index that
    # every one of a million planned rows would pay for).
    dedupe_key = models.CharField(max_length=200)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    send_after = models.DateTimeField(default=timezone.now)
    # Handed to a sending job at (the dispatcher hands due rows over in chunks; a row whose
    # job never ran is handed over again after a while).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # Taken by a sending job at (status "sending"); a row stuck there after its job died is
    # given back by the dispatcher.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Transient delivery failures so far; the row fails for good after NOTICE_MAX_ATTEMPTS.
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The SMS gateway's or Zalo's id of the message it accepted ("" for email, or none given).
    provider_message_id = models.CharField(max_length=100, blank=True, db_default="")

    class Meta:
        db_table = "profiles_notification"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "skipped", "failed"]),
                name="notification_status_valid",
            ),
            models.UniqueConstraint(fields=["dedupe_key"], name="notification_dedupe_unique"),
        ]
        indexes = [
            # The administrators' list of failures (the counts by state read the table).
            models.Index(
                fields=["-created_at"],
                condition=Q(status="failed"),
                name="notification_failed_idx",
            ),
            # The dispatcher's other two questions, over the few rows in flight: which were
            # handed over long ago and never finished, which were taken by a job that died?
            models.Index(
                fields=["dispatched_at"],
                condition=Q(status="pending", dispatched_at__isnull=False),
                name="notification_handed_over_idx",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="notification_sending_idx",
            ),
            # The dispatcher's question: which pending rows, not yet handed over, are due?
            models.Index(
                fields=["send_after"],
                condition=Q(status="pending", dispatched_at__isnull=True),
                name="notification_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.dedupe_key


# A broadcast's default pace (messages a minute), also broadcast_create's.
BROADCAST_PER_MINUTE_DEFAULT = 600


class Broadcast(models.Model):
    """A message from a regional administrator to the consenting citizens of their province
    or commune (Lifelong Learning Week...). Composed, previewed with its count, then queued:
    one outbox row per citizen, spread over time (`per_minute`) so the mail server and the
    citizens' providers are not flooded."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        QUEUED = "queued", _("Đang gửi")
        CANCELLED = "cancelled", _("Đã dừng")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "profiles.AdministrativeUnit",
        verbose_name=_("địa bàn"),
        on_delete=models.PROTECT,
        related_name="broadcasts",
    )
    channel = models.CharField(
        _("kênh gửi"), max_length=10, choices=NoticeChannel.choices, default=NoticeChannel.EMAIL
    )
    subject_vi = models.CharField(_("tiêu đề (tiếng Việt)"), max_length=150)
    body_vi = models.TextField(_("nội dung (tiếng Việt)"), max_length=5000)
    subject_en = models.CharField(_("tiêu đề (tiếng Anh)"), max_length=150, blank=True)
    body_en = models.TextField(_("nội dung (tiếng Anh)"), max_length=5000, blank=True)
    per_minute = models.PositiveIntegerField(
        _("số tin mỗi phút"),
        default=BROADCAST_PER_MINUTE_DEFAULT,
        validators=[MinValueValidator(10), MaxValueValidator(30000)],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    recipient_count = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "profiles_broadcast"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject_vi

    def clean(self) -> None:
        # Both English fields or neither: half a translation is worse than none.
        if bool(self.subject_en.strip()) != bool(self.body_en.strip()):
            raise ValidationError(
                {"body_en": _("Hãy viết cả tiêu đề và nội dung tiếng Anh, hoặc để trống cả hai.")}
            )


class NotificationPreference(models.Model):
    """A person's choice for one kind on one channel; no row means the default (on). An
    unsubscribe link switches one off without signing in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    channel = models.CharField(max_length=10, choices=NoticeChannel.choices)
    is_enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "profiles_notificationpreference"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notification_preference_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel}={self.is_enabled}"
