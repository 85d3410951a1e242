"""Demo data of credentials (`manage.py seed_demo`, never in production)."""

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction

from courses import api as courses_api
from credentials.models import Achievement, Credential
from credentials.services.issuance import credential_issue


@transaction.atomic
def demo_credentials_load(*, center: Any, course_id: UUID, learner: Any) -> bool:
    """A certificate template for the finished demo class, and the demo learner's credential
    (issued here, so the demo does not wait for a worker). Idempotent."""
    achievement, created = Achievement.objects.get_or_create(
        organization_id=center.pk,
        name_vi="Chứng nhận hoàn thành: Tin học văn phòng cơ bản",
        defaults={
            "name_en": "Certificate of completion: Basic office computing",
            "description_vi": "Hoàn thành khóa Tin học văn phòng cơ bản tại trung tâm học tập "
            "cộng đồng.",
            "description_en": "Completed the Basic office computing course at a community "
            "learning center.",
            "criteria": "Tham dự ít nhất 80% số buổi học.",
            "course_ids": [course_id],
            "hours": Decimal(8),
            "valid_for_days": 5 * 365,
            "category": "digital_skills",
        },
    )
    if Credential.objects.filter(achievement=achievement, learner_id=learner.pk).exists():
        return created
    for completion in courses_api.completed_of_courses(
        course_ids=[course_id], completed_since=learner.date_joined
    ):
        if completion.learner_id == learner.pk:
            credential_issue(
                actor=None,
                achievement_id=achievement.public_id,
                learner_id=learner.pk,
                offering_id=completion.offering_id,
            )
    return created
