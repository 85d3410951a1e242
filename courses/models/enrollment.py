"""Enrollment: a learner's seat (or place on the waitlist) in an offering, and its result."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models.catalog import Offering


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("Đã đăng ký")
    WAITLISTED = "waitlisted", _("Danh sách chờ")
    CANCELLED = "cancelled", _("Đã hủy")


class CompletionStatus(models.TextChoices):
    COMPLETED = "completed", _("Hoàn thành")
    NOT_COMPLETED = "not_completed", _("Chưa hoàn thành")


ENROLLMENT_OPEN_STATUSES = [EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITLISTED]


class Enrollment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="enrollments")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField(max_length=20, choices=EnrollmentStatus.choices)
    # The waitlist is served in the order people joined it.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    # Completion, computed once when the offering is closed (services.completion).
    completion = models.CharField(
        _("kết quả"), max_length=20, choices=CompletionStatus.choices, blank=True
    )
    completion_reason = models.CharField(max_length=300, blank=True)
    attendance_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    attended_hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set by staff when the offering requires a final assessment; None: not recorded yet.
    assessment_passed = models.BooleanField(_("đạt bài kiểm tra cuối khóa"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "learner"],
                condition=Q(status__in=["active", "waitlisted"]),
                name="enrollment_one_open_per_learner",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EnrollmentStatus.values), name="enrollment_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
                name="enrollment_waitlist_has_time",
            ),
            models.CheckConstraint(
                condition=Q(completion__in=["", *CompletionStatus.values]),
                name="enrollment_completion_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["offering", "waitlisted_at", "id"],
                condition=Q(status="waitlisted"),
                name="enrollment_waitlist_idx",
            ),
            models.Index(fields=["learner", "status"], name="enrollment_learner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} -> {self.offering_id} ({self.status})"
