"""User journeys in a real browser: Playwright driving Debian's Chromium on a small phone."""

import re

import pytest
from django.core import mail

from tests.helpers import run_pending_jobs

pytestmark = pytest.mark.browser

PASSWORD = "Hoc-tap-suot-doi-2026"


JOURNEY_TEXT = {
    "vi": {
        "signup_link": "Tạo hồ sơ miễn phí",
        "email": "Email:",
        "password": "Mật khẩu:",
        "password_again": "Nhập lại mật khẩu:",
        "signup_button": "Đăng ký",
        "verify_heading": "Xác minh địa chỉ email của bạn",
        "confirm_button": "Xác nhận",
        "login_button": "Đăng nhập",
        "signed_in": "Bạn đang đăng nhập bằng",
    },
    "en": {
        "signup_link": "Create your free profile",
        "email": "Email:",
        "password": "Password:",
        "password_again": "Password (again):",
        "signup_button": "Sign Up",
        "verify_heading": "Verify Your Email Address",
        "confirm_button": "Confirm",
        "login_button": "Sign In",
        "signed_in": "You are signed in as",
    },
}


@pytest.mark.parametrize(
    ("language", "phone"),
    [("vi", True), ("en", True), ("vi", False)],
    ids=["vi", "en", "vi-without-javascript"],
    indirect=["phone"],
)
def test_citizen_signs_up_verifies_and_signs_in_on_a_phone(
    live_server, phone, language: str
) -> None:
    text = JOURNEY_TEXT[language]
    page = phone
    page.goto(live_server.url)
    if language == "en":
        page.get_by_role("button", name="English").click()

    page.get_by_role("link", name=text["signup_link"]).click()
    page.get_by_label(text["email"], exact=True).fill("lan@example.vn")
    page.get_by_label(text["password"], exact=True).fill(PASSWORD)
    page.get_by_label(text["password_again"], exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name=text["signup_button"]).click()
    page.get_by_role("heading", name=text["verify_heading"]).wait_for()

    assert run_pending_jobs() == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[0].body)
    assert link is not None
    page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", link.group(0)))
    page.locator("main").get_by_role("button", name=text["confirm_button"]).click()

    page.get_by_label(text["email"], exact=True).fill("lan@example.vn")
    page.get_by_label(text["password"], exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name=text["login_button"]).click()

    assert text["signed_in"] in page.locator("main").inner_text()
    assert page.locator("html").get_attribute("lang") == language
