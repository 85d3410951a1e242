"""Achievements, credentials, signing keys and status lists of issuing organizations."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from profiles.data import LearningCategory


class SigningKey(models.Model):
    """An Ed25519 key of an issuing organization, published in its did:web document.

    The private key is stored encrypted (Fernet, with a key derived from
    CREDENTIAL_KEY_ENCRYPTION_KEY). Rotation retires the active key but keeps it: its public
    half stays in the DID document, so credentials it signed keep verifying.
    """

    organization = models.ForeignKey(
        "profiles.Organization", on_delete=models.PROTECT, related_name="signing_keys"
    )
    public_key_multibase = models.CharField(max_length=64, unique=True)
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(retired_at__isnull=True),
                name="signing_key_one_active_per_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.public_key_multibase}"


STATUS_LIST_SIZE = 131_072  # bits: the minimum of Bitstring Status List, for herd privacy


class StatusList(models.Model):
    """One Bitstring Status List (revocation) of an issuing organization, published as a
    signed credential. A set bit means revoked. Bits are set in SQL (`set_bit`), so concurrent
    revocations each update the latest row version and none is lost."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "profiles.Organization", on_delete=models.PROTECT, related_name="status_lists"
    )
    size = models.PositiveIntegerField(default=STATUS_LIST_SIZE)
    bits = models.BinaryField()
    # Indices handed out; a list stops taking new ones at STATUS_LIST_FILL of its size.
    allocated = models.PositiveIntegerField(default=0)
    # Counts the changes of `bits`; the published credential is signed once per version.
    version = models.PositiveIntegerField(default=0)
    signed_document = models.JSONField(null=True, blank=True)
    signed_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=STATUS_LIST_SIZE), name="status_list_minimum_size"
            ),
            models.CheckConstraint(
                condition=Q(allocated__lte=models.F("size")), name="status_list_not_overfull"
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class StatusIndex(models.Model):
    """A position in a status list, given to one credential; random, so that neighbouring
    positions say nothing about when or to whom a credential was issued."""

    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="indices")
    index = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status_list", "index"], name="status_index_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.status_list_id}#{self.index}"


class AchievementType(models.TextChoices):
    CERTIFICATE_OF_COMPLETION = "CertificateOfCompletion", _("Chứng nhận hoàn thành")
    CERTIFICATE = "Certificate", _("Chứng chỉ")
    BADGE = "Badge", _("Huy hiệu")
    COURSE = "Course", _("Khóa học")


