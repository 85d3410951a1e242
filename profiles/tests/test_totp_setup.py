"""Setting up TOTP on the phone that holds the authenticator app, and getting back to the page
the MFA gate stopped (issue 18, finding 12)."""

import re
from urllib.parse import quote

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.test import Client
from django.urls import reverse

PASSWORD = "Mat-khau-an-toan-2026"


def signed_in(user: object, language: str = "vi") -> Client:
    """A client that signed in with the password and then confirmed it (allauth asks for it
    before any change to the second factor)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})  # type: ignore[attr-defined]
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.mark.django_db
def test_setup_page_shows_the_whole_secret_in_groups_of_four_to_select(personas) -> None:
    client = signed_in(personas.center_staff)

    response = client.get(reverse("mfa_activate_totp"))

    secret = response.context["form"].secret
    page = response.content.decode()
    shown = re.search(r'<code class="secret-key"[^>]*>([^<]*)</code>', page)
    assert shown is not None
    assert shown.group(1).split(" ") == [secret[i : i + 4] for i in range(0, len(secret), 4)]
    assert "disabled" not in page


@pytest.mark.django_db
def test_setup_page_offers_an_otpauth_link_for_this_phone(personas) -> None:
    client = signed_in(personas.center_staff)

    response = client.get(reverse("mfa_activate_totp"))

    totp_url = response.context["totp_url"]
    assert totp_url.startswith("otpauth://totp/")
    page = response.content.decode()
    link = re.search(r'<a [^>]*href="(otpauth://[^"]+)"[^>]*>([^<]+)</a>', page)
    assert link is not None
    assert link.group(1) == totp_url.replace("&", "&amp;")
    assert link.group(2) == "Mở bằng ứng dụng xác thực trên điện thoại này"


@pytest.mark.django_db
def test_after_activation_the_recovery_codes_lead_on_to_the_page_asked_for(personas) -> None:
    client = signed_in(personas.center_staff)
    asked_for = reverse("attendance_home")
    gate = client.get(asked_for)
    setup = client.get(gate["Location"])
    assert f'name="next" value="{asked_for}"' in setup.content.decode()

    activated = client.post(
        reverse("mfa_activate_totp"),
        {"code": current_code(setup.context["form"].secret), "next": asked_for},
    )

    assert activated.status_code == 302
    assert activated["Location"] == (
        f"{reverse('mfa_view_recovery_codes')}?next={quote(asked_for, safe='')}"
    )
    codes = client.get(activated["Location"]).content.decode()
    assert f'<a class="button" href="{asked_for}">Tiếp tục</a>' in codes
    assert client.get(asked_for).status_code == 200


@pytest.mark.django_db
def test_recovery_codes_continue_to_the_staff_area_not_to_another_site(personas) -> None:
    client = signed_in(personas.center_staff)
    setup = client.get(reverse("mfa_activate_totp"))
    client.post(reverse("mfa_activate_totp"), {"code": current_code(setup.context["form"].secret)})

    codes = client.get(
        reverse("mfa_view_recovery_codes"), {"next": "https://evil.example/"}
    ).content.decode()

    assert f'<a class="button" href="{reverse("staff_home")}">Tiếp tục</a>' in codes
    assert 'href="https://evil.example/"' not in codes


@pytest.mark.django_db
def test_download_and_new_codes_are_separate_buttons(personas) -> None:
    client = signed_in(personas.center_staff)
    setup = client.get(reverse("mfa_activate_totp"))
    client.post(reverse("mfa_activate_totp"), {"code": current_code(setup.context["form"].secret)})

    codes = client.get(reverse("mfa_view_recovery_codes")).content.decode()

    download = reverse("mfa_download_recovery_codes")
    generate = reverse("mfa_generate_recovery_codes")
    button = r'<li><a class="button secondary"\s+href="{}">{}</a></li>'
    assert re.search(button.format(re.escape(download), "Tải các mã về"), codes)
    assert re.search(button.format(re.escape(generate), "Tạo mã mới"), codes)
    assert Authenticator.objects.filter(
        user=personas.center_staff, type=Authenticator.Type.RECOVERY_CODES
    ).exists()


@pytest.mark.django_db
def test_right_after_signing_in_the_setup_does_not_ask_for_the_password_again(personas) -> None:
    """The password typed at sign-in a moment ago is the confirmation allauth asks for."""
    user = personas.center_staff
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    gate = client.get(reverse("staff_home"))
    setup = client.get(gate["Location"])

    assert gate["Location"].startswith(reverse("mfa_activate_totp"))
    assert setup.status_code == 200
    assert "otpauth://" in setup.content.decode()


@pytest.mark.django_db
def test_a_full_width_code_activates_the_app(personas) -> None:
    """A phone keyboard in full-width mode types the code in full-width digits: the same code."""
    user = personas.center_staff
    user.set_password(PASSWORD)
    user.save()
    client = signed_in(user)
    setup = client.get(reverse("mfa_activate_totp"))
    code = current_code(setup.context["form"].secret)
    full_width = " ".join(
        "".join(chr(ord(digit) + 0xFEE0) for digit in part) for part in (code[:3], code[3:])
    )

    client.post(reverse("mfa_activate_totp"), {"code": full_width})

    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
