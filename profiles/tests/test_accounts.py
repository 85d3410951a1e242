"""Accounts: sign-up with mandatory email verification, in both languages; MFA for staff."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from learnprofile.jobs.models import Job
from profiles.models import CitizenProfile, User
from tests.helpers import link_in_last_email, run_pending_jobs

PASSWORD = "Hoc-tap-suot-doi-2026"

SIGNUP_TEXT = {
    "vi": {
        "subject": "Vui lòng xác nhận địa chỉ email của bạn",
        "verify_page": "Xác minh địa chỉ email của bạn",
    },
    "en": {
        "subject": "Please Confirm Your Email Address",
        "verify_page": "Verify Your Email Address",
    },
}


def client_in(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_signup_verify_then_sign_in_in_each_language(language: str) -> None:
    client = client_in(language)

    response = client.post(
        reverse("account_signup"),
        {"email": "Lan.Nguyen@Example.vn", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )

    assert SIGNUP_TEXT[language]["verify_page"] in response.content.decode()
    user = User.objects.get(email="lan.nguyen@example.vn")
    assert user.preferred_language == language
    assert CitizenProfile.objects.filter(user=user).exists()
    # The email is a durable job, not sent by the request itself.
    assert mail.outbox == []
    assert Job.objects.filter(kind="email.send", status="pending").count() == 1

    # Signing in before verifying is refused (mandatory verification) and sends the link again.
    client.post(reverse("account_login"), {"login": "lan.nguyen@example.vn", "password": PASSWORD})
    assert "_auth_user_id" not in client.session

    assert run_pending_jobs() == 2
    assert [message.subject for message in mail.outbox] == [SIGNUP_TEXT[language]["subject"]] * 2
    assert mail.outbox[-1].to == ["lan.nguyen@example.vn"]
    confirm_url = link_in_last_email(r"http://testserver/accounts/confirm-email/[^\s]+/")

    client.post(confirm_url.removeprefix("http://testserver"))
    assert EmailAddress.objects.get(user=user).verified is True

    response = client.post(
        reverse("account_login"), {"login": "lan.nguyen@example.vn", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_signup_with_a_taken_email_does_not_reveal_the_account(personas) -> None:
    client = client_in("vi")

    response = client.post(
        reverse("account_signup"),
        {"email": personas.learner.email, "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )

    # Same page as for a new address; the owner gets an "account already exists" email.
    assert SIGNUP_TEXT["vi"]["verify_page"] in response.content.decode()
    assert User.objects.filter(email=personas.learner.email).count() == 1
    run_pending_jobs()
    assert [message.subject for message in mail.outbox] == ["Tài khoản đã tồn tại"]


@pytest.mark.django_db
def test_password_reset_answers_the_same_for_unknown_and_known_addresses(personas) -> None:
    client = client_in("vi")

    known = client.post(reverse("account_reset_password"), {"email": personas.learner.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.vn"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    run_pending_jobs()
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == ["Email đặt lại mật khẩu", "Không tìm thấy tài khoản"]


@pytest.mark.django_db
def test_wrong_password_gives_the_same_error_as_unknown_email(personas) -> None:
    client = client_in("vi")

    wrong_password = client.post(
        reverse("account_login"), {"login": personas.learner.email, "password": "sai-mat-khau"}
    )
    unknown_email = client.post(
        reverse("account_login"), {"login": "nobody@example.vn", "password": "sai-mat-khau"}
    )

    assert "Email hoặc mật khẩu chưa đúng." in wrong_password.content.decode()
    assert "Email hoặc mật khẩu chưa đúng." in unknown_email.content.decode()


@pytest.mark.django_db
def test_django_admin_login_goes_through_the_rate_limited_allauth_login() -> None:
    response = Client().get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


PRIVILEGED = ["center_staff", "center_manager", "issuer_admin", "regional_admin", "national_admin"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PRIVILEGED)
@pytest.mark.parametrize("path", ["/staff/", "/admin/"])
def test_privileged_person_without_mfa_is_sent_to_mfa_setup(
    personas, persona: str, path: str
) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_activate_totp')}?next={path.replace('/', '%2F')}"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PRIVILEGED)
def test_privileged_person_with_totp_reaches_the_staff_page(personas, persona: str) -> None:
    user = getattr(personas, persona)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client()
    client.force_login(user)

    response = client.get("/staff/")

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["learner", "other_learner"])
def test_learner_is_refused_the_staff_page_in_their_language(personas, persona: str) -> None:
    client = client_in("vi")
    client.force_login(getattr(personas, persona))

    response = client.get("/staff/")

    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


@pytest.mark.django_db
def test_staff_member_activates_totp_then_reaches_the_staff_page(personas) -> None:
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    client = client_in("vi")
    client.post(
        reverse("account_login"),
        {"login": personas.center_staff.email, "password": "Mat-khau-an-toan-2026"},
    )
    # The password just typed at sign-in is the confirmation: straight to the setup.
    setup = client.get("/staff/", follow=True)
    assert "Bật ứng dụng xác thực" in setup.content.decode()
    secret = setup.context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))

    client.post(reverse("mfa_activate_totp"), {"code": code})

    assert Authenticator.objects.filter(
        user=personas.center_staff, type=Authenticator.Type.TOTP
    ).exists()
    assert client.get("/staff/").status_code == 200
