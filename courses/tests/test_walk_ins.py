"""Walk-in learners: registered by staff without an account, found again, claimed, undone."""

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from courses.models import AttendanceMark, Enrollment, WalkInClaim, WalkInLearner
from courses.services import completion, walk_ins
from courses.tests.factories import class_make
from learnprofile.audit.models import AuditEvent
from learnprofile.jobs.models import Job
from profiles.tests.factories import UserFactory, ward, with_mfa

pytestmark = pytest.mark.django_db

# By label: courses (tests included) may not import profiles.models.
CitizenProfile = apps.get_model("profiles", "CitizenProfile")
LearningRecord = apps.get_model("profiles", "LearningRecord")
User = apps.get_model("profiles", "User")
ADDRESS = "192.0.2.10"


@pytest.fixture
def center(personas):
    return personas.center_staff.memberships.get().organization


@pytest.fixture
def staff_client(client, personas):
    with_mfa(personas.center_staff)
    client.force_login(personas.center_staff)
    return client


def _register(staff_client, klass, **fields):
    data = {
        "full_name": "Lò Thị Mai",
        "birth_year": "1962",
        "phone": "0912 345 678",
        "ward": str(ward().pk),
        "national_id": "",
        **fields,
    }
    return staff_client.post(reverse("walk_in_new", args=[klass.offering.public_id]), data)


def test_staff_register_a_walk_in_learner_and_enroll_them(staff_client, center) -> None:
    klass = class_make(center, learners=1)

    response = _register(staff_client, klass, national_id="001 062 012345")

    walk_in = WalkInLearner.objects.get()
    assert response.status_code == 302
    assert walk_in.learner.is_assisted
    assert not walk_in.learner.has_usable_password()
    profile = walk_in.learner.citizen_profile
    assert (profile.full_name, profile.phone, profile.national_id_last4) == (
        "Lò Thị Mai",
        "+84912345678",
        "2345",
    )
    assert Enrollment.objects.get(learner=walk_in.learner).status == "active"
    page = staff_client.get(response["Location"]).content.decode()
    assert "Mã nhận hồ sơ" in page
    assert not Job.objects.filter(kind="email.send").exists()  # nobody to mail


def test_the_claim_address_given_to_a_walk_in_is_at_the_site_address(
    staff_client, center, settings
) -> None:
    settings.SITE_URL = "https://hoctap.gov.vn"
    klass = class_make(center, learners=1)

    response = _register(staff_client, klass, national_id="001 062 012345")

    page = staff_client.get(response["Location"]).content.decode()
    assert f"https://hoctap.gov.vn{reverse('walk_in_claim')}" in page
    assert "testserver" not in page


def test_a_failed_enrollment_leaves_no_walk_in_behind(staff_client, center) -> None:
    klass = class_make(center, learners=1)
    klass.offering.status = "finished"
    klass.offering.save()

    response = _register(staff_client, klass)

    assert response.status_code == 200
    assert "không nhận đăng ký" in response.content.decode()
    assert not WalkInLearner.objects.exists()
    assert not User.objects.filter(is_assisted=True).exists()


def test_finding_a_learner_by_phone_offers_them_instead_of_a_duplicate(
    staff_client, center
) -> None:
    klass = class_make(center, learners=1)
    known = UserFactory(profile__full_name="Trần Văn Bình")
    CitizenProfile.objects.filter(user=known).update(phone="+84987654321")

    page = staff_client.get(
        reverse("walk_in_new", args=[klass.offering.public_id]), {"phone": "0987.654.321"}
    ).content.decode()
    assert "Trần Văn Bình" in page
    response = staff_client.post(
        reverse("walk_in_enroll", args=[klass.offering.public_id]),
        {"person": str(known.public_id)},
    )

    assert response.status_code == 302
    assert Enrollment.objects.get(learner=known).offering == klass.offering
    assert not WalkInLearner.objects.exists()
    assert AuditEvent.objects.filter(action="learner.searched").count() == 1


