"""A learner on a small phone finds a course typed without diacritics and enrolls."""

import pytest
from django.test import Client

from courses.models import Enrollment
from courses.tests.factories import course_make, offering_make


@pytest.mark.browser
@pytest.mark.parametrize(
    ("language", "phone"),
    [("vi", True), ("en", True), ("vi", False)],
    ids=["vi", "en", "vi-no-javascript"],
    indirect=["phone"],
)
def test_learner_finds_a_course_without_diacritics_and_enrolls_on_a_phone(
    live_server, personas, phone, language
) -> None:
    center = personas.center_manager.memberships.get().organization
    offering = offering_make(course_make(center, title="Sử dụng điện thoại thông minh"))
    offering_make(course_make(center, title="Kỹ thuật trồng lúa", category="agriculture"))
    page = phone
    client = Client()
    client.force_login(personas.learner)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "learnprofile_language", "value": language, "url": live_server.url},
        ]
    )
    text = {
        "vi": ("Tìm khóa học", "Tìm", "Đăng ký học", "Khóa học của tôi", "Đã đăng ký"),
        "en": ("Find a course", "Find", "Enroll", "My courses", "Enrolled"),
    }[language]

    page.goto(f"{live_server.url}/courses/")
    page.get_by_role("searchbox", name=text[0]).fill("dien thoai thong minh")
    page.get_by_role("searchbox", name=text[0]).press("Enter")
    page.get_by_role("link", name="Sử dụng điện thoại thông minh").click()
    page.get_by_role("button", name=text[2]).click()

    assert page.get_by_role("heading", name=text[3], level=1).is_visible()
    assert page.get_by_text(text[4], exact=True).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert Enrollment.objects.get(learner=personas.learner).offering_id == offering.pk
