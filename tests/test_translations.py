"""Vietnamese first and complete; English complete."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.test import Client

BASE_DIR = Path(__file__).resolve().parent.parent
CATALOGS = [
    BASE_DIR / "locale/en/LC_MESSAGES/django.po",
    BASE_DIR / "locale/vendor/vi/LC_MESSAGES/django.po",
]


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-4])
def test_every_message_is_translated_and_none_is_fuzzy(path: Path) -> None:
    with path.open("rb") as po_file:
        catalog = read_po(po_file)

    untranslated = [message.id for message in catalog if message.id and not message.string]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert untranslated == []
    assert fuzzy == []


ENGLISH_LEFTOVERS = [
    "Sign In",
    "Sign Up",
    "Password",
    "Forgot",
    "Email address",
    "Remember Me",
    "Verify",
    "Confirm",
    "Authenticator",
    "Sign Out",
    "This field",
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/confirm-email/",
        "/accounts/password/reset/done/",
    ],
)
def test_account_pages_have_no_english_left_in_vietnamese(path: str) -> None:
    html = Client().get(path).content.decode()
    # The language switch names English in English, on purpose.
    html = html.replace('lang="en"', "").replace(">English<", "><")

    leftovers = [word for word in ENGLISH_LEFTOVERS if word in html]
    assert leftovers == []


@pytest.mark.django_db
def test_mfa_pages_are_vietnamese(personas) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=personas.center_staff, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client = Client()
    client.force_login(personas.center_staff)

    html = client.get("/accounts/2fa/").content.decode()

    assert "Xác thực hai lớp" in html
    assert "Ứng dụng xác thực" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "CharField",
            "Nguyễn\x00An",
            "Không được có ký tự NUL (ký tự rỗng) trong nội dung. Hãy gõ lại hoặc dán dưới dạng "
            "văn bản thường.",
        ),
        ("IntegerField", "12,5", "Hãy nhập một số nguyên."),
        ("UUIDField", "không-phải-mã", "Hãy nhập một mã hợp lệ."),
    ],
)
def test_django_form_messages_people_meet_are_in_natural_vietnamese(field, value, message) -> None:
    from django import forms
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        getattr(forms, field)().clean(value)

    assert refused.value.messages == [message]


def test_a_null_character_posted_to_a_page_is_refused_in_vietnamese(client, personas) -> None:
    client.force_login(personas.learner)

    response = client.post("/profile/", {"full_name": "Nguyễn\x00An"})

    assert "Không được có ký tự NUL" in response.content.decode()
    assert "Null characters" not in response.content.decode()
