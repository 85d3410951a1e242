"""Course pages name the center, the ward and the province of a class: names that belong to
`profiles` and reach the pages through `profiles.api` (decision 0011), not through the
templates following the foreign keys."""

import pytest
from django.urls import reverse

from conftest import Personas
from courses.services.enrollment import enrollment_create
from courses.tests.factories import course_make, offering_make
from profiles.tests.factories import ward, with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def center(personas: Personas):
    return personas.center_manager.memberships.get().organization


@pytest.fixture
def offering(center):
    return offering_make(course_make(center, title="Tin học cơ bản"))


def _place(offering) -> str:
    unit = ward("phuong_hoan_kiem")
    return f"{offering.venue}, {unit.name}, {unit.parent.name}"


def test_a_catalog_card_names_the_center_ward_and_province(client, center, offering) -> None:
    body = client.get(reverse("catalog")).content.decode()

    assert f"{center.name} · {ward('phuong_hoan_kiem').name}, " in body


def test_the_course_page_names_the_center_and_each_class_place(client, center, offering) -> None:
    url = reverse("course_detail", kwargs={"course_id": offering.course.public_id})

    body = client.get(url).content.decode()

    assert center.name in body
    assert _place(offering) in body


def test_the_class_page_names_the_center_and_the_place(client, center, offering) -> None:
    url = reverse("offering_page", kwargs={"offering_id": offering.public_id})

    body = client.get(url).content.decode()

    assert center.name in body
    assert _place(offering) in body


def test_my_courses_names_the_center_and_the_place(client, personas, center, offering) -> None:
    enrollment_create(actor=personas.learner, offering_id=offering.pk)
    client.force_login(personas.learner)

    body = client.get(reverse("my_courses")).content.decode()

    assert f"{center.name} · {_place(offering)}" in body


def test_the_managers_course_list_names_each_courses_center(
    client, personas, center, offering
) -> None:
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)

    body = client.get(reverse("manage_home")).content.decode()

    assert f"· {center.name} ·" in body


def test_the_course_form_names_the_center_and_each_class_ward(
    client, personas, center, offering
) -> None:
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)
    url = reverse("manage_course", kwargs={"course_id": offering.course.public_id})

    body = client.get(url).content.decode()

    assert f'<p class="hint">{center.name}</p>' in body
    assert f"· {ward('phuong_hoan_kiem').name}</a>" in body


def test_a_new_class_starts_in_its_centers_ward(client, personas, center, offering) -> None:
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)
    url = reverse("offering_new", kwargs={"course_id": offering.course.public_id})

    body = client.get(url).content.decode()

    assert f'<option value="{center.ward_id}" selected>' in body
