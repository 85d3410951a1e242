"""Wrong passwords slow down where they come from, never the account (decision 0010).

The limits are on here (the test settings turn them off for everything else), with the
project's own configuration; the counters are real (the database cache).
"""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client
from django.urls import reverse

from learnprofile.attempts import Limit, attempt_start
from learnprofile.settings import base
from profiles.adapters import (
    SECOND_FACTOR_PER_ACCOUNT_AND_ADDRESS,
    SIGN_IN_PER_ACCOUNT_AND_ADDRESS,
    SIGN_IN_PER_ADDRESS,
    second_factor_counters,
    sign_in_counters,
)
from tests.helpers import link_in_last_email, run_pending_jobs

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-an-toan-2026"  # profiles.tests.factories.UserFactory
ATTACKER = "203.0.113.5"
OWNER = "198.51.100.7"
PROXY = "10.0.0.2"
WAIT_ON_PASSWORDS = "Bạn đã nhập sai mật khẩu nhiều lần. Hãy đợi"
WAIT_ON_NETWORK = "Có quá nhiều lần đăng nhập sai từ mạng bạn đang dùng. Hãy đợi"


@pytest.fixture(autouse=True)
def limits_on(settings):
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    settings.TRUSTED_PROXY_COUNT = 0


def _sign_in(client: Client, email: str, password: str, **headers: str):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **headers)


def _signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def _refused(response, text: str = WAIT_ON_PASSWORDS) -> bool:
    return text in response.content.decode()


def _failures_just_now(limit: Limit, email: str, address: str, count: int) -> None:
    """`count` failures under `limit` for (email, address), each as soon as the one before
    allowed, the last one now: the wait that follows is then known whatever the speed of
    the machine. Only `limit`'s counter is filled."""
    counter = next(c for c in sign_in_counters(account=email, address=address) if c[0] is limit)
    offsets = [0]
    for failures in range(1, count):
        offsets.append(offsets[-1] + limit.delay_seconds(failures))
    now = time.time()
    for offset in offsets:
        attempt_start(counters=[counter], now=now - offsets[-1] + offset)


def test_thirty_wrong_passwords_from_one_address_do_not_keep_the_owner_out_from_another(
    personas,
) -> None:
    email = personas.learner.email
    attacker = Client(REMOTE_ADDR=ATTACKER)
    answers = [_sign_in(attacker, email, f"doan-{guess}") for guess in range(30)]
    owner = Client(REMOTE_ADDR=OWNER)

    response = _sign_in(owner, email, PASSWORD)

    assert response.status_code == 302
    assert _signed_in_as(owner) == str(personas.learner.pk)
    assert any(_refused(answer) for answer in answers)
    assert _signed_in_as(attacker) is None


def test_through_a_trusted_proxy_each_forwarded_client_is_counted_apart(personas, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    email = personas.learner.email
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    answers = [_sign_in(attacker, email, f"doan-{guess}") for guess in range(30)]
    owner = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OWNER)

    response = _sign_in(owner, email, PASSWORD)

    assert response.status_code == 302
    assert _signed_in_as(owner) == str(personas.learner.pk)
    assert any(_refused(answer) for answer in answers)


def test_behind_a_trusted_proxy_a_forged_entry_does_not_pass_for_the_owner(
    personas, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    email = personas.learner.email
    # The attacker writes the owner's address; the proxy appends the attacker's own.
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{OWNER}, {ATTACKER}")
    for guess in range(30):
        _sign_in(attacker, email, f"doan-{guess}")
    owner = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OWNER)

    response = _sign_in(owner, email, PASSWORD)

    assert response.status_code == 302
    assert _signed_in_as(owner) == str(personas.learner.pk)


def test_without_a_trusted_proxy_a_forwarded_header_does_not_pass_for_the_owner(
    personas,
) -> None:
    email = personas.learner.email
    attacker = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=OWNER)
    for guess in range(30):
        _sign_in(attacker, email, f"doan-{guess}")
    owner = Client(REMOTE_ADDR=OWNER)

    response = _sign_in(owner, email, PASSWORD)

    assert _signed_in_as(owner) == str(personas.learner.pk)
    assert response.status_code == 302


