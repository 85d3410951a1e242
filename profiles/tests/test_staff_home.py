"""The staff home leads each person to the work of their roles."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from profiles.tests.factories import with_mfa


def page_for(user: object, language: str = "vi") -> str:
    with_mfa(user)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(reverse("staff_home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["center_staff", "center_manager"])
def test_center_worker_finds_attendance_and_verification_queue(personas, persona: str) -> None:
    page = page_for(getattr(personas, persona))

    assert f'href="{reverse("attendance_home")}"' in page
    assert "Điểm danh" in page
    assert f'href="{reverse("verification_queue")}"' in page
    assert "Việc học chờ xác nhận" in page


@pytest.mark.django_db
def test_issuer_admin_alone_is_not_offered_center_work(personas) -> None:
    page = page_for(personas.issuer_admin)

    assert reverse("attendance_home") not in page
    assert reverse("verification_queue") not in page
