"""Typed check-in and claim codes: wrong ones slow the person who types them and the address
they come from, with growing waits that say how long; nobody else (decision 0010).

The counters are real (the database cache). Waits are made known whatever the speed of the
machine: check-in takes the time as an argument, and counters are filled "just now" with the
failures a guesser would have left.
"""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import AttendanceMark, WalkInClaim
from courses.services import checkin, walk_ins
from courses.tests.factories import class_make
from learnprofile.attempts import Limit, attempt_start
from learnprofile.errors import DomainError
from profiles.tests.factories import UserFactory, ward

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.5"
OTHER_ADDRESS = "198.51.100.7"
PROXY = "10.0.0.2"


@pytest.fixture
def klass(personas):
    return class_make(personas.center_staff.memberships.get().organization, learners=2)


def _failures_just_now(limit: Limit, identity: str, count: int) -> None:
    """`count` failures under `limit` for `identity`, each as soon as the one before allowed,
    the last one now."""
    offsets = [0]
    for failures in range(1, count):
        offsets.append(offsets[-1] + limit.delay_seconds(failures))
    now = time.time()
    for offset in offsets:
        attempt_start(counters=[(limit, identity)], now=now - offsets[-1] + offset)


def _wrong(code: str) -> str:
    return str((int(code) + 1) % 1_000_000).zfill(6)


def _client(user, address: str) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


# --- Check-in codes ----------------------------------------------------------------------


def test_wrong_typed_codes_make_the_guesser_wait_longer_each_time(klass) -> None:
    learner = klass.enrollments[0].learner
    started = timezone.now()
    wrong = _wrong(checkin.checkin_screen(session=klass.current, now=started).code)

    def typed(after_seconds: float) -> str:
        try:
            checkin.check_in_with_code(
                actor=learner,
                code=wrong,
                client_address=ADDRESS,
                now=started + timedelta(seconds=after_seconds),
            )
        except checkin.TooManyAttempts as refusal:
            return str(refusal.message)
        except checkin.TokenInvalid:
            return "wrong"
        return "checked in"

    free = [typed(0) for _guess in range(checkin.CODE_PER_PERSON.free_failures)]
    answers = [typed(0), typed(1), typed(1), typed(3), typed(3), typed(7), typed(7)]

    assert free == ["wrong"] * checkin.CODE_PER_PERSON.free_failures
    assert answers == [
        "Bạn đã nhập sai mã nhiều lần. Hãy đợi 1 giây rồi thử lại.",
        "wrong",
        "Bạn đã nhập sai mã nhiều lần. Hãy đợi 2 giây rồi thử lại.",
        "wrong",
        "Bạn đã nhập sai mã nhiều lần. Hãy đợi 4 giây rồi thử lại.",
        "wrong",
        "Bạn đã nhập sai mã nhiều lần. Hãy đợi 8 giây rồi thử lại.",
    ]
    assert not AttendanceMark.objects.exists()


def test_while_waiting_the_right_code_is_refused_with_how_long_and_nothing_is_marked(
    klass,
) -> None:
    learner = klass.enrollments[0].learner
    _failures_just_now(checkin.CODE_PER_PERSON, str(learner.pk), 20)
    code = checkin.checkin_screen(session=klass.current).code

    response = _client(learner, ADDRESS).post(reverse("api_check_in_code"), {"code": code})

    assert response.status_code == 429
    assert response.json()["error"] == {
        "code": "too_many_attempts",
        "message": "Bạn đã nhập sai mã nhiều lần. Hãy đợi 10 phút rồi thử lại.",
    }
    assert not AttendanceMark.objects.exists()


def test_the_api_s_refusal_tells_programs_when_to_retry(klass) -> None:
    """Retry-After (RFC 9110) in whole seconds: the wait of the message above (10 minutes)."""
    learner = klass.enrollments[0].learner
    _failures_just_now(checkin.CODE_PER_PERSON, str(learner.pk), 20)

    response = _client(learner, ADDRESS).post(reverse("api_check_in_code"), {"code": "000000"})

    assert response.status_code == 429
    assert 9 * 60 < int(response["Retry-After"]) <= 10 * 60


def test_the_typed_code_page_says_how_long_to_wait(klass) -> None:
    learner = klass.enrollments[0].learner
    _failures_just_now(checkin.CODE_PER_PERSON, str(learner.pk), 20)
    code = checkin.checkin_screen(session=klass.current).code

    response = _client(learner, ADDRESS).post(reverse("checkin_code"), {"code": code})

    assert response.status_code == 429
    assert "Hãy đợi 10 phút rồi thử lại." in response.content.decode()
    assert not AttendanceMark.objects.exists()


def test_a_learner_on_a_network_where_others_typed_wrong_codes_is_told_so_on_the_page(
    klass,
) -> None:
    """She typed nothing wrong: the page says the failures came from her network, keeps the
    form, and answers 429 with Retry-After as the API does."""
    _failures_just_now(checkin.CODE_PER_ADDRESS, ADDRESS, 60)
    learner = klass.enrollments[0].learner
    code = checkin.checkin_screen(session=klass.current).code

    response = _client(learner, ADDRESS).post(reverse("checkin_code"), {"code": code})

    page = response.content.decode()
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert (
        "Có quá nhiều lần nhập sai mã điểm danh từ mạng bạn đang dùng. Hãy đợi 1 phút rồi thử lại."
    ) in page
    assert "Bạn đã nhập sai mã" not in page
    assert 'name="code"' in page
    assert not AttendanceMark.objects.exists()