def test_without_a_trusted_proxy_changing_the_forwarded_header_escapes_nothing(
    personas,
) -> None:
    email = personas.learner.email
    attacker = Client(REMOTE_ADDR=ATTACKER)
    answers = [
        _sign_in(attacker, email, f"doan-{guess}", HTTP_X_FORWARDED_FOR=f"192.0.2.{guess}")
        for guess in range(20)
    ]
    free = SIGN_IN_PER_ACCOUNT_AND_ADDRESS.free_failures

    assert not any(_refused(answer) for answer in answers[:free])
    assert any(_refused(answer) for answer in answers[free:])


def test_the_refusal_says_how_long_to_wait_on_the_sign_in_form(personas) -> None:
    email = personas.learner.email
    _failures_just_now(SIGN_IN_PER_ACCOUNT_AND_ADDRESS, email, ATTACKER, 25)
    client = Client(REMOTE_ADDR=ATTACKER)

    response = _sign_in(client, email, PASSWORD)

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "Bạn đã nhập sai mật khẩu nhiều lần. Hãy đợi 15 phút rồi thử lại. "
        "Nếu quên mật khẩu, bạn có thể đặt lại mật khẩu qua email."
    ) in page
    assert 'name="password"' in page
    assert _signed_in_as(client) is None


def test_one_address_trying_many_accounts_is_slowed_down_and_no_one_else(personas) -> None:
    guesser = Client(REMOTE_ADDR=ATTACKER)
    answers = [_sign_in(guesser, f"nguoi-{guess}@example.vn", "doan") for guess in range(28)]
    free = SIGN_IN_PER_ADDRESS.free_failures
    elsewhere = Client(REMOTE_ADDR=OWNER)

    signed_in = _sign_in(elsewhere, personas.learner.email, PASSWORD)

    assert not any(_refused(answer, WAIT_ON_NETWORK) for answer in answers[:free])
    assert any(_refused(answer, WAIT_ON_NETWORK) for answer in answers[free:])
    assert signed_in.status_code == 302
    assert _signed_in_as(elsewhere) == str(personas.learner.pk)


def test_a_busy_address_refuses_even_the_right_password_until_the_wait_is_over(
    personas,
) -> None:
    _failures_just_now(SIGN_IN_PER_ADDRESS, "nguoi-khac@example.vn", ATTACKER, 30)
    client = Client(REMOTE_ADDR=ATTACKER)

    response = _sign_in(client, personas.learner.email, PASSWORD)

    assert "Có quá nhiều lần đăng nhập sai từ mạng bạn đang dùng. Hãy đợi 1 phút rồi thử lại." in (
        response.content.decode()
    )
    assert _signed_in_as(client) is None


def test_a_right_password_forgets_the_failures_from_that_address(personas) -> None:
    email = personas.learner.email
    client = Client(REMOTE_ADDR=OWNER)
    free = SIGN_IN_PER_ACCOUNT_AND_ADDRESS.free_failures
    for guess in range(free - 1):
        _sign_in(client, email, f"sai-{guess}")
    _sign_in(client, email, PASSWORD)
    client.logout()

    answers = [_sign_in(client, email, f"lai-sai-{guess}") for guess in range(free)]

    assert not any(_refused(answer) for answer in answers)


def test_a_password_reset_lets_the_new_password_in_at_once(personas) -> None:
    email = personas.learner.email
    _failures_just_now(SIGN_IN_PER_ACCOUNT_AND_ADDRESS, email, OWNER, 25)
    client = Client(REMOTE_ADDR=OWNER)
    client.post(reverse("account_reset_password"), {"email": email})
    run_pending_jobs()
    reset_link = link_in_last_email(r"http://testserver/accounts/password/reset/key/[^\s]+/")
    form = client.get(reset_link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"password1": "Mat-khau-moi-2026!", "password2": "Mat-khau-moi-2026!"},
    )

    response = _sign_in(client, email, "Mat-khau-moi-2026!")

    assert response.status_code == 302
    assert _signed_in_as(client) == str(personas.learner.pk)


def test_a_room_of_learners_signing_in_from_one_address_is_not_refused(personas) -> None:
    """A community center's room shares one address: sixty right sign-ins in a minute (more
    than the thirty allauth allowed before) all go through."""
    answers = [
        _sign_in(Client(REMOTE_ADDR=OWNER), personas.learner.email, PASSWORD) for _ in range(60)
    ]

    assert [answer.status_code for answer in answers] == [302] * 60


