"""Shared fixtures of the credentials tests."""

from decimal import Decimal

import pytest

from courses.tests.factories import class_close, class_make
from credentials.models import Achievement


@pytest.fixture
def completed_class(personas, settings):
    """A closed class of three at the center staff's center (the first two completed it, the
    third was absent and did not) and a certificate template rewarding its course."""
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    settings.SITE_URL = "https://hoctap.gov.vn"
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=3, sessions=2)
    class_close(klass, actor=personas.center_staff, absent=frozenset({2}))
    achievement = Achievement.objects.create(
        organization=center,
        name_vi="Chứng nhận hoàn thành: Tin học cơ bản",
        description_vi="Hoàn thành khóa Tin học cơ bản.",
        criteria="Chuyên cần từ 80%.",
        course_ids=[klass.offering.course.public_id],
        hours=Decimal(24),
    )
    return klass, achievement