class Achievement(models.Model):
    """A certificate template of an issuing organization, linked to the courses it rewards."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "profiles.Organization", on_delete=models.PROTECT, related_name="achievements"
    )
    name_vi = models.CharField(_("tên (tiếng Việt)"), max_length=200)
    name_en = models.CharField(_("tên (tiếng Anh)"), max_length=200, blank=True)
    description_vi = models.TextField(_("mô tả (tiếng Việt)"), max_length=2000)
    description_en = models.TextField(_("mô tả (tiếng Anh)"), max_length=2000, blank=True)
    criteria = models.TextField(_("tiêu chí"), max_length=2000)
    achievement_type = models.CharField(
        _("loại"),
        max_length=40,
        choices=AchievementType.choices,
        default=AchievementType.CERTIFICATE_OF_COMPLETION,
    )
    category = models.CharField(
        _("lĩnh vực"),
        max_length=30,
        choices=LearningCategory.choices,
        default=LearningCategory.OTHER,
    )
    # Public ids of the courses (courses.Course) whose completion earns it.
    course_ids = ArrayField(models.UUIDField(), default=list, blank=True)
    hours = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    credits = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    # At most a hundred years: a longer validity is a mistake, and a date past year 9999
    # cannot be written.
    valid_for_days = models.PositiveIntegerField(
        _("hiệu lực (ngày)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36_500)],
    )
    # A small PNG (re-encoded on upload), served at /achievements/<id>/image.png.
    image_png = models.BinaryField(blank=True, default=b"")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_vi"]
        constraints = [
            models.CheckConstraint(
                condition=Q(achievement_type__in=AchievementType.values),
                name="achievement_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name_vi


# The reason a re-issued credential's predecessor is revoked with: stored in Vietnamese like
# every reason typed by an administrator, shown in the reader's language.
REVOKE_REASON_REISSUED = "Đã cấp lại"


def revoke_reason_for_people(reason: str) -> str:
    return str(_("Đã cấp lại")) if reason == REVOKE_REASON_REISSUED else reason


class Credential(models.Model):
    """One signed Open Badges 3.0 credential. At most one that is not revoked per learner,
    achievement and offering (the database says so, whatever retries happen)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    achievement = models.ForeignKey(
        Achievement, on_delete=models.PROTECT, related_name="credentials"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credentials"
    )
    # The offering completed (courses.Offering public id); None for a credential issued by hand.
    offering_id = models.UUIDField(null=True, blank=True)
    status_index = models.OneToOneField(
        StatusIndex, on_delete=models.PROTECT, related_name="credential"
    )
    document = models.JSONField()
    issued_at = models.DateTimeField(auto_now_add=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # The learner may hide the public page (the JSON and PDF stay theirs).
    is_public = models.BooleanField(default=True)
    # A re-issue (the holder's name changed) names the credential it replaced, now revoked.
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        ordering = ["-issued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "achievement", "offering_id"],
                condition=Q(revoked_at__isnull=True),
                nulls_distinct=False,
                name="credential_one_standing_per_learner_achievement_offering",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)

    @property
    def revoke_reason_for_people(self) -> str:
        return revoke_reason_for_people(self.revoke_reason)


class IssuanceBatch(models.Model):
    """One administrator's request to issue an achievement to several learners (the
    completers of an offering, or the rows of a CSV file); its issuances report progress."""

    class Source(models.TextChoices):
        OFFERING = "offering", _("Người hoàn thành một lớp")
        CSV = "csv", _("Tệp bảng tính (CSV hoặc Excel)")  # the value predates .xlsx imports
        SINGLE = "single", _("Một người học")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="batches")
    source = models.CharField(max_length=10, choices=Source.choices)
    offering_id = models.UUIDField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The administrator's written reason for the learners issued without a class (no
    # completion behind their credential); "" when every row names a class.
    reason = models.CharField(max_length=500, blank=True)
    # The administrator confirmed the reason for learners with no tie to the organization
    # (never in one of its classes): without it they are refused.
    is_reason_confirmed = models.BooleanField(default=False)
    # What the batch was requested from, as a SHA-256 digest (hex): the signed plan of the
    # preview confirmed on the page, or the API client's Idempotency-Key. A replay finds this
    # batch instead of making a second one; "" for a batch with nothing to replay.
    request_digest = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_reason_confirmed=False) | ~Q(reason=""),
                name="issuance_batch_confirmed_reason_written",
            ),
            models.UniqueConstraint(
                fields=["request_digest"],
                condition=~Q(request_digest=""),
                name="issuance_batch_request_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class Issuance(models.Model):
    """One request to issue one credential, and what came of it: the durable record behind
    each issuance job (automatic on completion, or in an administrator's batch). A refusal
    keeps its reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ cấp")
        ISSUED = "issued", _("Đã cấp")
        ALREADY = "already", _("Đã có chứng chỉ từ trước")
        REFUSED = "refused", _("Bị từ chối")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="issuances")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credential_issuances"
    )
    offering_id = models.UUIDField(null=True, blank=True)
    # None: automatic (a completion); else the administrator's batch.
    batch = models.ForeignKey(
        IssuanceBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="issuances"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    credential = models.ForeignKey(
        Credential, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["achievement", "learner", "offering_id"],
                condition=Q(batch__isnull=True),
                nulls_distinct=False,
                name="issuance_automatic_once",
            ),
            models.UniqueConstraint(
                fields=["batch", "learner", "offering_id"],
                nulls_distinct=False,
                name="issuance_once_per_batch",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "issued", "already", "refused"]),
                name="issuance_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="issuance_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)