def test_a_burst_of_sign_in_forms_from_one_address_gets_a_page_in_vietnamese(personas) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    allowed = int(re.match(r"\d+", base.ACCOUNT_RATE_LIMITS["login"]).group(0))
    for guess in range(allowed):
        _sign_in(client, f"nguoi-{guess}@example.vn", "doan")

    response = _sign_in(client, personas.learner.email, PASSWORD)

    assert response.status_code == 429
    assert "Hãy đợi một phút rồi thử lại." in response.content.decode()


# The allauth limits whose refusal is the 429 page (the others refuse on a form, or not at all).
_PAGE_LIMITS = (
    "login",
    "signup",
    "reset_password",
    "reset_password_from_key",
    "change_password",
    "manage_email",
    "reauthenticate",
    "change_phone",
)


def test_every_limit_that_answers_the_429_page_lets_the_next_try_in_within_a_minute() -> None:
    """The page says "wait one minute": allauth's windows slide, so a rate over at most a
    minute lets the next try in by then."""
    from allauth.account import app_settings
    from allauth.core.internal.ratelimit import parse_rates

    durations = {
        action: [rate.duration for rate in parse_rates(app_settings.RATE_LIMITS.get(action))]
        for action in _PAGE_LIMITS
    }

    assert {action: max(seconds) <= 60 for action, seconds in durations.items()} == dict.fromkeys(
        _PAGE_LIMITS, True
    )


# --- The second factor ---------------------------------------------------------------------


@pytest.fixture
def staff_with_app(personas):
    """A staff member whose authenticator app holds a real TOTP secret; returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(personas.center_staff, secret)
    return secret


def _code_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def _second_step(client: Client, email: str, code: str):
    _sign_in(client, email, PASSWORD)
    return client.post(reverse("mfa_authenticate"), {"code": code})


def test_wrong_second_factor_codes_from_one_address_do_not_keep_the_owner_out_from_another(
    personas, staff_with_app
) -> None:
    email = personas.center_staff.email
    wrong = str((int(_code_now(staff_with_app)) + 500_000) % 1_000_000).zfill(6)
    attacker = Client(REMOTE_ADDR=ATTACKER)  # knows the password, not the app
    _sign_in(attacker, email, PASSWORD)
    for _guess in range(SECOND_FACTOR_PER_ACCOUNT_AND_ADDRESS.free_failures + 3):
        attacker.post(reverse("mfa_authenticate"), {"code": wrong})
    owner = Client(REMOTE_ADDR=OWNER)

    response = _second_step(owner, email, _code_now(staff_with_app))

    assert response.status_code == 302
    assert _signed_in_as(owner) == str(personas.center_staff.pk)
    assert _signed_in_as(attacker) is None


# Waits in minutes: the password step before the code takes real time, and a wait of a few
# seconds could be over before the code is read on a busy machine.
@pytest.mark.parametrize(("failures", "wait"), [(13, "5 phút"), (14, "9 phút"), (25, "15 phút")])
def test_wrong_second_factor_codes_from_one_address_wait_longer_and_are_told_how_long(
    personas, staff_with_app, failures: int, wait: str
) -> None:
    limit = SECOND_FACTOR_PER_ACCOUNT_AND_ADDRESS
    counter = second_factor_counters(user_id=personas.center_staff.pk, address=ATTACKER)[0]
    offsets = [0]
    for failed in range(1, failures):
        offsets.append(offsets[-1] + limit.delay_seconds(failed))
    now = time.time()
    for offset in offsets:
        attempt_start(counters=[counter], now=now - offsets[-1] + offset)
    client = Client(REMOTE_ADDR=ATTACKER)

    response = _second_step(client, personas.center_staff.email, _code_now(staff_with_app))

    assert response.status_code == 200
    assert (
        f"Bạn đã nhập sai mã xác thực nhiều lần. Hãy đợi {wait} rồi thử lại với mã mới trong "
        "ứng dụng xác thực, hoặc dùng một mã khôi phục."
    ) in response.content.decode()
    assert _signed_in_as(client) is None


def test_the_second_factor_code_may_be_typed_in_full_width_digits_with_a_space(
    personas, staff_with_app
) -> None:
    code = _code_now(staff_with_app)
    typed = "".join(chr(ord(digit) + 0xFEE0) for digit in code)  # U+FF10-U+FF19
    client = Client(REMOTE_ADDR=OWNER)

    response = _second_step(client, personas.center_staff.email, f"{typed[:3]} {typed[3:]}")

    assert response.status_code == 302
    assert _signed_in_as(client) == str(personas.center_staff.pk)
