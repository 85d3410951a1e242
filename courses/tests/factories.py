"""Catalog test data written through the services, so the copies and search columns are
those production writes."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from courses.models import Course, Offering, OfferingStatus
from courses.services.catalog import offering_search_fill
from profiles.data import LearningCategory
from profiles.tests.factories import ward


def course_make(provider: Any, **fields: Any) -> Course:
    values: dict[str, Any] = {
        "title": "Tin học cơ bản",
        "summary": "Làm quen với máy tính, soạn thảo văn bản và thư điện tử.",
        "category": LearningCategory.DIGITAL_SKILLS,
        "hours": Decimal(24),
        "is_published": True,
        **fields,
    }
    return Course.objects.create(provider=provider, **values)


def offering_make(
    course: Course, *, ward_codename: str = "phuong_hoan_kiem", **fields: Any
) -> Offering:
    """A published offering starting in a week, with 10 seats, in a real ward."""
    today = date.today()  # noqa: DTZ011 - a plain date for test data
    values: dict[str, Any] = {
        "venue": "Nhà văn hóa tổ dân phố 5",
        "starts_on": today + timedelta(days=7),
        "ends_on": today + timedelta(days=60),
        "capacity": 10,
        "status": OfferingStatus.PUBLISHED,
        **fields,
    }
    offering = Offering(course=course, ward=ward(ward_codename), **values)
    offering_search_fill(offering, course=course, provider_name=course.provider.name)
    offering.save()
    return offering
