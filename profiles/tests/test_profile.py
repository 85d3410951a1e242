"""The citizen profile: national ID only hashed, phone normalised, ward picker, API."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from learnprofile.audit.models import AuditEvent
from profiles import selectors, services
from profiles.models import CitizenProfile
from profiles.national_id import national_id_hash, national_id_normalise
from profiles.phone import phone_normalise
from profiles.services import NationalIdAlreadyRegistered
from profiles.tests.factories import UserFactory, ward

NATIONAL_ID = "001203004567"


def update(profile: CitizenProfile, **overrides: object) -> CitizenProfile:
    values: dict[str, object] = {
        "full_name": "Nguyễn Thị Lan",
        "date_of_birth": None,
        "phone": "",
        "residence_ward": None,
        "preferred_language": "vi",
        "national_id": None,
    }
    values.update(overrides)
    return services.citizen_profile_update(actor=profile.user, profile=profile, **values)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_national_id_is_stored_only_as_keyed_hash_and_last_four(personas) -> None:
    profile = personas.learner.citizen_profile

    update(profile, national_id="0012 0300 4567")

    profile.refresh_from_db()
    assert profile.national_id_hash == national_id_hash(NATIONAL_ID)
    assert profile.national_id_last4 == "4567"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM profiles_citizenprofile")
        rows = cursor.fetchall()
    assert NATIONAL_ID not in repr(rows)


def test_national_id_hash_depends_on_the_key(settings) -> None:
    first = national_id_hash(NATIONAL_ID)
    settings.NATIONAL_ID_HASH_KEY = "another-key"

    assert national_id_hash(NATIONAL_ID) != first


@pytest.mark.parametrize(
    "raw", ["12345678901", "1234567890123", "00120300456a", "", "١٢٣٤٥٦٧٨٩٠١٢"]
)
def test_national_id_must_be_twelve_digits(raw: str) -> None:
    with pytest.raises(ValidationError) as error:
        national_id_normalise(raw)
    assert error.value.messages == ["Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."]


@pytest.mark.django_db
def test_the_same_national_id_cannot_belong_to_two_profiles(personas) -> None:
    update(personas.learner.citizen_profile, national_id=NATIONAL_ID)
    other = personas.other_learner.citizen_profile

    with pytest.raises(NationalIdAlreadyRegistered):
        update(other, full_name="Trần Văn Bình", national_id=NATIONAL_ID)

    other.refresh_from_db()
    assert other.national_id_hash is None
    assert other.full_name == "Nguyễn Văn An"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("0912 345 678", "+84912345678"),
        ("+84 912-345-678", "+84912345678"),
        ("84912345678", "+84912345678"),
    ],
)
def test_phone_numbers_are_normalised(raw: str, normalised: str) -> None:
    assert phone_normalise(raw) == normalised


NOT_IN_PLAN = (
    "Số điện thoại không có trong kế hoạch đánh số của Việt Nam. Hãy kiểm tra lại: số di động "
    "gồm 10 chữ số, ví dụ 0912 345 678; số cố định gồm cả mã vùng, ví dụ 024 3825 1234."
)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("12345", NOT_IN_PLAN),
        ("0912 345", NOT_IN_PLAN),
        (
            "+1 202 555 0100",
            "Chỉ nhận số điện thoại Việt Nam (mã quốc gia +84). Ví dụ: 0912 345 678.",
        ),
        (
            "số điện thoại",
            "Số điện thoại chỉ gồm chữ số, có thể thêm dấu cách, dấu chấm, dấu gạch ngang và "
            "dấu + ở đầu. Ví dụ: 0912 345 678.",
        ),
    ],
)
def test_bad_phone_numbers_are_refused_with_an_example(raw: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        phone_normalise(raw)
    assert error.value.code == "invalid_phone"
    assert error.value.messages == [message]


@pytest.mark.django_db
def test_there_are_34_provinces_and_3321_wards() -> None:
    from profiles.models import AdministrativeUnit

    assert AdministrativeUnit.objects.filter(level="province").count() == 34
    assert AdministrativeUnit.objects.filter(level="ward").count() == 3321


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["hoan kiem", "HOÀN KIẾM", "Hoàn Kiếm hà nội", "phuong hoan kiem"]
)
def test_ward_search_ignores_accents_and_case(query: str) -> None:
    names = [str(unit) for unit in selectors.ward_search(query=query)]

    assert names == ["Phường Hoàn Kiếm, Thành phố Hà Nội"]


@pytest.mark.django_db
def test_ward_search_folds_d_with_stroke() -> None:
    results = list(selectors.ward_search(query="dak lak ea kar"))

    assert [str(unit) for unit in results] == ["Xã Ea Kar, Tỉnh Đắk Lắk"]


@pytest.mark.django_db
def test_ward_search_with_an_empty_query_finds_nothing() -> None:
    assert list(selectors.ward_search(query="   ")) == []


@pytest.mark.django_db
def test_profile_page_saves_and_audits(personas) -> None:
    client = Client()
    client.force_login(personas.learner)
    hoan_kiem = ward("phuong_hoan_kiem")

    response = client.post(
        "/profile/",
        {
            "full_name": "Nguyễn Thị Lan",
            "date_of_birth": "1962-03-08",
            "phone": "0912 345 678",
            "ward_query": "hoan kiem",
            "residence_ward": hoan_kiem.pk,
            "preferred_language": "vi",
            "national_id": NATIONAL_ID,
        },
        follow=True,
    )

    assert "Đã lưu hồ sơ của bạn." in response.content.decode()
    profile = CitizenProfile.objects.get(user=personas.learner)
    assert (profile.phone, profile.residence_ward, profile.national_id_last4) == (
        "+84912345678",
        hoan_kiem,
        "4567",
    )
    event = AuditEvent.objects.get(action="profile.updated")
    assert event.actor == personas.learner
    assert set(event.details["fields"]) >= {"phone", "residence_ward", "national_id"}
    assert NATIONAL_ID not in repr(event.details)


@pytest.mark.django_db
def test_profile_page_finds_wards_without_javascript(personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = client.post(
        "/profile/",
        {"full_name": "", "ward_query": "ea kar", "find_ward": "1", "preferred_language": "vi"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Xã Ea Kar, Tỉnh Đắk Lắk" in html
    assert "Vui lòng nhập họ và tên." not in html  # a search is not a save


@pytest.mark.django_db
def test_profile_page_shows_errors_and_keeps_the_old_values(personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = client.post(
        "/profile/",
        {"full_name": "Lan", "phone": "123", "national_id": "12", "preferred_language": "vi"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Số điện thoại không có trong kế hoạch đánh số của Việt Nam." in html
    assert "phải gồm đúng 12 chữ số" in html
    profile = CitizenProfile.objects.get(user=personas.learner)
    assert (profile.full_name, profile.phone) == ("Nguyễn Văn An", "")


@pytest.mark.django_db
def test_profile_page_refuses_a_foreign_ward_id(personas) -> None:
    from profiles.models import AdministrativeUnit

    client = Client()
    client.force_login(personas.learner)
    province = AdministrativeUnit.objects.get(level="province", codename="ha_noi")

    response = client.post(
        "/profile/", {"full_name": "Lan", "residence_ward": province.pk, "preferred_language": "vi"}
    )

    assert response.status_code == 200
    assert CitizenProfile.objects.get(user=personas.learner).residence_ward is None


@pytest.mark.django_db
def test_ward_options_fragment_for_htmx() -> None:
    response = Client().get("/places/wards/", {"ward_query": "buon ma thuot"})

    assert "Phường Buôn Ma Thuột, Tỉnh Đắk Lắk" in response.content.decode()


@pytest.mark.django_db
def test_api_reads_and_updates_my_profile(personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = client.put(
        "/api/v1/me/",
        data={
            "full_name": "Nguyễn Thị Lan",
            "phone": "0912345678",
            "residence_ward_code": 70,
            "national_id": NATIONAL_ID,
        },
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["full_name"] == "Nguyễn Thị Lan"
    assert body["residence_ward_code"] == 70
    assert body["national_id_last4"] == "4567"
    assert "national_id" not in body


@pytest.mark.django_db
def test_api_rejects_an_unknown_ward_code_and_changes_nothing(personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = client.put(
        "/api/v1/me/",
        data={"full_name": "Đổi tên", "residence_ward_code": 99999999},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["residence_ward_code"] == [
        "Không có xã/phường nào có mã này."
    ]
    assert CitizenProfile.objects.get(user=personas.learner).full_name == "Nguyễn Văn An"


@pytest.mark.django_db
def test_new_user_gets_an_empty_profile_once() -> None:
    user = UserFactory(profile=False)
    CitizenProfile.objects.filter(user=user).delete()

    first = services.citizen_profile_ensure(user=user)
    second = services.citizen_profile_ensure(user=user)

    assert first.pk == second.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("date_of_birth", "message"),
    [
        ("2999-01-01", "Ngày sinh không thể ở tương lai."),
        ("1850-05-05", "Ngày sinh phải từ năm 1900 trở về sau."),
    ],
)
def test_impossible_birth_dates_are_refused(personas, date_of_birth: str, message: str) -> None:
    client = Client()
    client.force_login(personas.learner)

    page = client.post(
        "/profile/",
        {"full_name": "Lan", "date_of_birth": date_of_birth, "preferred_language": "vi"},
    )
    api = client.put(
        "/api/v1/me/",
        data={"full_name": "Lan", "date_of_birth": date_of_birth},
        content_type="application/json",
    )

    assert message in page.content.decode()
    assert api.status_code == 400
    assert api.json()["error"]["fields"]["date_of_birth"] == [message]
    assert CitizenProfile.objects.get(user=personas.learner).date_of_birth is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "persona", "max_queries"),
    [
        ("/", "anonymous", 0),
        ("/", "learner", 4),
        ("/profile/", "learner", 5),
        ("/staff/", "center_manager", 6),
    ],
)
def test_page_query_counts_stay_pinned(
    personas, django_assert_max_num_queries, path: str, persona: str, max_queries: int
) -> None:
    from allauth.mfa.models import Authenticator

    client = Client()
    user = getattr(personas, persona)
    if persona != "anonymous":
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
        client.force_login(user)
    client.get(path)  # warm caches (content types, site)

    with django_assert_max_num_queries(max_queries):
        response = client.get(path)

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"phone": "12"}, "phone", NOT_IN_PLAN),
        (
            {"national_id": "1234"},
            "national_id",
            "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số.",
        ),
        ({"preferred_language": "fr"}, "preferred_language", None),
        ({"full_name": "x" * 151}, "full_name", None),
    ],
)
def test_api_puts_each_bad_value_on_its_field_and_changes_nothing(
    personas, payload: dict[str, str], field: str, message: str | None
) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = client.put(
        "/api/v1/me/", data={"full_name": "Đổi tên", **payload}, content_type="application/json"
    )

    assert response.status_code == 400
    errors = response.json()["error"]["fields"][field]
    if message is not None:
        assert errors == [message]
    assert CitizenProfile.objects.get(user=personas.learner).full_name == "Nguyễn Văn An"
