"""Catalog, course, enrollment and manager pages; the catalog API. In both languages."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Personas
from courses.models import Course, Enrollment, Offering, Session
from courses.tests.factories import course_make, offering_make
from profiles.tests.factories import MembershipFactory, UserFactory, ward, with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def center(personas: Personas):
    return personas.center_manager.memberships.get().organization


@pytest.mark.parametrize(
    ("language", "heading"), [("vi", "Tìm khóa học gần bạn"), ("en", "Find a course near you")]
)
def test_catalog_finds_a_course_typed_without_diacritics(
    client, center, language: str, heading: str
) -> None:
    offering_make(course_make(center, title="Tin học cơ bản"))
    offering_make(course_make(center, title="Kỹ thuật trồng lúa", category="agriculture"))
    client.cookies["learnprofile_language"] = language

    response = client.get(reverse("catalog"), {"q": "tin hoc co ban"})

    body = response.content.decode()
    assert response.status_code == 200
    assert heading in body
    assert "Tin học cơ bản" in body
    assert "Kỹ thuật trồng lúa" not in body


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "xyzzy qwerty"},
        {"q": ""},
        {"q": "\x00&|!"},
        {"q": "a" * 5000},
        {"province": "²"},
        {"ward": "-1"},
        {"page": "999999999999"},
        {"starts_within": "abc", "sort": "nonsense", "category": "x"},
    ],
)
def test_odd_or_mistyped_queries_give_a_helpful_page(client, center, params) -> None:
    offering_make(course_make(center, title="Tin học cơ bản"))
    response = client.get(reverse("catalog"), params)
    assert response.status_code == 200


def test_query_without_results_suggests_what_to_do(client, center) -> None:
    offering_make(course_make(center, title="Tin học cơ bản"))
    body = client.get(reverse("catalog"), {"q": "xyzzy"}).content.decode()
    assert "Không tìm thấy lớp học nào cho “xyzzy”" in body
    assert "Kiểm tra chính tả" in body


def _queries(client, url: str, params: dict[str, object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def test_catalog_page_query_count_does_not_grow_with_results(client, personas, center) -> None:
    client.force_login(personas.learner)
    course = course_make(center)
    offering_make(course)
    few = _queries(client, reverse("catalog"), {"q": "tin hoc"})
    for number in range(30):
        offering_make(course, venue=f"Điểm học số {number}")
    many = _queries(client, reverse("catalog"), {"q": "tin hoc"})
    assert many == few


def test_api_list_query_count_does_not_depend_on_page_size(client, center) -> None:
    course = course_make(center)
    for number in range(30):
        offering_make(course, venue=f"Điểm học số {number}")
    small = _queries(client, reverse("api_offerings"), {"page_size": 2})
    large = _queries(client, reverse("api_offerings"), {"page_size": 30})
    assert small == large


def test_api_search_returns_offerings_with_seats_and_place(client, center) -> None:
    offering_make(course_make(center, title="Sử dụng điện thoại thông minh"), capacity=12)
    data = client.get(reverse("api_offerings"), {"q": "dien thoai"}).json()
    assert data["count"] == 1
    assert data["results"][0]["course"]["title"] == "Sử dụng điện thoại thông minh"
    assert data["results"][0]["seats_left"] == 12
    assert data["results"][0]["province"]["name"] == "Thành phố Hà Nội"


def test_api_rejects_a_bad_filter_with_a_clear_error(client) -> None:
    response = client.get(reverse("api_offerings"), {"category": "nope"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_learner_enrolls_from_the_course_page_and_sees_it_in_my_courses(
    client, personas, center
) -> None:
    offering = offering_make(course_make(center, title="Tin học cơ bản"))
    client.force_login(personas.learner)
    page = client.get(reverse("course_detail", args=[offering.course.public_id]))
    assert "Đăng ký học" in page.content.decode()

    response = client.post(reverse("enroll", args=[offering.public_id]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("my_courses")
    assert "Tin học cơ bản" in response.content.decode()
    assert Enrollment.objects.get(learner=personas.learner).status == "active"


def test_refused_enrollment_shows_the_reason_and_writes_nothing(client, personas, center) -> None:
    offering = offering_make(course_make(center), status="cancelled")
    client.force_login(personas.learner)
    response = client.post(reverse("enroll", args=[offering.public_id]), follow=True)
    assert "Lớp học này đã bị hủy." in response.content.decode()
    assert not Enrollment.objects.exists()


def test_api_enroll_then_cancel(client, personas, center) -> None:
    offering = offering_make(course_make(center))
    client.force_login(personas.learner)
    created = client.post(reverse("api_enroll", args=[offering.public_id]))
    again = client.post(reverse("api_enroll", args=[offering.public_id]))
    assert (created.status_code, again.status_code) == (201, 200)
    enrollment_id = created.json()["id"]
    cancelled = client.post(reverse("api_enrollment_cancel", args=[enrollment_id]))
    assert cancelled.json()["status"] == "cancelled"
    assert client.get(reverse("api_my_enrollments")).json()[0]["status"] == "cancelled"


def test_anonymous_enroll_goes_to_sign_in(client, center) -> None:
    offering = offering_make(course_make(center))
    response = client.post(reverse("enroll", args=[offering.public_id]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- Manager pages and API: scope --------------------------------------------------------


@pytest.fixture
def other_manager(personas: Personas):
    other_center = personas.other_center_staff.memberships.get().organization
    manager = UserFactory(email="quanly2@example.vn")
    MembershipFactory(user=manager, organization=other_center, role="manager")
    return manager


MANAGER_PAGES = [
    ("get", "manage_course", "course"),
    ("post", "manage_course", "course"),
    ("get", "offering_new", "course"),
    ("get", "manage_offering", "offering"),
    ("post", "manage_offering", "offering"),
    ("post", "offering_publish", "offering"),
    ("post", "sessions_add", "offering"),
    ("post", "offering_cancel", "offering"),
]


@pytest.mark.parametrize(("method", "name", "target"), MANAGER_PAGES)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("other_manager", 404),
        ("center_staff", 404),
        ("learner", 403),
        ("anonymous", 302),
    ],
)
def test_only_the_centers_managers_reach_its_manager_pages(
    client, personas, other_manager, center, method, name, target, persona, expected
) -> None:
    offering = offering_make(course_make(center, title="Tin học cơ bản"), status="draft")
    actor = other_manager if persona == "other_manager" else getattr(personas, persona)
    if persona != "anonymous":
        with_mfa(actor)
        client.force_login(actor)
    obj = offering.course if target == "course" else offering
    payload = {"title": "Đổi tên", "reason": "Thử", "capacity": 1, "weekdays": ["1"]}

    response = getattr(client, method)(reverse(name, args=[obj.public_id]), payload)

    assert response.status_code == expected
    offering.refresh_from_db()
    assert (offering.status, offering.course.title) == ("draft", "Tin học cơ bản")
    assert not Session.objects.exists()


def test_other_centers_manager_cannot_edit_an_offering_through_the_api(
    client, other_manager, center
) -> None:
    offering = offering_make(course_make(center), capacity=10)
    with_mfa(other_manager)
    client.force_login(other_manager)

    patch = client.patch(
        reverse("api_manage_offering", args=[offering.public_id]),
        {"capacity": 99},
        content_type="application/json",
    )
    cancel = client.post(
        reverse("api_manage_offering_cancel", args=[offering.public_id]), {"reason": "x"}
    )
    listing = client.get(reverse("api_manage_offerings", args=[offering.course.public_id]))

    assert (patch.status_code, cancel.status_code, listing.status_code) == (404, 404, 404)
    offering.refresh_from_db()
    assert (offering.capacity, offering.status) == (10, "published")


def test_manager_creates_course_offering_and_weekly_sessions_through_pages(
    client, personas, center
) -> None:
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)
    response = client.post(
        reverse("course_new"),
        {
            "title": "Sử dụng điện thoại thông minh",
            "summary": "Gọi video, Zalo, thanh toán an toàn.",
            "category": "digital_skills",
            "level": "beginner",
            "language": "vi",
            "hours": "16",
            "mode": "in_person",
            "fee": "0",
            "tags_text": "Zalo, thanh toán điện tử",
        },
    )
    course = Course.objects.get()
    assert response.status_code == 302
    assert course.tags == ["Zalo", "thanh toán điện tử"]
    start = date.today() + timedelta(days=10)  # noqa: DTZ011
    response = client.post(
        reverse("offering_new", args=[course.public_id]),
        {
            "ward": ward("phuong_hoan_kiem").pk,
            "venue": "Nhà văn hóa phường",
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=56)).isoformat(),
            "capacity": "25",
            "minimum_attendance_percent": "80",
        },
    )
    offering = Offering.objects.get()
    assert response.status_code == 302
    assert offering.status == "draft"
    response = client.post(
        reverse("sessions_add", args=[offering.public_id]),
        {
            "weekdays": ["1", "3"],
            "starts_at": "19:00",
            "ends_at": "21:00",
            "first_day": start.isoformat(),
            "weeks": "8",
        },
    )
    assert response.status_code == 302
    assert Session.objects.filter(offering=offering).count() == 16
    assert {session.starts_at.weekday() for session in Session.objects.all()} == {1, 3}
    client.post(reverse("offering_publish", args=[offering.public_id]))
    offering.refresh_from_db()
    assert offering.status == "published"


def test_staff_see_the_roster_of_their_center_only(client, personas, center) -> None:
    offering = offering_make(course_make(center))
    Enrollment.objects.create(offering=offering, learner=personas.learner, status="active")
    with_mfa(personas.center_staff, personas.other_center_staff)

    client.force_login(personas.center_staff)
    own = client.get(reverse("roster", args=[offering.public_id]))
    client.force_login(personas.other_center_staff)
    other = client.get(reverse("roster", args=[offering.public_id]))

    assert own.status_code == 200
    assert "Nguyễn Văn An" in own.content.decode()
    assert other.status_code == 404


def test_csv_import_imports_good_rows_and_reports_bad_ones(client, personas, center) -> None:
    course_make(center, title="Tin học cơ bản")
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)
    code = ward("phuong_hoan_kiem").code
    content = (
        "course,ward_code,venue,starts_on,ends_on,capacity,publish\n"
        f"Tin học cơ bản,{code},Nhà văn hóa,2027-03-02,2027-04-30,20,có\n"
        f"Khóa không có,{code},Nhà văn hóa,2027-03-02,2027-04-30,20,\n"
        f"Tin học cơ bản,{code},Nhà văn hóa,02/03/2027,30/04/2027,nhiều,\n"
        f"Tin học cơ bản,{code},Nhà văn hóa,2027-05-02,2027-04-30,20,\n"
        f"tin học cơ bản,{code},Trường tiểu học,15/03/2027,15/05/2027,30,\n"
    ).encode()

    response = client.post(
        reverse("offerings_import"),
        {"file": SimpleUploadedFile("lop.csv", content, content_type="text/csv")},
    )

    body = response.content.decode()
    assert "Đã nhập 2 lớp; 3 dòng lỗi." in body
    assert "không có khóa học “Khóa không có”" in body
    assert "“nhiều” không phải số nguyên dương" in body
    assert "Ngày kết thúc phải sau ngày bắt đầu." in body
    assert sorted(Offering.objects.values_list("venue", "status")) == [
        ("Nhà văn hóa", "published"),
        ("Trường tiểu học", "draft"),
    ]


def test_csv_import_of_a_file_that_is_not_utf8_says_so(client, personas, center) -> None:
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)
    response = client.post(
        reverse("offerings_import"),
        {"file": SimpleUploadedFile("lop.csv", "khóa".encode("cp1258"), content_type="text/csv")},
    )
    assert "không được mã hóa UTF-8" in response.content.decode()
    assert not Offering.objects.exists()


def test_draft_offering_is_not_public_on_the_api(client, personas, center) -> None:
    offering = offering_make(course_make(center), status="draft")
    client.force_login(personas.learner)
    detail = client.get(reverse("api_offering", args=[offering.public_id]))
    enroll = client.post(reverse("api_enroll", args=[offering.public_id]))
    assert (detail.status_code, enroll.status_code) == (404, 404)
    assert not Enrollment.objects.exists()


def test_csv_import_of_a_binary_file_says_so_and_writes_nothing(client, personas, center) -> None:
    course_make(center, title="Tin học cơ bản")
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)
    code = ward("phuong_hoan_kiem").code
    content = (
        "course,ward_code,venue,starts_on,ends_on,capacity\n"
        f"Tin học cơ bản,{code},Nhà\x00văn hóa,2027-03-02,2027-04-30,20\n"
    ).encode()
    response = client.post(
        reverse("offerings_import"),
        {"file": SimpleUploadedFile("lop.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 200
    assert "không hợp lệ (NUL)" in response.content.decode()
    assert not Offering.objects.exists()


def test_one_bad_filter_keeps_the_others(client, center) -> None:
    offering_make(course_make(center, title="Tin học cơ bản"))
    offering_make(course_make(center, title="Trồng lúa", category="agriculture"))
    body = client.get(
        reverse("catalog"), {"category": "agriculture", "starts_within": "abc"}
    ).content.decode()
    assert "Trồng lúa" in body
    assert "Tin học cơ bản" not in body


def test_a_manager_without_two_step_verification_is_refused_by_the_manager_api(
    client, personas, center
) -> None:
    offering = offering_make(course_make(center), capacity=10)
    client.force_login(personas.center_manager)

    response = client.patch(
        reverse("api_manage_offering", args=[offering.public_id]),
        {"capacity": 99},
        content_type="application/json",
    )

    assert response.status_code == 403
    offering.refresh_from_db()
    assert offering.capacity == 10
