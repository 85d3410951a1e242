# The outbox moves from profiles to notices (issue 19): its three tables stay where they are
# (db_table), so this migration only tells Django's state that notices owns them now, and
# carries their content types over (their permissions stay attached). profiles 0013 then
# forgets them. A fresh database gets the tables from profiles 0006-0012 first.

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models

MOVED = ["notification", "broadcast", "notificationpreference"]


def _content_types_move(apps, schema_editor, *, source, target):
    content_type = apps.get_model("contenttypes", "ContentType")
    taken = set(
        content_type.objects.filter(app_label=target, model__in=MOVED).values_list(
            "model", flat=True
        )
    )
    content_type.objects.filter(app_label=source, model__in=set(MOVED) - taken).update(
        app_label=target
    )


def content_types_to_notices(apps, schema_editor):
    _content_types_move(apps, schema_editor, source="profiles", target="notices")


def content_types_to_profiles(apps, schema_editor):
    _content_types_move(apps, schema_editor, source="notices", target="profiles")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("profiles", "0012_constraint_messages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Broadcast",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "public_id",
                            models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("email", "Email"),
                                    ("sms", "Tin nhắn SMS"),
                                    ("zalo", "Zalo"),
                                ],
                                default="email",
                                max_length=10,
                                verbose_name="kênh gửi",
                            ),
                        ),
                        (
                            "subject_vi",
                            models.CharField(max_length=150, verbose_name="tiêu đề (tiếng Việt)"),
                        ),
                        (
                            "body_vi",
                            models.TextField(max_length=5000, verbose_name="nội dung (tiếng Việt)"),
                        ),
                        (
                            "subject_en",
                            models.CharField(
                                blank=True, max_length=150, verbose_name="tiêu đề (tiếng Anh)"
                            ),
                        ),
                        (
                            "body_en",
                            models.TextField(
                                blank=True, max_length=5000, verbose_name="nội dung (tiếng Anh)"
                            ),
                        ),
                        (
                            "per_minute",
                            models.PositiveIntegerField(
                                default=600,
                                validators=[
                                    django.core.validators.MinValueValidator(10),
                                    django.core.validators.MaxValueValidator(30000),
                                ],
                                verbose_name="số tin mỗi phút",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "Bản nháp"),
                                    ("queued", "Đang gửi"),
                                    ("cancelled", "Đã dừng"),
                                ],
                                default="draft",
                                max_length=10,
                            ),
                        ),
                        ("recipient_count", models.PositiveIntegerField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("queued_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "author",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="broadcasts",
                                to="profiles.administrativeunit",
                                verbose_name="địa bàn",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "profiles_broadcast",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "public_id",
                            models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("enrollment_confirmed", "Xác nhận đăng ký lớp học"),
                                    ("waitlist_promoted", "Có chỗ từ danh sách chờ"),
                                    ("session_reminder", "Nhắc lịch buổi học"),
                                    ("session_changed", "Buổi học đổi lịch hoặc bị hủy"),
                                    ("low_attendance", "Cảnh báo chuyên cần"),
                                    ("credential_issued", "Chứng chỉ mới"),
                                    ("credential_expiring", "Chứng chỉ sắp hết hạn"),
                                    ("inactivity_nudge", "Gợi ý khóa học gần bạn"),
                                    ("broadcast", "Thông báo của địa phương"),
                                ],
                                max_length=30,
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("email", "Email"),
                                    ("sms", "Tin nhắn SMS"),
                                    ("zalo", "Zalo"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("object_ref", models.CharField(max_length=100)),
                        ("dedupe_key", models.CharField(max_length=200)),
                        ("context", models.JSONField(blank=True, default=dict)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Đang chờ gửi"),
                                    ("sending", "Đang gửi"),
                                    ("sent", "Đã gửi"),
                                    ("skipped", "Không gửi"),
                                    ("failed", "Gửi lỗi"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("reason", models.CharField(blank=True, max_length=300)),
                        ("send_after", models.DateTimeField(default=django.utils.timezone.now)),
                        ("dispatched_at", models.DateTimeField(blank=True, null=True)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "provider_message_id",
                            models.CharField(blank=True, db_default="", max_length=100),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "profiles_notification",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("status", "failed")),
                                fields=["-created_at"],
                                name="notification_failed_idx",
                            ),
                            models.Index(
                                condition=models.Q(
                                    ("dispatched_at__isnull", False), ("status", "pending")
                                ),
                                fields=["dispatched_at"],
                                name="notification_handed_over_idx",
                            ),
                            models.Index(
                                condition=models.Q(("status", "sending")),
                                fields=["claimed_at"],
                                name="notification_sending_idx",
                            ),
                            models.Index(
                                condition=models.Q(
                                    ("dispatched_at__isnull", True), ("status", "pending")
                                ),
                                fields=["send_after"],
                                name="notification_due_idx",
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "status__in",
                                        ["pending", "sending", "sent", "skipped", "failed"],
                                    )
                                ),
                                name="notification_status_valid",
                            ),
                            models.UniqueConstraint(
                                fields=("dedupe_key",), name="notification_dedupe_unique"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="NotificationPreference",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("enrollment_confirmed", "Xác nhận đăng ký lớp học"),
                                    ("waitlist_promoted", "Có chỗ từ danh sách chờ"),
                                    ("session_reminder", "Nhắc lịch buổi học"),
                                    ("session_changed", "Buổi học đổi lịch hoặc bị hủy"),
                                    ("low_attendance", "Cảnh báo chuyên cần"),
                                    ("credential_issued", "Chứng chỉ mới"),
                                    ("credential_expiring", "Chứng chỉ sắp hết hạn"),
                                    ("inactivity_nudge", "Gợi ý khóa học gần bạn"),
                                    ("broadcast", "Thông báo của địa phương"),
                                ],
                                max_length=30,
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("email", "Email"),
                                    ("sms", "Tin nhắn SMS"),
                                    ("zalo", "Zalo"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("is_enabled", models.BooleanField(default=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notification_preferences",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "profiles_notificationpreference",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "kind", "channel"),
                                name="notification_preference_unique",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_notices, content_types_to_profiles),
    ]
