"""People: accounts (`User`), their language and their citizen profile."""

import uuid
from datetime import date

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learnprofile.text import email_canonical
from profiles.data import LearningCategory
from profiles.models.places import AdministrativeUnit

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
