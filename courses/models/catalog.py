"""The catalog: courses, offerings, sessions.

Offerings carry a copy of the course fields that the catalog filters on (category, mode,
free or not) and a folded search text, so the catalog reads one table with its own indexes.
The services keep the copies current, in the transaction that changes the course.
"""

import uuid
from datetime import timedelta

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from profiles.data import LearningCategory

# The longest session; an end time earlier than the start is the next day (21:00-00:30).
SESSION_MAX_DURATION = timedelta(hours=12)


class CourseLevel(models.TextChoices):
    BEGINNER = "beginner", _("Cơ bản")
    INTERMEDIATE = "intermediate", _("Trung cấp")
    ADVANCED = "advanced", _("Nâng cao")


class CourseMode(models.TextChoices):
    IN_PERSON = "in_person", _("Học trực tiếp")
    ONLINE = "online", _("Học trực tuyến")
    BLENDED = "blended", _("Kết hợp trực tiếp và trực tuyến")


class InstructionLanguage(models.TextChoices):
    VIETNAMESE = "vi", _("Tiếng Việt")
    ENGLISH = "en", _("Tiếng Anh")
    ETHNIC = "ethnic", _("Tiếng dân tộc thiểu số")


class Course(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        "profiles.Organization",
        verbose_name=_("đơn vị tổ chức"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    title = models.CharField(_("tên khóa học"), max_length=200)
    summary = models.CharField(_("tóm tắt"), max_length=300)
    description = models.TextField(_("nội dung"), max_length=5000, blank=True)
    category = models.CharField(_("lĩnh vực"), max_length=30, choices=LearningCategory.choices)
    tags = ArrayField(
        models.CharField(max_length=50),
        verbose_name=_("kỹ năng, từ khóa"),
        default=list,
        blank=True,
        size=20,
    )
    level = models.CharField(
        _("trình độ"), max_length=20, choices=CourseLevel.choices, default=CourseLevel.BEGINNER
    )
    language = models.CharField(
        _("ngôn ngữ giảng dạy"),
        max_length=10,
        choices=InstructionLanguage.choices,
        default=InstructionLanguage.VIETNAMESE,
    )
    hours = models.DecimalField(_("số giờ học"), max_digits=6, decimal_places=1)
    mode = models.CharField(
        _("hình thức"), max_length=20, choices=CourseMode.choices, default=CourseMode.IN_PERSON
    )
    fee = models.PositiveIntegerField(_("học phí (đồng)"), default=0)
    audience = models.CharField(_("dành cho"), max_length=300, blank=True)
    is_published = models.BooleanField(_("đã công bố"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="course_hours_positive",
                violation_error_message=_("Số giờ học phải lớn hơn 0."),
            ),
            models.CheckConstraint(
                condition=Q(category__in=LearningCategory.values),
                name="course_category_valid",
                violation_error_message=_("Hãy chọn một lĩnh vực trong danh sách."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OfferingStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang mở")
    CANCELLED = "cancelled", _("Đã hủy")
    FINISHED = "finished", _("Đã kết thúc")


class Offering(models.Model):
    """One run of a course: where, when, how many seats, and what completing it means."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(
        Course, verbose_name=_("khóa học"), on_delete=models.PROTECT, related_name="offerings"
    )
    venue = models.CharField(_("địa điểm"), max_length=300)
    ward = models.ForeignKey(
        "profiles.AdministrativeUnit",
        verbose_name=_("xã/phường"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The ward's province, copied so "near me" and the province filter use one index each.
    province = models.ForeignKey(
        "profiles.AdministrativeUnit", on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("ngày bắt đầu"))
    ends_on = models.DateField(_("ngày kết thúc"))
    capacity = models.PositiveIntegerField(_("số chỗ"))
    # Active enrollments; changed only under the offering's row lock (services.enrollment).
    enrolled_count = models.PositiveIntegerField(default=0)
    enrollment_opens_at = models.DateTimeField(_("mở đăng ký từ"), null=True, blank=True)
    enrollment_closes_at = models.DateTimeField(_("hạn đăng ký"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=OfferingStatus.choices, default=OfferingStatus.DRAFT
    )
    minimum_attendance_percent = models.PositiveSmallIntegerField(
        _("tỷ lệ chuyên cần tối thiểu (%)"), default=80
    )
    requires_assessment = models.BooleanField(_("có bài kiểm tra cuối khóa"), default=False)
    cancel_reason = models.CharField(_("lý do hủy"), max_length=300, blank=True)
    # Copies of the course, for the catalog's filters.
    category = models.CharField(max_length=30, choices=LearningCategory.choices)
    mode = models.CharField(max_length=20, choices=CourseMode.choices)
    is_free = models.BooleanField(default=True)
    # Folded (no accents, lower case) text: the course title, then everything else that a
    # citizen may type (summary, tags, provider, venue, ward and province names).
    search_title = models.TextField(default="", editable=False)
    search_text = models.TextField(default="", editable=False)
    search_vector = models.GeneratedField(
        expression=SearchVector("search_title", weight="A", config="simple")
        + SearchVector("search_text", weight="B", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolled_count__lte=F("capacity")),
                name="offering_never_overbooked",
                violation_error_message=_("Số người đã ghi danh vượt quá số chỗ."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="offering_ends_after_start",
                violation_error_message=_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=10000),
                name="offering_capacity_range",
                violation_error_message=_("Số chỗ phải từ 1 đến 10.000."),
            ),
            models.CheckConstraint(
                condition=Q(minimum_attendance_percent__lte=100),
                name="offering_attendance_percent_range",
                violation_error_message=_("Tỷ lệ chuyên cần tối thiểu phải từ 0 đến 100%."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=OfferingStatus.values),
                name="offering_status_valid",
                violation_error_message=_("Trạng thái lớp học không hợp lệ."),
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="offering_search_idx"),
            # The catalog lists published offerings that have not ended, soonest first. The
            # index carries every column a catalog filter or a text match reads (not the
            # seat counts, which change on each enrollment and would stop HOT updates), so a
            # search walks it in date order without touching the table and stops as soon as
            # it has enough matches (courses.selectors.catalog_search).
            models.Index(
                fields=["starts_on", "id"],
                include=[
                    "ends_on",
                    "course",
                    "province",
                    "ward",
                    "category",
                    "mode",
                    "is_free",
                    "search_vector",
                ],
                condition=Q(status="published"),
                name="offering_catalog_idx",
            ),
            # The same for one province: "near me" and the province filter walk it.
            models.Index(
                fields=["province", "starts_on", "id"],
                include=[
                    "ends_on",
                    "course",
                    "ward",
                    "category",
                    "mode",
                    "is_free",
                    "search_vector",
                ],
                condition=Q(status="published"),
                name="offering_province_idx",
            ),
            models.Index(
                fields=["ward", "starts_on", "id"],
                condition=Q(status="published"),
                name="offering_ward_idx",
            ),
            models.Index(fields=["course", "starts_on"], name="offering_course_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.course.title} ({self.starts_on})"

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.enrolled_count, 0)


class Session(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"))
    room = models.CharField(_("phòng học"), max_length=100, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            # A session past midnight ends the next day; none lasts longer than this.
            models.CheckConstraint(
                condition=Q(ends_at__lte=F("starts_at") + SESSION_MAX_DURATION),
                name="session_at_most_12_hours",
            ),
            models.UniqueConstraint(fields=["offering", "starts_at"], name="session_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.offering_id} {self.starts_at:%Y-%m-%d %H:%M}"
