"""QR self check-in: a valid scan marks present once; every refusal says why and writes nothing."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from courses.models import AttendanceMark
from courses.services import checkin
from courses.tests.factories import class_make
from learnprofile.audit.models import AuditEvent
from profiles.tests.factories import with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def klass(personas):
    return class_make(personas.center_staff.memberships.get().organization, learners=2)


@pytest.fixture
def learner_client(client, klass):
    client.force_login(klass.enrollments[0].learner)
    return client


def _scan(client, session, token):
    return client.post(
        reverse("api_check_in", args=[session.public_id]),
        {"token": token},
        content_type="application/json",
    )


def test_a_valid_scan_marks_the_learner_present_once(learner_client, klass) -> None:
    token = checkin.checkin_screen(session=klass.current).token

    response = _scan(learner_client, klass.current, token)

    assert response.status_code == 200
    mark = AttendanceMark.objects.get()
    assert (mark.enrollment, mark.status, mark.source) == (klass.enrollments[0], "present", "qr")


def test_the_qr_page_marks_present_after_one_tap(learner_client, klass) -> None:
    token = checkin.checkin_screen(session=klass.current).token
    url = reverse("checkin_scan", args=[klass.current.public_id, token])

    assert learner_client.get(url).status_code == 200
    assert not AttendanceMark.objects.exists()  # opening the link writes nothing
    response = learner_client.post(url)

    assert response.status_code == 302
    assert AttendanceMark.objects.get().status == "present"


def _refusal(response, code: str, http_status: int) -> None:
    assert response.status_code == http_status
    assert response.json()["error"]["code"] == code
    assert not AttendanceMark.objects.exists()
    assert AuditEvent.objects.filter(
        action="attendance.checkin_refused", details__code=code
    ).exists()


def test_a_forged_token_is_refused(learner_client, klass) -> None:
    token = checkin.checkin_screen(session=klass.current).token
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    _refusal(_scan(learner_client, klass.current, forged), "checkin_token_invalid", 400)


def test_a_token_signed_with_another_key_is_refused(learner_client, klass) -> None:
    window = checkin.checkin_screen(session=klass.current).window
    token = signing.dumps(
        {"s": str(klass.current.public_id), "w": window},
        key="not-our-secret",
        salt="courses.checkin",
    )

    _refusal(_scan(learner_client, klass.current, token), "checkin_token_invalid", 400)


def test_an_expired_token_is_refused(learner_client, klass) -> None:
    old = checkin.checkin_screen(session=klass.current, now=timezone.now() - timedelta(minutes=3))

    response = _scan(learner_client, klass.current, old.token)

    _refusal(response, "checkin_token_expired", 410)
    assert "hết hạn" in response.json()["error"]["message"]


def test_a_token_of_another_session_is_refused(learner_client, klass) -> None:
    other = checkin.checkin_screen(session=klass.sessions[0]).token

    _refusal(_scan(learner_client, klass.current, other), "checkin_wrong_session", 400)


def test_a_learner_not_enrolled_is_refused(client, klass, personas) -> None:
    client.force_login(personas.other_learner)
    token = checkin.checkin_screen(session=klass.current).token

    _refusal(_scan(client, klass.current, token), "not_enrolled", 403)


def test_a_scan_outside_the_session_window_is_refused(learner_client, klass) -> None:
    yesterday = klass.sessions[-2]  # ended a day ago; its token is fresh
    token = checkin.checkin_screen(session=yesterday).token

    _refusal(_scan(learner_client, yesterday, token), "outside_session_window", 409)


def test_a_second_scan_is_refused(learner_client, klass) -> None:
    token = checkin.checkin_screen(session=klass.current).token
    _scan(learner_client, klass.current, token)

    second = _scan(learner_client, klass.current, token)

    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_checked_in"
    assert AttendanceMark.objects.count() == 1
    assert AttendanceMark.objects.get().changes.count() == 1


def test_the_typed_code_checks_in_a_learner_whose_phone_cannot_scan(learner_client, klass) -> None:
    code = checkin.checkin_screen(session=klass.current).code

    response = learner_client.post(reverse("checkin_code"), {"code": f" {code[:3]} {code[3:]} "})

    assert response.status_code == 302
    assert AttendanceMark.objects.get(session=klass.current).status == "present"


def test_a_wrong_typed_code_is_refused_in_the_learners_language(learner_client, klass) -> None:
    code = checkin.checkin_screen(session=klass.current).code
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)

    learner_client.cookies["learnprofile_language"] = "en"

    response = learner_client.post(reverse("checkin_code"), {"code": wrong})

    assert response.status_code == 400
    assert "wrong or has expired" in response.content.decode()
    assert not AttendanceMark.objects.exists()


def test_the_staff_screen_shows_a_qr_code_and_reloads_each_minute(client, klass, personas) -> None:
    with_mfa(personas.center_staff)
    client.force_login(personas.center_staff)

    response = client.get(reverse("session_checkin_screen", args=[klass.current.public_id]))

    page = response.content.decode()
    assert "<svg" in page
    assert 'http-equiv="refresh"' in page
    assert checkin.checkin_screen(session=klass.current).code in page
    assert response.headers["Cache-Control"] == "no-store"


def test_the_staff_screen_names_the_typed_address_at_the_site_address(
    client, klass, personas, settings
) -> None:
    settings.SITE_URL = "https://hoctap.gov.vn"
    with_mfa(personas.center_staff)
    client.force_login(personas.center_staff)

    response = client.get(reverse("session_checkin_screen", args=[klass.current.public_id]))

    page = response.content.decode()
    assert f"<strong>hoctap.gov.vn{reverse('checkin_code')}</strong>" in page
    assert "testserver" not in page


def _full_width(text: str) -> str:
    """`text` with each printable ASCII character as its full-width form (U+FF01-U+FF5E)."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def _arabic_indic(digits: str) -> str:
    return "".join(chr(0x0660 + int(digit)) for digit in digits)


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(lambda code: _full_width(f"{code[:3]}-{code[3:]}"), id="full-width"),
        pytest.param(lambda code: _arabic_indic(code), id="arabic-indic"),
        pytest.param(lambda code: f"{code[:3]}\u2013{code[3:]}\u00a0", id="en-dash-nbsp"),
    ],
)
def test_the_typed_code_page_takes_the_digits_as_a_phone_keyboard_types_them(
    learner_client, klass, typed
) -> None:
    code = checkin.checkin_screen(session=klass.current).code

    response = learner_client.post(reverse("checkin_code"), {"code": typed(code)})

    assert response.status_code == 302
    assert AttendanceMark.objects.get(session=klass.current).status == "present"


def test_the_typed_code_api_takes_full_width_digits(learner_client, klass) -> None:
    code = checkin.checkin_screen(session=klass.current).code

    response = learner_client.post(
        reverse("api_check_in_code"),
        {"code": _full_width(f"{code[:3]} {code[3:]}")},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert AttendanceMark.objects.get(session=klass.current).status == "present"


def test_the_typed_code_api_refuses_letters_on_the_code_field(learner_client, klass) -> None:
    response = learner_client.post(
        reverse("api_check_in_code"), {"code": "12a456"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "Mã điểm danh gồm 6 chữ số." in response.content.decode()
    assert not AttendanceMark.objects.exists()
