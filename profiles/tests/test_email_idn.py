"""One canonical form for e-mail addresses with an IDN domain (issue #17, decision 0009):
``an@trường.vn`` and ``an@xn--trng-rib8295b.vn`` name one mailbox and one account."""

import importlib
import unicodedata

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps as django_apps
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from learnprofile.text import email_canonical
from profiles import api as profiles_api
from profiles.models import HouseholdInvitation, User
from profiles.services import households
from profiles.tests.factories import UserFactory
from tests.helpers import link_in_last_email, run_pending_jobs

PASSWORD = "Hoc-tap-suot-doi-2026"
UNICODE_FORM = "an@trường.vn"
ASCII_FORM = "an@xn--trng-rib8295b.vn"


def client_in_vietnamese() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    return client


@pytest.mark.parametrize(
    "typed",
    [
        UNICODE_FORM,
        ASCII_FORM,
        "An@XN--TRNG-RIB8295B.VN",
        "an@TRƯỜNG.VN",
        unicodedata.normalize("NFD", "an@Trường.vn"),
        " an@trường.vn ",
    ],
)
def test_every_form_of_an_idn_address_has_one_canonical_form(typed: str) -> None:
    assert email_canonical(typed) == UNICODE_FORM


def test_an_invalid_domain_is_kept_as_typed_for_the_validator_to_refuse() -> None:
    assert email_canonical("An@xn--zz..vn") == "an@xn--zz..vn"


def _sign_up(client: Client, email: str) -> None:
    client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def _signed_in_user_id(email: str) -> str | None:
    client = client_in_vietnamese()
    client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second"), [(UNICODE_FORM, ASCII_FORM), (ASCII_FORM, UNICODE_FORM)]
)
def test_signing_up_with_the_other_form_is_refused_and_both_forms_sign_in(
    first: str, second: str
) -> None:
    # Given an account opened and verified with one form of the address
    _sign_up(client_in_vietnamese(), first)
    run_pending_jobs()
    confirm_url = link_in_last_email(r"http://testserver/accounts/confirm-email/[^\s]+/")
    client_in_vietnamese().post(confirm_url.removeprefix("http://testserver"))
    user = User.objects.get()
    assert user.email == UNICODE_FORM
    assert list(EmailAddress.objects.values_list("email", "verified")) == [(UNICODE_FORM, True)]
    mail.outbox.clear()

    # When someone signs up with the other form
    _sign_up(client_in_vietnamese(), second)

    # Then no second account is opened: the owner is told the account exists
    assert list(User.objects.values_list("pk", "email")) == [(user.pk, UNICODE_FORM)]
    assert EmailAddress.objects.count() == 1
    run_pending_jobs()
    assert [message.subject for message in mail.outbox] == ["Tài khoản đã tồn tại"]
    # And both forms sign in to the one account
    assert _signed_in_user_id(UNICODE_FORM) == str(user.pk)
    assert _signed_in_user_id(ASCII_FORM) == str(user.pk)


@pytest.mark.django_db
def test_a_password_reset_asked_with_the_ascii_form_reaches_the_account() -> None:
    UserFactory(email=UNICODE_FORM)

    client_in_vietnamese().post(reverse("account_reset_password"), {"email": ASCII_FORM})

    run_pending_jobs()
    assert [message.subject for message in mail.outbox] == ["Email đặt lại mật khẩu"]


@pytest.mark.django_db
def test_either_form_finds_the_same_person() -> None:
    user = UserFactory(email=UNICODE_FORM)

    found = profiles_api.persons_by_contact(contacts=[ASCII_FORM, UNICODE_FORM, "An@TRƯỜNG.VN"])

    assert {contact: person.id for contact, person in found.items()} == {
        ASCII_FORM: user.pk,
        UNICODE_FORM: user.pk,
        "An@TRƯỜNG.VN": user.pk,
    }


@pytest.mark.django_db
def test_a_household_invitation_by_the_ascii_form_is_addressed_to_the_account(personas) -> None:
    households.household_create(actor=personas.learner, name="Gia đình Lan")

    invitation = households.household_invite(actor=personas.learner, email=ASCII_FORM)

    assert invitation.email == UNICODE_FORM
    assert HouseholdInvitation.objects.get().email == UNICODE_FORM


@pytest.mark.django_db
def test_the_admin_stores_a_new_account_in_the_canonical_form(client: Client, personas) -> None:
    # A TOTP authenticator, so the MFA gate in front of /admin/ lets the administrator in.
    Authenticator.objects.create(
        user=personas.national_admin, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client.force_login(personas.national_admin)

    response = client.post(
        reverse("admin:profiles_user_add"),
        {
            "email": ASCII_FORM,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.filter(email=UNICODE_FORM).count() == 1


# --- The data migration ------------------------------------------------------------------


def _migration():
    return importlib.import_module("profiles.migrations.0010_text_nfc")


@pytest.mark.django_db
def test_the_migration_rewrites_stored_addresses_in_the_canonical_form() -> None:
    user = UserFactory(email=ASCII_FORM, password=PASSWORD)
    ascii_user = UserFactory(email="lan@example.vn")
    printed: list[str] = []

    _migration().emails_canonical(django_apps, None, out=printed.append)

    user.refresh_from_db()
    assert user.email == UNICODE_FORM
    assert EmailAddress.objects.get(user=user).email == UNICODE_FORM
    assert User.objects.get(pk=ascii_user.pk).email == "lan@example.vn"
    assert printed == []
    assert _signed_in_user_id(ASCII_FORM) == str(user.pk)


@pytest.mark.django_db
def test_the_migration_leaves_two_accounts_for_one_mailbox_and_prints_them() -> None:
    unicode_user = UserFactory(email=UNICODE_FORM, password=PASSWORD)
    # Opened before this change with the other form: EmailAddress rows differ too.
    ascii_user = UserFactory(email=ASCII_FORM, verified_email=False)
    EmailAddress.objects.create(user=ascii_user, email=ASCII_FORM, verified=False, primary=True)
    printed: list[str] = []

    _migration().emails_canonical(django_apps, None, out=printed.append)

    assert dict(User.objects.values_list("pk", "email")) == {
        unicode_user.pk: UNICODE_FORM,
        ascii_user.pk: ASCII_FORM,
    }
    assert printed == [
        f"profiles.User: 2 accounts for the mailbox {UNICODE_FORM}: "
        f"user {unicode_user.pk} ({UNICODE_FORM}), user {ascii_user.pk} ({ASCII_FORM}); "
        "left as they are, merge them",
        f"account.EmailAddress: 2 addresses for the mailbox {UNICODE_FORM}: "
        f"address {EmailAddress.objects.get(user=unicode_user).pk} of user {unicode_user.pk} "
        f"({UNICODE_FORM}), address {EmailAddress.objects.get(user=ascii_user).pk} of user "
        f"{ascii_user.pk} ({ASCII_FORM}); left as they are, merge them",
    ]
    # Until administrators merge them, the account holding the canonical form signs in.
    assert _signed_in_user_id(ASCII_FORM) == str(unicode_user.pk)
