"""Walk-in learners registered by a center's staff, and the claims that moved their records."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WalkInLearner(models.Model):
    """A learner registered at a center by its staff, without an account of their own.

    `learner` is an assisted account (profiles): enrollments and attendance hang on it like
    on any account. The center gives the learner a one-time code (only its hash is kept); with
    it, the learner moves these records to their own account (WalkInClaim).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="walk_in"
    )
    organization = models.ForeignKey(
        "profiles.Organization", on_delete=models.PROTECT, related_name="walk_ins"
    )
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # HMAC of the one-time claim code; NULL once used (or never issued).
    claim_code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    claim_code_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__gte=1900, birth_year__lte=2100),
                name="walk_in_birth_year_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class WalkInClaim(models.Model):
    """A learner took a walk-in record into their own account; exactly what moved is kept,
    so staff can undo a wrong claim and restore both accounts as they were."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    walk_in = models.ForeignKey(WalkInLearner, on_delete=models.PROTECT, related_name="claims")
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="walk_in_claims"
    )
    method = models.CharField(max_length=10, default="code")
    enrollment_ids = ArrayField(models.BigIntegerField(), default=list)
    learning_record_ids = ArrayField(models.UUIDField(), default=list)
    moved_national_id = models.BooleanField(default=False)
    claimed_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-claimed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["walk_in"],
                condition=Q(undone_at__isnull=True),
                name="walk_in_one_standing_claim",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.walk_in_id} -> {self.claimant_id}"
