"""The notice kinds and channels (the shared choices of the outbox), and the frozen
dataclasses a kind's renderer and still-applies check take and return."""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    """What the platform tells people about (one outbox row per kind, object, person, channel)."""

    ENROLLMENT_CONFIRMED = "enrollment_confirmed", _("Xác nhận đăng ký lớp học")
    WAITLIST_PROMOTED = "waitlist_promoted", _("Có chỗ từ danh sách chờ")
    SESSION_REMINDER = "session_reminder", _("Nhắc lịch buổi học")
    SESSION_CHANGED = "session_changed", _("Buổi học đổi lịch hoặc bị hủy")
    LOW_ATTENDANCE = "low_attendance", _("Cảnh báo chuyên cần")
    CREDENTIAL_ISSUED = "credential_issued", _("Chứng chỉ mới")
    CREDENTIAL_EXPIRING = "credential_expiring", _("Chứng chỉ sắp hết hạn")
    INACTIVITY_NUDGE = "inactivity_nudge", _("Gợi ý khóa học gần bạn")
    BROADCAST = "broadcast", _("Thông báo của địa phương")


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str = ""


@dataclass(frozen=True)
class NoticeData:
    """What a renderer and a still-applies check see."""

    id: int
    kind: str
    channel: str
    recipient_id: int
    object_ref: str
    context: dict[str, Any]
