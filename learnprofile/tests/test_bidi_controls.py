"""Bidirectional override controls (issue 18, point 8; decision 0009): U+202A-U+202E and
U+2066-U+2069 are removed from every text a person sends, at the boundary: HTML forms, the
REST API and spreadsheet imports. Passwords keep them (never shown; hashed as typed), and a
signed document reaches the verifier as sent."""

import json

import pytest
from django.contrib.auth.hashers import check_password
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from courses.models import Course, Offering
from courses.tests.factories import course_make
from credentials.views.public import verify_upload
from learnprofile.middleware import UnicodeNfcMiddleware
from learnprofile.spreadsheets import spreadsheet_read
from learnprofile.tests.spreadsheet_files import FORMATS, spreadsheet_upload
from learnprofile.text import BIDI_CONTROLS, text_input
from profiles.models import CitizenProfile, Household, LearningRecord
from profiles.tests.factories import UserFactory, ward, with_mfa

RLO, PDF, LRO, RLE, LRE = "\u202e", "\u202c", "\u202d", "\u202b", "\u202a"
RLI, LRI, FSI, PDI = "\u2067", "\u2066", "\u2068", "\u2069"

# As an attacker would send them: each reads differently on screen than it is.
NAME = f"Nguyễn {RLO}nahV{PDF} An"
TITLE = f"Kỹ thuật {RLI}trồng lúa{PDI} nước"
PROVIDER = f"Hợp tác xã {LRO}Ea Kar{PDF}"
URL = f"https://hoctap.example.vn/tai-lieu/{RLO}fdp.exe"
VENUE = f"Nhà văn hóa {RLE}tổ 5{PDF}{FSI}{LRE}"


def test_every_bidirectional_control_is_removed_and_nothing_else() -> None:
    assert set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") == BIDI_CONTROLS
    assert text_input("".join(sorted(BIDI_CONTROLS))) == ""
    assert text_input(NAME) == "Nguyễn nahV An"
    assert text_input(URL) == "https://hoctap.example.vn/tai-lieu/fdp.exe"
    # Marks and joiners are not overrides; they stay.
    assert text_input("a\u200eb\u200fc\u200dd") == "a\u200eb\u200fc\u200dd"


def test_removing_a_control_between_a_letter_and_its_mark_gives_nfc() -> None:
    assert text_input(f"Nguye{RLO}\u0302\u0303n") == "Nguyễn"


# --- HTML forms --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_learning_record_form_stores_title_provider_and_url_without_controls(
    client: Client, personas
) -> None:
    client.force_login(personas.learner)

    response = client.post(
        reverse("learning_add"),
        {
            "title": TITLE,
            "category": "agriculture",
            "provider_name": PROVIDER,
            "hours": "6",
            "started_on": "2026-03-01",
            "ended_on": "2026-03-20",
            "description": f"Thực hành {RLO}ngoài đồng",
            "url": URL,
            "verifier_organization": "",
        },
    )

    assert response.status_code == 302
    record = LearningRecord.objects.get(citizen=personas.learner)
    assert (record.title, record.provider_name, record.url, record.description) == (
        "Kỹ thuật trồng lúa nước",
        "Hợp tác xã Ea Kar",
        "https://hoctap.example.vn/tai-lieu/fdp.exe",
        "Thực hành ngoài đồng",
    )


@pytest.mark.django_db
def test_a_household_name_from_a_form_is_stored_without_controls(client: Client, personas) -> None:
    client.force_login(personas.learner)

    response = client.post(
        reverse("household_create"),
        f"name=Gia đình {RLO}Trần{PDF} Hường",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 302
    assert Household.objects.get().name == "Gia đình Trần Hường"


@pytest.mark.django_db
def test_a_persons_name_from_the_profile_form_is_stored_without_controls(
    client: Client, personas
) -> None:
    client.force_login(personas.learner)

    response = client.post(reverse("profile_edit"), {"full_name": NAME, "preferred_language": "vi"})

    assert response.status_code == 302
    assert CitizenProfile.objects.get(user=personas.learner).full_name == "Nguyễn nahV An"


@pytest.mark.django_db
def test_a_course_title_from_the_managers_form_is_stored_without_controls(
    client: Client, personas
) -> None:
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)

    response = client.post(
        reverse("course_new"),
        {
            "title": TITLE,
            "summary": f"Giống lúa mới {LRI}tiết kiệm nước{PDI}.",
            "category": "agriculture",
            "level": "beginner",
            "language": "vi",
            "hours": "16",
            "mode": "in_person",
            "fee": "0",
            "tags_text": f"lúa, {RLO}tưới",
        },
    )

    assert response.status_code == 302
    course = Course.objects.get()
    assert (course.title, course.summary, course.tags) == (
        "Kỹ thuật trồng lúa nước",
        "Giống lúa mới tiết kiệm nước.",
        ["lúa", "tưới"],
    )


@pytest.mark.django_db
def test_query_parameters_reach_views_without_controls() -> None:
    seen: dict[str, str] = {}

    def view(request):
        seen.update(request.GET.items())
        return HttpResponse()

    request = RequestFactory().get("/", {f"q{RLO}": f"Đắk {RLO}Lắk"})
    UnicodeNfcMiddleware(view).process_view(request, view, (), {})
    view(request)

    assert seen == {"q": "Đắk Lắk"}


