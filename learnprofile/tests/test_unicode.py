"""Unicode at the boundary (issue #17, decision 0009): NFD input is stored as NFC, through HTML
forms (urlencoded and multipart), the REST API (JSON and multipart) and the admin; signed
documents reach the verifier as sent; stored free text is rewritten by the data migrations."""

import importlib
import json
import unicodedata

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.hashers import check_password
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from courses.models import Course
from courses.tests.factories import course_make
from credentials.rest import CredentialVerifyApi
from credentials.views.public import verify_upload
from learnprofile.middleware import UnicodeNfcMiddleware
from learnprofile.text import text_nfc
from profiles.models import Household, LearningRecord
from profiles.tests.factories import OrganizationFactory, UserFactory, with_mfa

TITLE = "Học nghề trồng lúa ở Đắk Lắk"
DESCRIPTION = "Lớp thực hành về giống lúa mới, kỹ thuật tưới tiết kiệm."
PASSWORD = "Mật-khẩu-học-tập-2026"


def nfd(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    return decomposed


def vietnamese_composite(text: str) -> str:
    """As Unikey in "Unicode composite" mode types it: tone marks as combining characters
    after a precomposed vowel ("ệ" -> "ê" + U+0323), neither NFC nor NFD."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    typed = ""
    for char in text:
        marks = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(m for m in marks if m not in tones))
        typed += base + "".join(m for m in marks if m in tones)
    assert typed not in (text, unicodedata.normalize("NFD", text))
    return typed


def test_text_nfc_composes_decomposed_and_composite_input() -> None:
    assert text_nfc(nfd("Nguyễn Thị Ánh")) == "Nguyễn Thị Ánh"
    assert text_nfc(vietnamese_composite("Nguyễn Thị Ánh")) == "Nguyễn Thị Ánh"
    assert text_nfc("  Ascii stays as it is \t") == "  Ascii stays as it is \t"


# --- HTML forms --------------------------------------------------------------------------


@pytest.mark.django_db
def test_nfd_text_in_a_multipart_form_is_stored_as_nfc(client: Client, personas) -> None:
    client.force_login(personas.learner)

    response = client.post(  # the test client sends multipart/form-data
        reverse("learning_add"),
        {
            "title": nfd(TITLE),
            "category": "agriculture",
            "provider_name": nfd("Hợp tác xã Ea Kar"),
            "hours": "6",
            "started_on": "2026-03-01",
            "ended_on": "2026-03-20",
            "description": vietnamese_composite(DESCRIPTION),
            "url": "",
            "verifier_organization": "",
        },
    )

    assert response.status_code == 302
    record = LearningRecord.objects.get(citizen=personas.learner)
    assert (record.title, record.provider_name, record.description) == (
        TITLE,
        "Hợp tác xã Ea Kar",
        DESCRIPTION,
    )


@pytest.mark.django_db
def test_nfd_text_in_an_urlencoded_form_is_stored_as_nfc(client: Client, personas) -> None:
    client.force_login(personas.learner)

    response = client.post(
        reverse("household_create"),
        f"name={nfd('Gia đình Trần Thị Hường')}",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 302
    assert Household.objects.get().name == "Gia đình Trần Thị Hường"


@pytest.mark.django_db
def test_nfd_text_in_the_admin_is_stored_as_nfc(client: Client, personas) -> None:
    organization = OrganizationFactory(name="Trung tâm học tập cộng đồng xã Ea Kar", address="")
    with_mfa(personas.national_admin)
    client.force_login(personas.national_admin)
    admin_url = reverse("admin:profiles_organization_change", args=[organization.pk])
    form = client.get(admin_url)
    if form.status_code != 200:
        pytest.fail(f"admin change page answered {form.status_code}: {form.get('Location')}")
    data = {
        field.html_name: field.value() if field.value() is not None else ""
        for fieldset in form.context["adminform"]
        for line in fieldset
        for field in (admin_field.field for admin_field in line)
    }
    data.update(
        {
            "name": nfd("Trung tâm học tập cộng đồng xã Krông Pắc"),
            "address": nfd("Thôn 3, xã Ea Kar, tỉnh Đắk Lắk"),
        }
    )
    for formset in form.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update(
            {management.add_prefix(name): value for name, value in management.initial.items()}
        )

    response = client.post(admin_url, {k: v for k, v in data.items() if v is not None})

    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
        data,
    )
    organization.refresh_from_db()
    assert organization.name == "Trung tâm học tập cộng đồng xã Krông Pắc"
    assert organization.address == "Thôn 3, xã Ea Kar, tỉnh Đắk Lắk"


# --- The REST API ------------------------------------------------------------------------


def _api_self_report(title: str, description: str) -> dict[str, str]:
    return {
        "title": title,
        "category": "agriculture",
        "hours": "6",
        "occurred_on": "2026-03-20",
        "started_on": "2026-03-01",
        "ended_on": "2026-03-20",
        "description": description,
    }


@pytest.mark.django_db
def test_nfd_text_in_a_json_body_is_stored_as_nfc(client: Client, personas) -> None:
    client.force_login(personas.learner)

    response = client.post(
        reverse("api_my_learning_records"),
        json.dumps(_api_self_report(nfd(TITLE), vietnamese_composite(DESCRIPTION))),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    record = LearningRecord.objects.get(citizen=personas.learner)
    assert (record.title, record.description) == (TITLE, DESCRIPTION)
    assert response.json()["title"] == TITLE


@pytest.mark.django_db
def test_nfd_text_in_a_multipart_api_body_is_stored_as_nfc(client: Client, personas) -> None:
    # The view names DRF's own parsers: the content negotiation still normalises.
    client.force_login(personas.learner)

    response = client.post(
        reverse("api_my_learning_records"), _api_self_report(nfd(TITLE), nfd(DESCRIPTION))
    )

    assert response.status_code == 201, response.content
    record = LearningRecord.objects.get(citizen=personas.learner)
    assert (record.title, record.description) == (TITLE, DESCRIPTION)


@pytest.mark.django_db
def test_nfd_query_parameters_reach_views_as_nfc() -> None:
    seen: dict[str, str] = {}

    def view(request):
        seen.update(request.GET.items())
        return HttpResponse()

    request = RequestFactory().get("/", {nfd("tìm"): nfd("Đắk Lắk")})
    UnicodeNfcMiddleware(view).process_view(request, view, (), {})
    view(request)

    assert seen == {"tìm": "Đắk Lắk"}


# --- Signed documents reach the verifier as sent -------------------------------------------


def test_the_verify_page_receives_a_pasted_credential_as_sent() -> None:
    pasted = json.dumps({"name": nfd("Chứng nhận hoàn thành")}, ensure_ascii=False)
    request = RequestFactory().post("/verify/", {"credential": pasted})

    UnicodeNfcMiddleware(lambda request: HttpResponse()).process_view(
        request, verify_upload, (), {}
    )

    assert request.POST["credential"] == pasted


def test_other_views_receive_the_same_post_as_nfc() -> None:
    pasted = json.dumps({"name": nfd("Chứng nhận hoàn thành")}, ensure_ascii=False)
    request = RequestFactory().post("/elsewhere/", {"credential": pasted})

    UnicodeNfcMiddleware(lambda request: HttpResponse()).process_view(
        request, lambda request: HttpResponse(), (), {}
    )

    assert request.POST["credential"] == unicodedata.normalize("NFC", pasted)


@pytest.mark.django_db
def test_the_verify_api_receives_a_credential_as_sent(client: Client) -> None:
    # A credential whose signed name is decomposed: normalising it would break its signature.
    # The API answers about the document it received: its schema check names the field as sent.
    received: list[object] = []
    original = CredentialVerifyApi.post

    def spy(self, request, *args, **kwargs):
        received.append(request.data)
        return original(self, request, *args, **kwargs)

    document = {"@context": [], "name": nfd("Chứng nhận hoàn thành")}
    CredentialVerifyApi.post = spy  # type: ignore[method-assign]
    try:
        client.post(
            reverse("api_credential_verify"),
            json.dumps(document, ensure_ascii=False),
            content_type="application/json",
        )
    finally:
        CredentialVerifyApi.post = original  # type: ignore[method-assign]

    assert received == [document]


# --- Passwords (RFC 8265 OpaqueString: NFC) --------------------------------------------------


@pytest.mark.django_db
def test_a_password_set_decomposed_signs_in_typed_precomposed(client: Client) -> None:
    user = UserFactory(email="lan@example.vn", password=nfd(PASSWORD))
    # Set before this change: the hash is of the NFD password (the model is not the boundary).
    assert check_password(nfd(PASSWORD), user.password)

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # re-hashed in NFC, once


@pytest.mark.django_db
def test_a_password_set_in_vietnamese_composite_signs_in_typed_the_same_way(
    client: Client,
) -> None:
    typed = vietnamese_composite(PASSWORD)
    user = UserFactory(email="lan@example.vn", password=typed)

    response = client.post(reverse("account_login"), {"login": user.email, "password": typed})

    assert client.session["_auth_user_id"] == str(user.pk), response.content.decode()[:500]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_wrong_non_ascii_password_is_still_refused(client: Client) -> None:
    user = UserFactory(email="lan@example.vn", password=nfd(PASSWORD))
    password_hash = user.password

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "Mật-khẩu-khác-2026"}
    )

    assert "Email hoặc mật khẩu chưa đúng." in response.content.decode()
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.password == password_hash


# --- Stored text: the data migrations --------------------------------------------------------


def _migration(app_label: str, name: str):
    return importlib.import_module(f"{app_label}.migrations.{name}")


# Models the data migrations name by the app they were in then, and where they are today (the
# outbox moved from profiles to notices, same tables).
MOVED_SINCE = {("profiles", "broadcast"): ("notices", "Broadcast")}


class _AppsToday:
    """Today's app registry, as a data migration written before a model moved names it."""

    def get_model(self, app_label: str, model_name: str):
        return django_apps.get_model(
            *MOVED_SINCE.get((app_label, model_name.lower()), (app_label, model_name))
        )


@pytest.mark.django_db
def test_the_profiles_migration_rewrites_stored_free_text_in_nfc(personas) -> None:
    UserFactory(email="an@example.vn")
    record = LearningRecord.objects.create(
        citizen=personas.learner,
        kind="self_reported",
        title=nfd(TITLE),
        description=vietnamese_composite(DESCRIPTION),
        category="agriculture",
        hours=6,
        occurred_on="2026-03-20",
        source_app="test",
        source_id="1",
    )
    untouched = LearningRecord.objects.create(
        citizen=personas.learner,
        kind="self_reported",
        title="Ascii title",
        category="agriculture",
        hours=1,
        occurred_on="2026-03-20",
        source_app="test",
        source_id="2",
    )
    household = Household.objects.create(name=nfd("Gia đình Hường"))
    printed: list[str] = []

    _migration("profiles", "0010_text_nfc").text_nfc(_AppsToday(), None, out=printed.append)

    record.refresh_from_db()
    household.refresh_from_db()
    assert (record.title, record.description) == (TITLE, DESCRIPTION)
    assert household.name == "Gia đình Hường"
    assert LearningRecord.objects.get(pk=untouched.pk).title == "Ascii title"
    assert printed == [
        "profiles.LearningRecord: 1 row(s) rewritten in NFC",
        "profiles.Household: 1 row(s) rewritten in NFC",
    ]


@pytest.mark.django_db
def test_the_courses_migration_rewrites_stored_free_text_in_nfc(personas) -> None:
    provider = personas.center_staff.memberships.get().organization
    course = course_make(provider, title=nfd("Tin học cơ bản"), summary=nfd("Soạn thảo văn bản"))

    _migration("courses", "0005_text_nfc").text_nfc(django_apps, None, out=lambda line: None)

    course = Course.objects.get(pk=course.pk)
    assert (course.title, course.summary) == ("Tin học cơ bản", "Soạn thảo văn bản")


def test_no_migrated_text_column_is_unique() -> None:
    # A unique column would be saved row by row and a collision printed; none is today.
    for app_label, name in (
        ("profiles", "0010_text_nfc"),
        ("courses", "0005_text_nfc"),
        ("credentials", "0007_text_nfc"),
    ):
        migration = _migration(app_label, name)
        profiles_0010 = _migration("profiles", "0010_text_nfc")
        for model_name, fields in migration.TEXT_FIELDS.items():
            model = _AppsToday().get_model(app_label, model_name)
            assert not profiles_0010._unique_fields(model) & set(fields), model_name
