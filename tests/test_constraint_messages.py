"""A database constraint that a form's data can break is refused with a message people read,
never Django's "Constraint “…” is violated."."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db.models import CheckConstraint
from django.urls import reverse
from django.utils import timezone

from courses.tests.factories import course_make
from profiles.tests.factories import ward, with_mfa

# The models whose services validate people's input with full_clean(), which checks these.
VALIDATED_MODELS = [
    ("profiles", "User"),
    ("profiles", "LearningRecord"),
    ("courses", "Course"),
    ("courses", "Offering"),
]


@pytest.mark.parametrize(("app_label", "model_name"), VALIDATED_MODELS)
def test_every_check_constraint_of_a_validated_model_has_a_message(app_label, model_name) -> None:
    model = apps.get_model(app_label, model_name)
    checks = [c for c in model._meta.constraints if isinstance(c, CheckConstraint)]

    default = CheckConstraint.default_violation_error_message
    assert checks
    assert [c.name for c in checks if c.violation_error_message in (None, default)] == []


@pytest.mark.parametrize("capacity", ["0", "-5", "20000"])
def test_an_offering_with_seats_out_of_range_is_refused_in_vietnamese(
    client, personas, capacity
) -> None:
    center = personas.center_manager.memberships.get().organization
    course = course_make(center)
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)
    start = timezone.localdate() + timedelta(days=10)

    response = client.post(
        reverse("offering_new", args=[course.public_id]),
        {
            "ward": ward("phuong_hoan_kiem").pk,
            "venue": "Nhà văn hóa phường",
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=30)).isoformat(),
            "capacity": capacity,
            "minimum_attendance_percent": "80",
        },
    )

    page = response.content.decode()
    assert "Số chỗ phải từ 1 đến 10.000." in page
    assert "Constraint" not in page
    assert not course.offerings.exists()


def test_the_seats_input_carries_the_range_for_the_phone_keyboard(client, personas) -> None:
    center = personas.center_manager.memberships.get().organization
    course = course_make(center)
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)

    page = client.get(reverse("offering_new", args=[course.public_id])).content.decode()

    assert 'name="capacity" min="1" max="10000"' in page
