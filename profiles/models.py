import uuid
from datetime import date

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
        user = self.model(email=self.normalize_email(email).lower(), **extra)
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

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            # Stored lower-cased, so the unique index is also case-insensitive.
            models.CheckConstraint(condition=Q(email=Lower("email")), name="user_email_lowercase"),
        ]

    def __str__(self) -> str:
        return self.email


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
