"""The web shell: languages, error pages, health, request ids, API errors, offline assets."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.pipeline import dead_broker

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_vietnamese_is_the_default_even_for_an_english_browser() -> None:
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in response.content.decode()
    assert "Học tập suốt đời, ghi nhận trọn đời" in response.content.decode()


@pytest.mark.django_db
def test_language_switch_sets_english_and_returns_to_the_page() -> None:
    client = Client()

    response = client.post("/language/", {"language": "en", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page
    assert "Sign In" in page


@pytest.mark.django_db
def test_language_switch_refuses_to_redirect_elsewhere() -> None:
    response = Client().post("/language/", {"language": "en", "next": "https://evil.example/"})

    assert response["Location"] == "/"


@pytest.mark.django_db
def test_language_switch_saves_the_signed_in_persons_preference(personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    client.post("/language/", {"language": "en", "next": "/"})

    personas.learner.refresh_from_db()
    assert personas.learner.preferred_language == "en"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"), [("vi", "Không tìm thấy trang"), ("en", "Page not found")]
)
def test_404_page_in_each_language(language: str, text: str) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert text in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [("vi", "Hệ thống đang gặp sự cố"), ("en", "Something went wrong on our side")],
)
def test_500_page_in_each_language(language: str, text: str) -> None:
    from django.utils import translation

    from learnprofile.views import server_error

    with translation.override(language):
        response = server_error(None)  # type: ignore[arg-type]

    assert response.status_code == 500
    assert text in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"), [("vi", "Không có quyền truy cập"), ("en", "Access denied")]
)
def test_403_page_in_each_language(personas, language: str, text: str) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(personas.learner)

    response = client.get("/staff/")

    assert response.status_code == 403
    assert text in response.content.decode()


@pytest.mark.django_db
def test_pages_load_no_third_party_assets() -> None:
    client = Client()
    for path in ["/", "/accounts/login/", "/accounts/signup/", "/api/docs/"]:
        html = client.get(path).content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources, path
        assert all(not source.startswith(("http://", "https://", "//")) for source in sources), path


def test_htmx_is_vendored() -> None:
    assert (BASE_DIR / "static/vendor/htmx/htmx.min.js").stat().st_size > 10_000


@pytest.mark.django_db
def test_healthz_reports_every_part() -> None:
    response = Client().get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert set(body["checks"]) == {"database", "redis", "worker"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_degraded_not_hanging_when_redis_is_down(settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = Client().get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["redis"] == {"ok": False, "error": "ConnectionError"}
    assert body["checks"]["worker"] == {"ok": False, "error": "redis_unavailable"}


@pytest.mark.django_db
def test_healthz_sees_a_fresh_worker_heartbeat() -> None:
    import time

    from learnprofile.health import worker_heartbeat_write

    worker_heartbeat_write(time.time())

    body = Client().get("/healthz").json()
    assert body["status"] == "ok"
    assert body["checks"]["worker"]["ok"] is True


@pytest.mark.django_db
def test_every_response_carries_a_request_id() -> None:
    client = Client()

    generated = client.get("/healthz")
    echoed = client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-from-proxy")
    hostile = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")

    assert re.fullmatch(r"[0-9a-f]{32}", generated["X-Request-ID"])
    assert echoed["X-Request-ID"] == "abc12345-from-proxy"
    assert re.fullmatch(r"[0-9a-f]{32}", hostile["X-Request-ID"])


def test_log_lines_are_json_with_the_request_id(caplog) -> None:
    import logging

    from pythonjsonlogger.json import JsonFormatter

    from learnprofile.request_context import RequestIdFilter, request_id_var

    token = request_id_var.set("req-1234567")
    try:
        record = logging.LogRecord("test", logging.INFO, __file__, 1, "hello", None, None)
        RequestIdFilter().filter(record)
        line = JsonFormatter("%(levelname)s %(message)s %(request_id)s").format(record)
    finally:
        request_id_var.reset(token)
    assert json.loads(line) == {
        "levelname": "INFO",
        "message": "hello",
        "request_id": "req-1234567",
    }


@pytest.mark.django_db
def test_api_requires_authentication_with_one_error_format() -> None:
    response = Client().get("/api/v1/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {"code": "not_authenticated", "message": "Bạn chưa cung cấp thông tin đăng nhập."}
    }


@pytest.mark.django_db
def test_api_validation_errors_use_the_error_format(personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = client.put(
        "/api/v1/me/", data={"full_name": "", "phone": "12"}, content_type="application/json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "Dữ liệu gửi lên chưa hợp lệ."
    assert "full_name" in error["fields"]


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served_offline() -> None:
    client = Client()

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert "/api/v1/me/" in schema.json()["paths"]
    assert docs.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content.decode()


@pytest.mark.django_db
def test_api_token_authentication_works(personas) -> None:
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=personas.learner)

    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.json()["email"] == personas.learner.email


@pytest.mark.django_db
def test_a_request_that_queues_email_does_not_wait_for_a_dead_broker(
    django_capture_on_commit_callbacks,
) -> None:
    """The request tries the broker once, whether it refuses or hangs, and so waits at most
    one socket timeout. No wall-clock constant: the hanging broker's request is compared with
    the same request against the refusing one, in this run, plus three socket timeouts."""
    import time

    connections: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for outage in ("refused", "hanging"):
        with dead_broker(outage) as dead:
            started = time.monotonic()
            # The message is published on commit: run the callbacks the test's transaction holds.
            with django_capture_on_commit_callbacks(execute=True):
                response = Client().post("/accounts/password/reset/", {"email": "ai-do@example.vn"})
            seconds[outage] = time.monotonic() - started
        assert response.status_code == 302
        connections[outage] = dead.connections

    assert connections == {"refused": 1, "hanging": 1}
    timeout = settings.REDIS_SOCKET_TIMEOUT_SECONDS
    assert seconds["hanging"] < seconds["refused"] + 3 * timeout


@pytest.mark.django_db
def test_sign_in_and_rate_limits_do_not_depend_on_redis(
    personas, settings, django_capture_on_commit_callbacks
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    client = Client()

    with dead_broker("refused") as dead:
        settings.REDIS_URL = dead.url
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/accounts/login/", {"login": personas.learner.email, "password": "sai"})
            response = client.post(
                "/accounts/login/",
                {"login": personas.learner.email, "password": "Mat-khau-an-toan-2026"},
            )
            api = client.get("/api/v1/me/")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.learner.pk)
    assert api.status_code == 200
    # Neither the broker nor Redis was asked anything, so neither could make it wait.
    assert dead.connections == 0
    # The failed attempt was counted, in PostgreSQL.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM learnprofile_cache")
        assert cursor.fetchone()[0] > 0


HOSTILE_REQUESTS = [
    ("get", "/places/wards/", {"ward_query": "ha\x00noi"}),
    ("get", "/api/v1/places/wards/", {"q": "ha\x00noi"}),
    ("get", "/api/v1/places/wards/", {"q": "x" * 5000}),
    ("post", "/profile/", {"full_name": "Lan", "residence_ward": "²", "preferred_language": "vi"}),
    (
        "post",
        "/profile/",
        {"full_name": "Lan", "residence_ward": "9" * 30, "preferred_language": "vi"},
    ),
    (
        "post",
        "/profile/",
        {"full_name": "L", "ward_query": "a\x00b", "find_ward": "1", "preferred_language": "vi"},
    ),
    ("post", "/profile/", {"full_name": "Lan\x00", "preferred_language": "vi"}),
    ("put", "/api/v1/me/", {"full_name": "Lan", "residence_ward_code": int("9" * 30)}),
    ("put", "/api/v1/me/", {"full_name": "Lan\x00"}),
    ("put", "/api/v1/me/", ["not", "an", "object"]),
    ("post", "/language/", {"language": "en\x00", "next": "/\x00"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "data"), HOSTILE_REQUESTS)
def test_hostile_input_gets_an_answer_not_a_500(personas, method: str, path: str, data) -> None:
    from profiles.models import CitizenProfile

    client = Client(raise_request_exception=False)
    client.force_login(personas.learner)

    if method == "put":
        response = client.put(path, data=data, content_type="application/json")
    else:
        response = getattr(client, method)(path, data)

    assert response.status_code < 500
    # Every one of these is refused or read-only: nothing was written.
    assert CitizenProfile.objects.get(user=personas.learner).full_name == "Nguyễn Văn An"


def test_fold_drops_control_characters() -> None:
    from learnprofile.text import fold

    assert fold("Hà\x00Nội\tĐắk") == "ha noi dak"
