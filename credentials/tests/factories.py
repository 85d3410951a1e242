"""Factories of the credentials tests."""

from decimal import Decimal
from typing import Any

from credentials.models import Achievement


def achievement_make(organization: Any, course: Any, **fields: Any) -> Achievement:
    """A certificate template of `organization` rewarding `course` (24 hours)."""
    values: dict[str, Any] = {
        "name_vi": "Chứng nhận hoàn thành: Tin học cơ bản",
        "description_vi": "Hoàn thành khóa Tin học cơ bản.",
        "criteria": "Chuyên cần từ 80%.",
        "course_ids": [course.public_id],
        "hours": Decimal(24),
        **fields,
    }
    return Achievement.objects.create(organization=organization, **values)