def test_a_guesser_waiting_does_not_hold_back_a_classmate_on_the_same_network(klass) -> None:
    guesser, classmate = (enrollment.learner for enrollment in klass.enrollments)
    _failures_just_now(checkin.CODE_PER_PERSON, str(guesser.pk), 20)
    code = checkin.checkin_screen(session=klass.current).code

    response = _client(classmate, ADDRESS).post(reverse("api_check_in_code"), {"code": code})

    assert response.status_code == 200
    assert AttendanceMark.objects.get().enrollment == klass.enrollments[1]


def test_one_address_typing_wrong_codes_for_many_accounts_waits_there_only(klass, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    _failures_just_now(checkin.CODE_PER_ADDRESS, ADDRESS, 60)
    learner = klass.enrollments[0].learner
    code = checkin.checkin_screen(session=klass.current).code
    client = Client(REMOTE_ADDR=PROXY)
    client.force_login(learner)

    there = client.post(reverse("api_check_in_code"), {"code": code}, HTTP_X_FORWARDED_FOR=ADDRESS)
    elsewhere = client.post(
        reverse("api_check_in_code"), {"code": code}, HTTP_X_FORWARDED_FOR=OTHER_ADDRESS
    )

    assert there.status_code == 429
    assert there.json()["error"]["message"] == (
        "Có quá nhiều lần nhập sai mã điểm danh từ mạng bạn đang dùng. Hãy đợi 1 phút rồi thử lại."
    )
    assert elsewhere.status_code == 200
    assert AttendanceMark.objects.get().enrollment == klass.enrollments[0]


def test_a_right_code_refused_for_another_reason_is_not_a_wrong_guess(klass) -> None:
    learner = klass.enrollments[0].learner
    now = timezone.now()
    code = checkin.checkin_screen(session=klass.current, now=now).code
    checkin.check_in_with_code(actor=learner, code=code, client_address=ADDRESS, now=now)

    refusals = []
    for _again in range(checkin.CODE_PER_PERSON.free_failures + 5):
        with pytest.raises(DomainError) as refusal:
            checkin.check_in_with_code(actor=learner, code=code, client_address=ADDRESS, now=now)
        refusals.append(refusal.value.code)

    assert set(refusals) == {"already_checked_in"}


# --- Claim codes ---------------------------------------------------------------------------


@pytest.fixture
def claim_code(klass, personas):
    registration = walk_ins.walk_in_register(
        actor=personas.center_staff,
        organization_id=personas.center_staff.memberships.get().organization_id,
        full_name="Lò Thị Mai",
        birth_year=1962,
        ward_id=ward().pk,
        offering_id=klass.offering.pk,
    )
    return registration.claim_code


def test_while_waiting_the_right_claim_code_is_refused_with_how_long(claim_code) -> None:
    guesser = UserFactory()
    _failures_just_now(walk_ins.CLAIM_PER_PERSON, str(guesser.pk), 20)

    response = _client(guesser, ADDRESS).post(reverse("walk_in_claim"), {"code": claim_code})

    assert response.status_code == 429
    assert "Bạn đã nhập sai mã nhiều lần. Hãy đợi 15 phút rồi thử lại." in (
        response.content.decode()
    )
    assert not WalkInClaim.objects.exists()


def test_a_learner_on_a_network_where_others_typed_wrong_claim_codes_is_told_so_on_the_page(
    claim_code,
) -> None:
    _failures_just_now(walk_ins.CLAIM_PER_ADDRESS, ADDRESS, 36)
    learner = UserFactory()

    response = _client(learner, ADDRESS).post(reverse("walk_in_claim"), {"code": claim_code})

    page = response.content.decode()
    assert response.status_code == 429
    assert 60 < int(response["Retry-After"]) <= 120
    assert (
        "Có quá nhiều lần nhập sai mã nhận hồ sơ từ mạng bạn đang dùng. Hãy đợi 2 phút rồi thử lại."
    ) in page
    assert "Bạn đã nhập sai mã" not in page
    assert 'name="code"' in page
    assert not WalkInClaim.objects.exists()


def test_wrong_claim_codes_are_free_up_to_a_point_then_the_guesser_waits(claim_code) -> None:
    guesser = UserFactory()
    free = walk_ins.CLAIM_PER_PERSON.free_failures
    answers = []
    for _guess in range(free + 10):
        try:
            walk_ins.walk_in_claim(actor=guesser, code="AAAA-AAAA", client_address=ADDRESS)
        except walk_ins.ClaimCodeInvalid:
            answers.append("wrong")
        except walk_ins.TooManyAttempts:
            answers.append("wait")

    assert answers[:free] == ["wrong"] * free
    assert "wait" in answers[free:]


def test_a_claim_guesser_waiting_does_not_hold_back_the_learner_on_the_same_network(
    claim_code,
) -> None:
    guesser, learner = UserFactory(), UserFactory()
    _failures_just_now(walk_ins.CLAIM_PER_PERSON, str(guesser.pk), 20)

    response = _client(learner, ADDRESS).post(reverse("walk_in_claim"), {"code": claim_code})

    assert response.status_code == 302
    assert WalkInClaim.objects.get().claimant == learner


def test_one_address_guessing_claim_codes_for_many_accounts_waits_there_only(
    claim_code,
) -> None:
    learner = UserFactory()
    _failures_just_now(walk_ins.CLAIM_PER_ADDRESS, ADDRESS, 36)

    with pytest.raises(walk_ins.TooManyAttempts) as there:
        walk_ins.walk_in_claim(actor=learner, code=claim_code, client_address=ADDRESS)
    claim = walk_ins.walk_in_claim(actor=learner, code=claim_code, client_address=OTHER_ADDRESS)

    assert str(there.value.message) == (
        "Có quá nhiều lần nhập sai mã nhận hồ sơ từ mạng bạn đang dùng. Hãy đợi 2 phút rồi thử lại."
    )
    assert claim.claimant == learner
