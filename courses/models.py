"""The catalog (courses, offerings, sessions) and enrollment.

Offerings carry a copy of the course fields that the catalog filters on (category, mode,
free or not) and a folded search text, so the catalog reads one table with its own indexes.
The services keep the copies current, in the transaction that changes the course.
"""

import uuid
from datetime import timedelta

from django.conf import settings
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


# --- Attendance -----------------------------------------------------------------------------


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Có mặt")
    LATE = "late", _("Đến muộn")
    EXCUSED = "excused", _("Vắng có phép")
    ABSENT = "absent", _("Vắng")


# Computed once: `AttendanceStatus.values` builds a new list at each use.
ATTENDANCE_STATUS_VALUES = frozenset(AttendanceStatus.values)
# Statuses that count as attending a session (and its hours).
ATTENDED_STATUSES = [AttendanceStatus.PRESENT, AttendanceStatus.LATE]


class MarkSource(models.TextChoices):
    ROSTER = "roster", _("Điểm danh trên danh sách")
    OFFLINE = "offline", _("Đồng bộ từ máy tính bảng")
    QR = "qr", _("Học viên tự điểm danh bằng mã QR")
    IMPORT = "import", _("Nhập từ tệp CSV")
    API = "api", _("Qua API")


class AttendanceMark(models.Model):
    """The current mark of one learner at one session; its history is in AttendanceChange."""

    # No index of its own: the unique (session, enrollment) index serves it.
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="marks", db_index=False
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="attendance_marks"
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=MarkSource.choices)
    # Unindexed: nothing looks marks up by who made them, and every index costs each write.
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # When the mark was made on the device (offline marks arrive later); conflicting marks
    # are resolved by it. The server's time for marks made online.
    marked_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="mark_one_per_session"),
            models.CheckConstraint(
                condition=Q(status__in=AttendanceStatus.values), name="mark_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}@{self.session_id}: {self.status}"


class AttendanceChange(models.Model):
    """Append-only trail of every mark written or refused: who, when, before, after, source.

    `client_id` is the UUID the device gave an offline mark: unique, so a mark synced twice
    is recognised and changes nothing. `outcome` says what happened to the proposed mark.
    """

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Đã ghi")
        UNCHANGED = "unchanged", _("Trùng với điểm danh đã có")
        SUPERSEDED = "superseded", _("Bị thay bởi điểm danh mới hơn")

    # Indexed by mark_change_idx (mark, created_at), the history's order.
    mark = models.ForeignKey(
        AttendanceMark, on_delete=models.PROTECT, related_name="changes", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, choices=MarkSource.choices)
    before_status = models.CharField(max_length=10, blank=True)
    before_note = models.CharField(max_length=300, blank=True)
    after_status = models.CharField(max_length=10)
    after_note = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.APPLIED)
    # Two different marks for the same learner and session, resolved by the later device time.
    is_conflict = models.BooleanField(default=False)
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    marked_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["mark", "created_at"], name="mark_change_idx")]

    def __str__(self) -> str:
        return f"{self.mark_id}: {self.before_status or '-'} -> {self.after_status}"


# --- Walk-in learners -------------------------------------------------------------------------


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