def test_a_national_id_already_on_file_is_refused_with_a_hint_to_search(
    staff_client, center
) -> None:
    klass = class_make(center, learners=1)
    _register(staff_client, klass, national_id="001062012345")

    response = _register(staff_client, klass, national_id="001062012345", phone="")

    assert "Hãy tìm người học theo số này" in response.content.decode()
    assert WalkInLearner.objects.count() == 1


def _walk_in_who_attended(staff_client, klass):
    registration_page = _register(staff_client, klass)
    walk_in = WalkInLearner.objects.get()
    code = staff_client.get(registration_page["Location"]).context["code"]
    enrollment = Enrollment.objects.get(learner=walk_in.learner)
    data = {f"status-{e.public_id}": "present" for e in [*klass.enrollments, enrollment]}
    for session in klass.sessions:
        staff_client.post(reverse("session_roster", args=[session.public_id]), data)
    return walk_in, enrollment, code


def test_a_walk_in_learner_claims_the_record_and_sees_their_attendance(
    staff_client, center
) -> None:
    klass = class_make(center, learners=1, sessions=3)
    _walk_in, enrollment, code = _walk_in_who_attended(staff_client, klass)
    completion.offering_close(actor=None, offering_id=klass.offering.public_id)
    citizen = UserFactory(profile__full_name="Lò Thị Mai")
    learner_client = Client()
    learner_client.force_login(citizen)

    response = learner_client.post(reverse("walk_in_claim"), {"code": code.lower()})

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.learner == citizen
    assert AttendanceMark.objects.filter(enrollment__learner=citizen).count() == 3
    my_courses = learner_client.get(reverse("my_courses")).content.decode()
    assert "Hoàn thành" in my_courses
    record = LearningRecord.objects.get(citizen=citizen)
    assert (record.kind, record.hours) == ("course_completed", 6)
    assert "Tin học cơ bản" in learner_client.get(reverse("my_learning")).content.decode()
    assert AuditEvent.objects.filter(action="walk_in.claimed", actor=citizen).exists()


def test_a_claim_code_works_once(staff_client, center) -> None:
    klass = class_make(center, learners=1)
    _walk_in, _enrollment, code = _walk_in_who_attended(staff_client, klass)
    first, second = UserFactory(), UserFactory()
    walk_ins.walk_in_claim(actor=first, code=code, client_address=ADDRESS)

    with pytest.raises(walk_ins.ClaimCodeInvalid):
        walk_ins.walk_in_claim(actor=second, code=code, client_address=ADDRESS)

    assert WalkInClaim.objects.get().claimant == first


def test_undoing_a_wrong_claim_restores_both_records(staff_client, center, personas) -> None:
    klass = class_make(center, learners=1)
    walk_in, enrollment, code = _walk_in_who_attended(staff_client, klass)
    completion.offering_close(actor=None, offering_id=klass.offering.public_id)
    wrong_person = UserFactory()
    own = Enrollment.objects.create(
        offering=class_make(center, learners=0, title="Trồng lúa").offering,
        learner=wrong_person,
        status="active",
    )
    claim = walk_ins.walk_in_claim(actor=wrong_person, code=code, client_address=ADDRESS)

    response = staff_client.post(
        reverse("walk_in_detail", args=[walk_in.public_id]),
        {"claim": str(claim.public_id), "reason": "Nhận nhầm: trùng tên"},
    )

    assert response.status_code == 302
    enrollment.refresh_from_db()
    own.refresh_from_db()
    assert enrollment.learner == walk_in.learner
    assert own.learner == wrong_person
    assert LearningRecord.objects.get(source_id=f"enrollment:{enrollment.public_id}").citizen == (
        walk_in.learner
    )
    assert not LearningRecord.objects.filter(citizen=wrong_person).exists()
    claim.refresh_from_db()
    assert (claim.undone_by, claim.undo_reason) == (personas.center_staff, "Nhận nhầm: trùng tên")
    assert AuditEvent.objects.filter(action="walk_in.claim_undone").count() == 1


