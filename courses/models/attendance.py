"""Attendance: the current mark of a learner at a session, and its append-only history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models.catalog import Session
from courses.models.enrollment import Enrollment


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Có mặt")
    LATE = "late", _("Đến muộn")
    EXCUSED = "excused", _("Vắng có phép")
    ABSENT = "absent", _("Vắng")


# Computed once: `AttendanceStatus.values` builds a new list at each use.
ATTENDANCE_STATUS_VALUES = frozenset(AttendanceStatus.values)
# Statuses that count as attending a session (and its hours).
ATTENDED_STATUSES = [AttendanceStatus.PRESENT, AttendanceStatus.LATE]


class MarkSource(models.TextChoices):
    ROSTER = "roster", _("Điểm danh trên danh sách")
    OFFLINE = "offline", _("Đồng bộ từ máy tính bảng")
    QR = "qr", _("Học viên tự điểm danh bằng mã QR")
    IMPORT = "import", _("Nhập từ tệp CSV")
    API = "api", _("Qua API")


class AttendanceMark(models.Model):
    """The current mark of one learner at one session; its history is in AttendanceChange."""

    # No index of its own: the unique (session, enrollment) index serves it.
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="marks", db_index=False
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="attendance_marks"
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=MarkSource.choices)
    # Unindexed: nothing looks marks up by who made them, and every index costs each write.
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # When the mark was made on the device (offline marks arrive later); conflicting marks
    # are resolved by it. The server's time for marks made online.
    marked_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="mark_one_per_session"),
            models.CheckConstraint(
                condition=Q(status__in=AttendanceStatus.values), name="mark_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}@{self.session_id}: {self.status}"


class AttendanceChange(models.Model):
    """Append-only trail of every mark written or refused: who, when, before, after, source.

    `client_id` is the UUID the device gave an offline mark: unique, so a mark synced twice
    is recognised and changes nothing. `outcome` says what happened to the proposed mark.
    """

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Đã ghi")
        UNCHANGED = "unchanged", _("Trùng với điểm danh đã có")
        SUPERSEDED = "superseded", _("Bị thay bởi điểm danh mới hơn")

    # Indexed by mark_change_idx (mark, created_at), the history's order.
    mark = models.ForeignKey(
        AttendanceMark, on_delete=models.PROTECT, related_name="changes", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, choices=MarkSource.choices)
    before_status = models.CharField(max_length=10, blank=True)
    before_note = models.CharField(max_length=300, blank=True)
    after_status = models.CharField(max_length=10)
    after_note = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.APPLIED)
    # Two different marks for the same learner and session, resolved by the later device time.
    is_conflict = models.BooleanField(default=False)
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    marked_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["mark", "created_at"], name="mark_change_idx")]

    def __str__(self) -> str:
        return f"{self.mark_id}: {self.before_status or '-'} -> {self.after_status}"
