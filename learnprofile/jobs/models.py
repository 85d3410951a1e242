import uuid

from django.db import models
from django.db.models import Q


class Job(models.Model):
    """One unit of background work, written in the transaction of the change that caused it.

    The row is the truth; the Celery message that wakes a worker for it is disposable.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    queue = models.CharField(max_length=50, default="default")
    # Optional: a second job with the same key is not created (idempotent enqueue).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 (unique when set)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    available_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_published_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="job_dedupe_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "done", "failed"]),
                name="job_status_valid",
            ),
        ]
        indexes = [
            # The reconciler's scans: only unfinished rows, so the index stays small.
            models.Index(
                fields=["status", "available_at"],
                condition=Q(status__in=["pending", "running"]),
                name="job_unfinished_idx",
            ),
            models.Index(fields=["kind", "status"], name="job_kind_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"
