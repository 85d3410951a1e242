"""One error format under /api/: what Django answers before or outside DRF (no route, a
malformed id, a body over the upload limit, a method a plain view refuses, a server error) is
the JSON envelope too, in the person's language; pages elsewhere keep their HTML."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from profiles.models import LearningRecord

THREE_MEGABYTES = 3 * 1024 * 1024

pytestmark = pytest.mark.django_db


def _big_json_body(size: int = THREE_MEGABYTES) -> str:
    return '{"title": "' + "x" * size + '", "category": "other", "hours": "2"}'


def test_a_malformed_id_in_an_api_url_answers_the_json_envelope() -> None:
    response = Client().get("/api/v1/offerings/not-a-uuid/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "not_found", "message": "Không tìm thấy."}}


def test_the_envelope_keeps_the_headers_of_the_answer_it_replaces() -> None:
    response = Client().get("/api/v1/offerings/not-a-uuid/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Language"] == "vi"
    assert "X-Request-ID" in response


def test_an_unknown_api_path_answers_the_json_envelope_in_english_when_chosen() -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(("method", "path"), [("post", "/api/v1/check-in"), ("put", "/api/v1/me")])
def test_an_api_path_without_its_slash_answers_404_in_the_envelope(
    settings, debug: bool, method: str, path: str
) -> None:
    """No redirect to add the slash (a POST would lose its body; under DEBUG Django raised)."""
    settings.DEBUG = debug

    response = getattr(Client(), method)(path, {"code": "123456"}, content_type="application/json")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Không tìm thấy."}}


def test_a_page_without_its_slash_is_still_redirected_to_it() -> None:
    response = Client().get("/courses")

    assert (response.status_code, response["Location"]) == (301, "/courses/")


def test_an_unknown_page_outside_the_api_keeps_its_html_page() -> None:
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_three_megabyte_json_body_answers_413_in_the_envelope_and_writes_nothing(
    personas,
) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = client.post(
        "/api/v1/me/learning-records/", _big_json_body(), content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "payload_too_large",
            "message": "Dữ liệu gửi lên quá lớn (tối đa 2560 KB).",
        }
    }
    assert not LearningRecord.objects.filter(citizen=personas.learner).exists()


def test_a_three_megabyte_form_body_answers_413_in_the_envelope(personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = client.put(
        "/api/v1/me/",
        "full_name=" + "x" * THREE_MEGABYTES,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_three_megabyte_body_is_refused_before_authentication() -> None:
    response = Client().post("/api/v1/check-in/", _big_json_body(), content_type="application/json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_body_under_the_limit_still_reaches_the_view(personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = client.post(
        "/api/v1/me/learning-records/",
        {"title": "Tự học trồng nấm", "category": "agriculture", "hours": "2"},
        content_type="application/json",
    )

    assert response.status_code == 201


def test_a_method_an_api_view_refuses_answers_405_in_the_envelope() -> None:
    response = Client().delete("/api/v1/offerings/")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


@override_settings(ROOT_URLCONF="tests.urls_failing")
def test_a_method_a_plain_view_under_the_api_refuses_answers_405_in_the_envelope() -> None:
    response = Client().post("/api/v1/test-get-only/")

    assert response.status_code == 405
    assert response.json() == {
        "error": {
            "code": "method_not_allowed",
            "message": "Phương thức “POST” không được chấp nhận.",
        }
    }
    assert response["Allow"] == "GET"


@override_settings(ROOT_URLCONF="tests.urls_failing")
@pytest.mark.parametrize("path", ["/api/v1/test-failure/", "/api/v1/test-plain-failure/"])
def test_a_server_error_under_the_api_answers_500_in_the_envelope(path: str) -> None:
    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == 500
    assert response.json() == {"error": {"code": "server_error", "message": "Máy chủ gặp lỗi."}}


@override_settings(ROOT_URLCONF="tests.urls_failing")
def test_a_server_error_outside_the_api_keeps_its_html_page() -> None:
    response = Client(raise_request_exception=False).get("/test-failure/")

    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in response.content.decode()


@override_settings(ROOT_URLCONF="tests.urls_failing", DEBUG=True)
def test_a_server_error_under_the_api_is_the_envelope_in_debug_too() -> None:
    response = Client(raise_request_exception=False).get("/api/v1/test-failure/")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


def test_a_request_django_refuses_as_suspicious_answers_400_in_the_envelope(settings) -> None:
    settings.ALLOWED_HOSTS = ["hoctap.gov.vn"]

    response = Client(raise_request_exception=False).get(
        "/api/v1/offerings/", HTTP_HOST="evil.example"
    )

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "bad_request", "message": "Yêu cầu không hợp lệ."}}