# --- The REST API ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["json", "multipart"])
def test_a_learning_record_from_the_api_is_stored_without_controls(
    client: Client, personas, encoding: str
) -> None:
    client.force_login(personas.learner)
    body = {
        "title": TITLE,
        "category": "agriculture",
        "hours": "6",
        "started_on": "2026-03-01",
        "ended_on": "2026-03-20",
        "provider_name": PROVIDER,
        "url": URL,
    }

    if encoding == "json":
        response = client.post(
            reverse("api_my_learning_records"), json.dumps(body), content_type="application/json"
        )
    else:
        response = client.post(reverse("api_my_learning_records"), body)

    assert response.status_code == 201, response.content
    record = LearningRecord.objects.get(citizen=personas.learner)
    assert (record.title, record.provider_name, record.url) == (
        "Kỹ thuật trồng lúa nước",
        "Hợp tác xã Ea Kar",
        "https://hoctap.example.vn/tai-lieu/fdp.exe",
    )
    assert response.json()["url"] == "https://hoctap.example.vn/tai-lieu/fdp.exe"


@pytest.mark.django_db
def test_a_persons_name_from_the_api_is_stored_without_controls(client: Client, personas) -> None:
    client.force_login(personas.learner)

    response = client.put(
        reverse("api_my_profile"), json.dumps({"full_name": NAME}), content_type="application/json"
    )

    assert response.status_code == 200, response.content
    assert CitizenProfile.objects.get(user=personas.learner).full_name == "Nguyễn nahV An"


@pytest.mark.django_db
def test_a_course_title_from_the_api_is_stored_without_controls(client: Client, personas) -> None:
    center = personas.center_manager.memberships.get().organization
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)

    response = client.post(
        reverse("api_manage_courses"),
        json.dumps(
            {
                "provider": str(center.public_id),
                "title": TITLE,
                "summary": "Giống lúa mới.",
                "category": "agriculture",
                "hours": "16",
                "tags": [f"{RLO}lúa"],
            }
        ),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    course = Course.objects.get()
    assert (course.title, course.tags) == ("Kỹ thuật trồng lúa nước", ["lúa"])


# --- Spreadsheet imports -------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_spreadsheet_reader_gives_cells_without_controls(file_format: str) -> None:
    upload = spreadsheet_upload(
        [
            [f"ho_ten{RLO}", "khoa_hoc", "noi_hoc", "duong_dan"],
            [NAME, TITLE, PROVIDER, URL],
        ],
        file_format,
    )

    columns = ("ho_ten", "khoa_hoc", "noi_hoc", "duong_dan")

    sheet = spreadsheet_read(
        content=upload.read(),
        file_name=upload.name,
        columns=columns,
        required=columns,
        max_bytes=100_000,
        max_rows=10,
    )

    assert [row.values for row in sheet.rows] == [
        {
            "ho_ten": "Nguyễn nahV An",
            "khoa_hoc": "Kỹ thuật trồng lúa nước",
            "noi_hoc": "Hợp tác xã Ea Kar",
            "duong_dan": "https://hoctap.example.vn/tai-lieu/fdp.exe",
        }
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["comma", "xlsx"])
def test_an_offerings_import_finds_the_course_title_and_stores_the_venue_without_controls(
    client: Client, personas, file_format: str
) -> None:
    center = personas.center_manager.memberships.get().organization
    course_make(center, title="Kỹ thuật trồng lúa nước")
    with_mfa(personas.center_manager)
    client.force_login(personas.center_manager)
    rows = [
        ["course", "ward_code", "venue", "starts_on", "ends_on", "capacity"],
        [TITLE, ward("phuong_hoan_kiem").code, VENUE, "2027-03-02", "2027-04-30", 20],
    ]

    response = client.post(
        reverse("offerings_import"), {"file": spreadsheet_upload(rows, file_format, "lop")}
    )

    assert "Đã nhập 1 lớp; 0 dòng lỗi." in response.content.decode()
    assert list(Offering.objects.values_list("course__title", "venue")) == [
        ("Kỹ thuật trồng lúa nước", "Nhà văn hóa tổ 5")
    ]


# --- What keeps its controls ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_password_with_a_control_signs_in_as_it_was_set(client: Client) -> None:
    password = f"Mật-khẩu-{RLO}2026-học-tập"
    user = UserFactory(email="lan@example.vn", password=password)
    password_hash = user.password

    response = client.post(reverse("account_login"), {"login": user.email, "password": password})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.password == password_hash
    assert check_password(password, user.password)


def test_a_signed_document_reaches_the_verifier_with_its_controls() -> None:
    pasted = json.dumps({"name": f"Chứng nhận {RLO}hoàn thành"}, ensure_ascii=False)
    request = RequestFactory().post("/verify/", {"credential": pasted})

    UnicodeNfcMiddleware(lambda request: HttpResponse()).process_view(
        request, verify_upload, (), {}
    )

    assert request.POST["credential"] == pasted