def test_staff_of_another_center_cannot_see_or_undo_a_walk_in(
    staff_client, center, personas
) -> None:
    klass = class_make(center, learners=1)
    walk_in, _enrollment, code = _walk_in_who_attended(staff_client, klass)
    claim = walk_ins.walk_in_claim(actor=UserFactory(), code=code, client_address=ADDRESS)
    with_mfa(personas.other_center_staff)
    other = Client()
    other.force_login(personas.other_center_staff)

    page = other.get(reverse("walk_in_detail", args=[walk_in.public_id]))
    undo = other.post(
        reverse("walk_in_detail", args=[walk_in.public_id]),
        {"claim": str(claim.public_id), "reason": "x"},
    )

    assert (page.status_code, undo.status_code) == (404, 404)
    claim.refresh_from_db()
    assert claim.undone_at is None


def test_a_malformed_undo_is_answered_on_the_page_and_changes_nothing(staff_client, center) -> None:
    klass = class_make(center, learners=1)
    walk_in, _enrollment, code = _walk_in_who_attended(staff_client, klass)
    claim = walk_ins.walk_in_claim(actor=UserFactory(), code=code, client_address=ADDRESS)

    response = staff_client.post(
        reverse("walk_in_detail", args=[walk_in.public_id]), {"claim": "not-a-uuid", "reason": ""}
    )

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    claim.refresh_from_db()
    assert claim.undone_at is None


# --- Phone numbers: one person whatever the form (issue #17) ---------------------------------

NOT_IN_PLAN = (
    "Số điện thoại không có trong kế hoạch đánh số của Việt Nam. Hãy kiểm tra lại: số di động "
    "gồm 10 chữ số, ví dụ 0912 345 678; số cố định gồm cả mã vùng, ví dụ 024 3825 1234."
)


@pytest.mark.parametrize(
    "typed",
    [
        "0329123456",
        "+84 329 123 456",
        "84329123456",
        "+84 0329 123 456",
        "0329.123.456",
        "\uff10\uff13\uff12\uff19\uff11\uff12\uff13\uff14\uff15\uff16",
        "0162 912 3456",
        "+84 1629 123 456",
    ],
)
def test_staff_find_the_same_learner_by_any_form_of_their_number(
    staff_client, center, typed
) -> None:
    klass = class_make(center, learners=1)
    known = UserFactory(profile__full_name="Trần Văn Bình")
    CitizenProfile.objects.filter(user=known).update(phone="+84329123456")

    response = staff_client.get(
        reverse("walk_in_new", args=[klass.offering.public_id]), {"phone": typed}
    )

    assert [person.public_id for person in response.context["found"]] == [known.public_id]


def test_staff_searching_an_impossible_number_see_why_on_the_phone_field(
    staff_client, center
) -> None:
    klass = class_make(center, learners=1)

    response = staff_client.get(
        reverse("walk_in_new", args=[klass.offering.public_id]), {"phone": "0912 345 6789"}
    )

    assert response.status_code == 200
    assert response.context["found"] is None
    assert response.context["find_form"].errors == {"phone": [NOT_IN_PLAN]}
    assert not AuditEvent.objects.filter(action="learner.searched").exists()


def test_a_walk_in_registered_with_an_old_number_gets_the_new_one_and_staff_are_told(
    staff_client, center
) -> None:
    klass = class_make(center, learners=1)

    response = _register(staff_client, klass, phone="0162 912 3456")
    page = staff_client.get(response["Location"]).content.decode()

    walk_in = WalkInLearner.objects.get()
    assert walk_in.learner.citizen_profile.phone == "+84329123456"
    assert (
        "Số cũ 0162 912 3456 đã được đổi sang 0329 123 456 từ năm 2018; chúng tôi lưu số mới."
        in page
    )
    assert "· 0329 123 456" in page  # shown as people write it, not +84...


def test_a_walk_in_with_an_impossible_number_is_refused_and_nothing_is_written(
    staff_client, center
) -> None:
    klass = class_make(center, learners=1)

    response = _register(staff_client, klass, phone="0111 111 111")

    assert response.status_code == 200
    assert response.context["form"].errors == {"phone": [NOT_IN_PLAN]}
    assert not WalkInLearner.objects.exists()
    assert not User.objects.filter(is_assisted=True).exists()


