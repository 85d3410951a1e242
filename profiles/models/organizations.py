"""Organizations and the roles people hold at them (memberships, regional scopes)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from profiles.models.places import AdministrativeUnit


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
