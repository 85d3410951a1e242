import secrets
import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learnprofile.text import email_canonical
from profiles.data import LearningCategory, LearningRecordKind, NoticeChannel, NoticeKind

EARLIEST_BIRTH_YEAR = 1900


def validate_date_of_birth(value: date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("Ngày sinh không thể ở tương lai."), code="future_birth_date")
    if value.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(
            _("Ngày sinh phải từ năm %(year)d trở về sau.") % {"year": EARLIEST_BIRTH_YEAR},
            code="birth_date_too_early",
        )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=email_canonical(email), **extra)  # decision 0009
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Language(models.TextChoices):
    VIETNAMESE = "vi", _("Tiếng Việt")
    ENGLISH = "en", _("English")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Email login; `public_id` is the only id shown outside.

    `is_staff` means a national administrator who may use the Django admin; roles at
    centers are memberships, not flags.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email"), max_length=254, unique=True)
    preferred_language = models.CharField(
        _("ngôn ngữ"), max_length=5, choices=Language.choices, default=Language.VIETNAMESE
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the person's account was erased at their request; the row stays, anonymous,
    # so rows of other tables keep their foreign keys and hold no personal data.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # An account that center staff opened for a walk-in learner who has no email: nobody
    # signs in with it and no email goes to it; the learner may later claim its records.
    is_assisted = models.BooleanField(default=False, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            # Stored lower-cased, so the unique index is also case-insensitive.
            models.CheckConstraint(
                condition=Q(email=Lower("email")),
                name="user_email_lowercase",
                violation_error_message=_("Địa chỉ email phải viết thường."),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        """The address in its one canonical form (decision 0009): the admin's forms too."""
        super().clean()
        self.email = email_canonical(self.email)


class AdministrativeUnit(models.Model):
    """A province/centrally-run city, or a commune/ward/special zone under it.

    Loaded from the `vietnam-provinces` package (the two-tier structure in force since
    1 July 2025). Rows are data: a future merger is a data migration, not a code change.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh/thành phố")
        WARD = "ward", _("Xã/phường/đặc khu")

    level = models.CharField(max_length=10, choices=Level.choices)
    code = models.PositiveIntegerField()
    name = models.CharField(max_length=150)
    division_type = models.CharField(max_length=50)
    codename = models.CharField(max_length=150)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Folded (no accents, lower case) name plus the province name, for the ward picker.
    search_text = models.CharField(max_length=400)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="unit_level_code_unique"),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True)
                | Q(level="ward", parent__isnull=False),
                name="unit_ward_has_province",
            ),
        ]
        indexes = [models.Index(fields=["level", "search_text"], name="unit_search_idx")]

    def __str__(self) -> str:
        if self.parent is not None:
            return f"{self.name}, {self.parent.name}"
        return self.name


class CitizenProfile(models.Model):
    """What the platform knows of a person as a learner.

    The national ID number (CCCD) is never stored: only a keyed hash (to find a person by
    it) and its last four digits (to show which number is on file).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen_profile"
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    date_of_birth = models.DateField(
        _("ngày sinh"), null=True, blank=True, validators=[validate_date_of_birth]
    )
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    residence_ward = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("xã/phường nơi cư trú"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"level": AdministrativeUnit.Level.WARD},
        related_name="+",
    )
    # NULL, not "", for "no number on file": the unique constraint must ignore those rows.
    national_id_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    national_id_last4 = models.CharField(max_length=4, blank=True, editable=False)
    learning_interests = ArrayField(
        models.CharField(max_length=30, choices=LearningCategory.choices),
        verbose_name=_("muốn học tiếp"),
        default=list,
        blank=True,
    )
    yearly_hours_goal = models.PositiveSmallIntegerField(
        _("mục tiêu số giờ học mỗi năm"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["national_id_hash"],
                condition=Q(national_id_hash__isnull=False),
                name="profile_national_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["phone"], name="profile_phone_idx")]

    def __str__(self) -> str:
        return self.full_name


class Organization(models.Model):
    class Kind(models.TextChoices):
        COMMUNITY_LEARNING_CENTER = "clc", _("Trung tâm học tập cộng đồng")
        CONTINUING_EDUCATION_CENTER = "continuing_education", _("Trung tâm giáo dục thường xuyên")
        SCHOOL = "school", _("Trường học")
        ASSOCIATION = "association", _("Hội, đoàn thể")
        AGENCY = "agency", _("Cơ quan nhà nước")
        ENTERPRISE = "enterprise", _("Doanh nghiệp")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("tên"), max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(_("loại hình"), max_length=30, choices=Kind.choices)
    ward = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("xã/phường"),
        on_delete=models.PROTECT,
        limit_choices_to={"level": AdministrativeUnit.Level.WARD},
        related_name="organizations",
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    is_approved = models.BooleanField(_("đã được duyệt"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role at an organization."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Nhân viên")
        MANAGER = "manager", _("Quản lý")
        ISSUER_ADMIN = "issuer_admin", _("Quản trị cấp chứng chỉ")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.organization}"


class RegionalAdminScope(models.Model):
    """A regional administrator's area: a province (and all its wards) or one ward."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="regional_scopes"
    )
    unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="regional_scopes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="regional_scope_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"


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


class Household(models.Model):
    """A "Learning Family": people who chose to learn together and see each other's progress."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("tên gia đình"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class HouseholdMember(models.Model):
    """A person in a household; one household per person at a time."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Chủ hộ")
        MEMBER = "member", _("Thành viên")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="household_membership"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(role="owner"),
                name="household_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.household_id}"


def _invitation_code() -> str:
    # 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L): easy to read aloud.
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class HouseholdInvitation(models.Model):
    """An invitation to join a household, addressed to an email or a phone number.

    The invitee joins only by accepting, signed in as the person it names: by the link in
    the email, or by typing the code the inviter tells them (for a phone number).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        ACCEPTED = "accepted", _("Đã nhận lời")
        DECLINED = "declined", _("Đã từ chối")
        REVOKED = "revoked", _("Đã hủy")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=15, blank=True)
    code = models.CharField(max_length=10, unique=True, default=_invitation_code)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""), name="invitation_has_address"
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="invitation_email_idx"),
            models.Index(fields=["phone"], name="invitation_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.code


class ConsentRecord(models.Model):
    """Append-only: each grant or withdrawal of consent for one purpose, with the version of
    the notice the person saw. The latest row per (person, purpose) is the current state."""

    class Purpose(models.TextChoices):
        HOUSEHOLD_SHARING = "household_sharing", _("Chia sẻ việc học với gia đình")
        PUBLIC_PROFILE = "public_profile", _("Hồ sơ học tập công khai")
        LEARNING_REMINDERS = "learning_reminders", _("Nhắc lịch học và thông báo khóa học")
        NEWS = "news", _("Tin tức học tập suốt đời của địa phương")

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
        AdministrativeUnit,
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
        default=600,
        validators=[MinValueValidator(10), MaxValueValidator(30000)],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    recipient_count = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notification_preference_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel}={self.is_enabled}"