def test_the_walk_in_api_refuses_an_impossible_number_on_its_field(personas, center) -> None:
    klass = class_make(center, learners=1)
    with_mfa(personas.center_staff)
    client = Client()
    client.force_login(personas.center_staff)

    response = client.post(
        reverse("api_walk_ins"),
        {
            "offering": str(klass.offering.public_id),
            "full_name": "Lò Thị Mai",
            "birth_year": 1962,
            "phone": "0912 345 6789",
            "ward": ward().code,
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["phone"] == [NOT_IN_PLAN]
    assert not WalkInLearner.objects.exists()


# --- A number on other people's profiles, contacts kept from staff, ids, the API's note ------

SHARED_ONE = (
    "Số điện thoại này đã có trong hồ sơ của 1 người khác. Hãy tìm theo số này ở bước 1 xem "
    "người học đã có hồ sơ chưa; nếu đúng là người mới dùng chung số (như điện thoại bàn của "
    "gia đình), hãy xác nhận vẫn đăng ký với số này."
)


def _someone_with_phone(phone: str, full_name: str = "Nguyễn Thị Lan"):
    person = UserFactory(profile__full_name=full_name)
    CitizenProfile.objects.filter(user=person).update(phone=phone)
    return person


def _api_register(personas, klass, **fields):
    with_mfa(personas.center_staff)
    client = Client()
    client.force_login(personas.center_staff)
    return client.post(
        reverse("api_walk_ins"),
        {
            "offering": str(klass.offering.public_id),
            "full_name": "Lò Thị Mai",
            "birth_year": 1962,
            "phone": "0912 345 678",
            "ward": ward().code,
            **fields,
        },
        content_type="application/json",
    )


def test_a_number_on_another_profile_is_refused_with_a_count_and_nothing_is_written(
    staff_client, center
) -> None:
    klass = class_make(center, learners=1)
    _someone_with_phone("+84912345678")

    response = _register(staff_client, klass, phone="0912.345.678")

    assert response.status_code == 200
    assert response.context["form"].errors == {"phone": [SHARED_ONE]}
    page = response.content.decode()
    assert "Vẫn đăng ký với số này" in page
    assert "Nguyễn Thị Lan" not in page  # a count, not who: the audited look-up shows that
    assert not WalkInLearner.objects.exists()
    assert not User.objects.filter(is_assisted=True).exists()


def test_a_shared_number_is_registered_once_staff_confirm_it(staff_client, center) -> None:
    klass = class_make(center, learners=1)
    landline_owner = _someone_with_phone("+842438251234")

    response = _register(staff_client, klass, phone="024 3825 1234", confirm_shared_phone="on")

    assert response.status_code == 302
    walk_in = WalkInLearner.objects.get()
    assert set(
        CitizenProfile.objects.filter(phone="+842438251234").values_list("user_id", flat=True)
    ) == {landline_owner.pk, walk_in.learner_id}


def test_the_api_answers_409_for_a_number_on_another_profile_and_writes_nothing(
    personas, center
) -> None:
    klass = class_make(center, learners=1)
    _someone_with_phone("+84912345678")

    response = _api_register(personas, klass)

    assert response.status_code == 409
    assert response.json() == {"error": {"code": "phone_shared", "message": SHARED_ONE}}
    assert not WalkInLearner.objects.exists()
    assert not User.objects.filter(is_assisted=True).exists()


def test_the_api_registers_a_shared_number_with_confirm_shared_phone(personas, center) -> None:
    klass = class_make(center, learners=1)
    _someone_with_phone("+84912345678")

    response = _api_register(personas, klass, confirm_shared_phone=True)

    assert response.status_code == 201
    assert WalkInLearner.objects.get().learner.citizen_profile.phone == "+84912345678"


def test_the_api_tells_when_an_old_number_was_converted(personas, center) -> None:
    klass = class_make(center, learners=1)

    response = _api_register(personas, klass, phone="0162 912 3456")

    assert response.status_code == 201
    assert response.json()["phone_note"] == (
        "Số cũ 0162 912 3456 đã được đổi sang 0329 123 456 từ năm 2018; chúng tôi lưu số mới."
    )
    assert WalkInLearner.objects.get().learner.citizen_profile.phone == "+84329123456"


def test_the_api_note_is_empty_for_a_number_of_today(personas, center) -> None:
    klass = class_make(center, learners=1)

    response = _api_register(personas, klass, phone="0329 123 456")

    assert (response.status_code, response.json()["phone_note"]) == (201, "")


def _enroll_message(staff_client, klass, person) -> str:
    response = staff_client.post(
        reverse("walk_in_enroll", args=[klass.offering.public_id]),
        {"person": str(person.public_id)},
        follow=True,
    )
    return " | ".join(str(message) for message in response.context["messages"])


def test_enrolling_a_found_person_names_them_not_their_email(staff_client, center) -> None:
    klass = class_make(center, learners=1)
    person = _someone_with_phone("+84912345678", full_name="Trần Văn Bình")

    message = _enroll_message(staff_client, klass, person)

    assert message == "Đã ghi danh Trần Văn Bình vào lớp."
    assert person.email not in message


def test_enrolling_a_found_person_without_a_name_shows_the_masked_phone(
    staff_client, center
) -> None:
    klass = class_make(center, learners=1)
    person = _someone_with_phone("+84912345456", full_name="")

    message = _enroll_message(staff_client, klass, person)

    assert message == "Đã ghi danh •••• 456 vào lớp."
    assert person.email not in message


def test_the_walk_in_page_names_the_claimant_without_their_email(staff_client, center) -> None:
    klass = class_make(center, learners=1)
    walk_in, _enrollment, code = _walk_in_who_attended(staff_client, klass)
    claimant = UserFactory(profile__full_name="Lò Thị Mai")
    walk_ins.walk_in_claim(actor=claimant, code=code, client_address=ADDRESS)

    page = staff_client.get(reverse("walk_in_detail", args=[walk_in.public_id])).content.decode()

    assert "Đã được tài khoản của Lò Thị Mai nhận lúc" in page
    assert claimant.email not in page


def _ids(page: str) -> list[str]:
    class Ids(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.ids += [value or "" for name, value in attrs if name == "id"]

    parser = Ids()
    parser.feed(page)
    return parser.ids


def test_the_walk_in_page_has_no_duplicate_ids(staff_client, center) -> None:
    klass = class_make(center, learners=1)
    _someone_with_phone("+84912345678")
    url = reverse("walk_in_new", args=[klass.offering.public_id])

    # The look-up's results, and a registration refused with the shared-number box, at once.
    response = staff_client.post(
        f"{url}?phone=0912+345+678",
        {
            "full_name": "Lò Thị Mai",
            "birth_year": "1962",
            "phone": "0912 345 678",
            "ward": str(ward().pk),
        },
    )

    ids = _ids(response.content.decode())
    assert response.context["found"] != []
    assert "register_confirm_shared_phone" in ids
    assert [id_ for id_ in ids if ids.count(id_) > 1] == []


def test_the_registration_labels_point_at_the_registration_inputs(staff_client, center) -> None:
    klass = class_make(center, learners=1)

    page = staff_client.get(reverse("walk_in_new", args=[klass.offering.public_id])).content
    registration = page.decode().split("2. Đăng ký mới", 1)[1]

    assert 'for="register_phone"' in registration
    assert 'id="register_phone"' in registration
    assert 'for="id_phone"' not in registration


def test_a_claim_code_typed_in_full_width_forms_with_a_full_width_dash_is_accepted(
    staff_client, center
) -> None:
    """As a keyboard in full-width mode (Japanese and Chinese input methods) types it: each
    character, dash included, at U+FF01-U+FF5E."""
    klass = class_make(center, learners=1, sessions=3)
    _walk_in, enrollment, code = _walk_in_who_attended(staff_client, klass)
    typed = "".join(chr(ord(char) + 0xFEE0) for char in code.lower())
    citizen = UserFactory()
    learner_client = Client()
    learner_client.force_login(citizen)

    response = learner_client.post(reverse("walk_in_claim"), {"code": typed})

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.learner == citizen
