"""Frozen dataclasses that profiles.api returns to other apps, and the shared choices."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class AdministrativeUnitData:
    id: int
    code: int
    level: str
    name: str
    province_name: str | None
    province_id: int | None = None


@dataclass(frozen=True)
class OrganizationData:
    id: int
    public_id: UUID
    name: str
    kind: str
    ward: AdministrativeUnitData
    is_approved: bool
    slug: str = ""


@dataclass(frozen=True)
class PersonData:
    id: int
    public_id: UUID
    email: str
    full_name: str
    preferred_language: str
    has_verified_email: bool = False
    residence_ward_id: int | None = None
    residence_province_id: int | None = None
    phone: str = ""
    # Opened by a center for a walk-in learner: no email, nobody signs in with it.
    is_assisted: bool = False


@dataclass(frozen=True)
class ContactMatch:
    """Who one e-mail address or phone number, as it was typed, names.

    ``people``: the active, not erased accounts it names, in id order: none, one, or several
    when a household shares a phone number (phones are not unique by design). ``error``:
    why the contact is not a valid e-mail address or Vietnamese phone number, a sentence in
    the active language; "" when it is valid (``people`` is empty when it is not).
    """

    people: tuple[PersonData, ...] = ()
    error: str = ""


class LearningCategory(models.TextChoices):
    """The fixed list of subjects used by the ledger, the catalog and goals."""

    DIGITAL_SKILLS = "digital_skills", _("Kỹ năng số")
    AGRICULTURE = "agriculture", _("Nông nghiệp")
    FOREIGN_LANGUAGES = "foreign_languages", _("Ngoại ngữ")
    HEALTH = "health", _("Sức khỏe")
    LAW_CIVIC = "law_civic", _("Pháp luật và đời sống công dân")
    VOCATIONAL = "vocational", _("Kỹ năng nghề")
    CULTURE_ARTS = "culture_arts", _("Văn hóa, nghệ thuật")
    LIFE_SKILLS = "life_skills", _("Kỹ năng sống")
    LITERACY = "literacy", _("Xóa mù chữ, giáo dục cơ bản")
    BUSINESS = "business", _("Kinh doanh, khởi nghiệp")
    OTHER = "other", _("Khác")


class ConsentPurpose(models.TextChoices):
    """What a person may agree to; their latest choice for each purpose holds."""

    HOUSEHOLD_SHARING = "household_sharing", _("Chia sẻ việc học với gia đình")
    PUBLIC_PROFILE = "public_profile", _("Hồ sơ học tập công khai")
    LEARNING_REMINDERS = "learning_reminders", _("Nhắc lịch học và thông báo khóa học")
    NEWS = "news", _("Tin tức học tập suốt đời của địa phương")


class LearningRecordKind(models.TextChoices):
    COURSE_COMPLETED = "course_completed", _("Hoàn thành khóa học")
    ATTENDANCE = "attendance", _("Giờ học tham dự")
    CREDENTIAL = "credential", _("Chứng chỉ")
    SELF_REPORTED = "self_reported", _("Tự khai")
    EXTERNAL = "external", _("Học tập bên ngoài")


@dataclass(frozen=True)
class LearningRecordData:
    """One ledger row, as other apps see it."""

    public_id: UUID
    citizen_id: int
    kind: str
    title: str
    category: str
    hours: Decimal
    started_on: date | None
    ended_on: date | None
    occurred_on: date
    provider_organization_id: int | None
    provider_name: str
    source_app: str
    source_id: str
    verification_status: str
    is_revoked: bool
