"""SMS and Zalo deliver, or are not offered: with no backend set, no page offers them and a
post naming them is refused; production refuses the in-memory backend; the HTTP SMS gateway
and Zalo ZNS backends, each against a local HTTP server started by the test, through the
real job pipeline (the rows, the jobs and their retries)."""

import base64
import json
import logging
import os
import secrets
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import redis
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import CaseInsensitiveMapping

from learnprofile.jobs.models import Job
from notices.channels import RecordingBackend, channels_available
from notices.models import Broadcast, Notification, NotificationPreference
from notices.services import broadcasts, outbox, preferences
from notices.tests.people import consent_set, regional_scopes
from profiles.tests.factories import UserFactory, ward
from tests.helpers import notices_send_due, run_pending_jobs
from tests.pipeline import celery_worker, wait_until

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent
TOKEN = "gateway-secret-token-0123456789"
ZALO_TOKEN = "zalo-oa-access-token-abcdefghij"


# --- A local HTTP server standing for the provider -----------------------------------------


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: CaseInsensitiveMapping  # HTTP header names are case-insensitive
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Gateway:
    """Records every request; answers the queued answers in order, then `default`."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: deque[tuple[int, dict[str, Any], float]] = field(default_factory=deque)
    default: tuple[int, dict[str, Any], float] = (200, {"id": "gw-1"}, 0.0)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, status: int, body: dict[str, Any], *, delay: float = 0.0) -> None:
        self.answers.append((status, body, delay))

    def next_answer(self) -> tuple[int, dict[str, Any], float]:
        with self.lock:
            return self.answers.popleft() if self.answers else self.default


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        gateway = self.server.gateway
        with gateway.lock:
            gateway.requests.append(
                Received(self.command, self.path, CaseInsensitiveMapping(dict(self.headers)), body)
            )
        status, answer, delay = gateway.next_answer()
        if delay:
            time.sleep(delay)
        payload = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up waiting (the timeout test)

    do_GET = do_POST = do_PUT = _handle  # noqa: N815 (http.server's names)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    gateway: Gateway


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.gateway = Gateway(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def never_quiet(settings) -> None:
    """SMS and Zalo may go at any hour of the test run."""
    settings.NOTICE_QUIET_HOURS = ("23:59:59.999999", "00:00")


@pytest.fixture
def channels_off(settings) -> None:
    """The default of every environment but the tests': no SMS or Zalo backend."""
    settings.NOTICE_SMS_BACKEND = ""
    settings.NOTICE_ZALO_BACKEND = ""


@pytest.fixture
def sms_gateway(settings, gateway: Gateway, never_quiet: None) -> Gateway:
    settings.NOTICE_SMS_BACKEND = "notices.channels.HttpSmsBackend"
    settings.NOTICE_ZALO_BACKEND = ""
    settings.NOTICE_SMS_HTTP_URL = f"{gateway.url}/v1/sms"
    settings.NOTICE_SMS_HTTP_BEARER_TOKEN = TOKEN
    settings.NOTICE_SMS_HTTP_BODY = '{"to": "{to}", "message": "{text}", "ref": "{reference}"}'
    settings.NOTICE_SMS_HTTP_MESSAGE_ID_FIELD = "id"
    settings.NOTICE_SMS_CONNECT_TIMEOUT = 0.5
    settings.NOTICE_SMS_READ_TIMEOUT = 0.5
    return gateway


@pytest.fixture
def zalo_gateway(settings, gateway: Gateway, never_quiet: None) -> Gateway:
    settings.NOTICE_SMS_BACKEND = ""
    settings.NOTICE_ZALO_BACKEND = "notices.channels.ZaloZnsBackend"
    settings.NOTICE_ZALO_ZNS_URL = f"{gateway.url}/message/template"
    settings.NOTICE_ZALO_ACCESS_TOKEN = ZALO_TOKEN
    settings.NOTICE_ZALO_TEMPLATE_ID = "231520"
    settings.NOTICE_ZALO_TEMPLATE_DATA = '{"content": "{body}", "link": "{link}"}'
    gateway.default = (200, {"error": 0, "message": "Success", "data": {"msg_id": "zns-1"}}, 0.0)
    return gateway


# --- People --------------------------------------------------------------------------------


def _client(user) -> Client:
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    client = Client()
    client.force_login(user)
    return client


def _citizen(phone: str, ward_codename: str = "phuong_hoan_kiem"):
    user = UserFactory()
    user.citizen_profile.residence_ward = ward(ward_codename)
    user.citizen_profile.phone = phone
    user.citizen_profile.save(update_fields=["residence_ward", "phone"])
    consent_set(actor=user, purpose="news", is_granted=True)
    return user


def _broadcast_by(channel: str, *, admin) -> Broadcast:
    hanoi = regional_scopes().get(user=admin).unit
    broadcast = broadcasts.broadcast_create(
        actor=admin,
        unit_id=hanoi.pk,
        channel=channel,
        subject_vi="Tuần lễ học tập suốt đời",
        body_vi="Mời bà con dự khai mạc Tuần lễ học tập suốt đời, 8 giờ sáng Chủ nhật.",
        per_minute=600,
    )
    broadcasts.broadcast_queue(actor=admin, broadcast=broadcast)
    assert run_pending_jobs() == 1  # the plan job writes the rows
    return broadcast


def _send_due() -> list[str]:
    return notices_send_due(now=timezone.now() + timedelta(minutes=1))


# --- Not configured: not offered -----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("learner", "notice_preferences"),
        ("regional_admin", "broadcast_new"),
        ("national_admin", "outbox"),
    ],
)
def test_with_no_sms_or_zalo_backend_no_page_offers_them(
    personas, channels_off: None, who: str, page: str
) -> None:
    response = _client(getattr(personas, who)).get(reverse(page))

    content = response.content.decode()
    assert response.status_code == 200
    assert "SMS" not in content
    assert "Zalo" not in content
    assert 'value="sms"' not in content
    assert "-sms" not in content
    assert channels_available() == ["email"]


def test_with_an_sms_backend_the_preferences_and_the_broadcast_form_offer_sms(
    personas, sms_gateway: Gateway
) -> None:
    preferences = _client(personas.learner).get(reverse("notice_preferences")).content.decode()
    form = _client(personas.regional_admin).get(reverse("broadcast_new")).content.decode()

    assert 'name="broadcast-sms"' in preferences
    assert "zalo" not in preferences.lower()
    assert '<option value="sms">Tin nhắn SMS</option>' in form
    assert channels_available() == ["email", "sms"]


def test_posting_an_sms_preference_while_sms_is_off_is_refused_and_changes_nothing(
    personas, channels_off: None
) -> None:
    client = _client(personas.learner)

    response = client.post(
        reverse("notice_preferences"), {"broadcast-email": "on", "broadcast-sms": "on"}
    )

    assert response.status_code == 400
    assert (
        "Hệ thống chưa bật gửi thông báo qua Tin nhắn SMS. "
        "Vui lòng chọn một kênh có trong danh sách." in response.content.decode()
    )
    assert not NotificationPreference.objects.exists()


def test_saving_preferences_while_sms_is_off_keeps_the_earlier_sms_choice(
    personas, channels_off: None
) -> None:
    learner = personas.learner
    NotificationPreference.objects.create(
        user=learner, kind="broadcast", channel="sms", is_enabled=True
    )

    response = _client(learner).post(reverse("notice_preferences"), {"broadcast-email": "on"})

    assert response.status_code == 302
    choices = set(
        NotificationPreference.objects.filter(user=learner, kind="broadcast").values_list(
            "channel", "is_enabled"
        )
    )
    assert choices == {("email", True), ("sms", True)}
    assert not NotificationPreference.objects.filter(channel="zalo").exists()


def test_posting_an_sms_broadcast_while_sms_is_off_is_refused_and_writes_nothing(
    personas, channels_off: None
) -> None:
    admin = personas.regional_admin
    hanoi = regional_scopes().get(user=admin).unit

    response = _client(admin).post(
        reverse("broadcast_new"),
        {
            "unit": hanoi.pk,
            "channel": "sms",
            "subject_vi": "Tin",
            "body_vi": "Nội dung.",
            "per_minute": "600",
        },
    )

    assert response.status_code == 422
    assert (
        "Hệ thống chưa bật gửi qua kênh “sms”. Vui lòng chọn một kênh có trong danh sách."
        in response.content.decode()
    )
    assert not Broadcast.objects.exists()


def test_an_sms_draft_cannot_be_sent_once_sms_is_switched_off(personas, settings) -> None:
    admin = personas.regional_admin
    hanoi = regional_scopes().get(user=admin).unit
    draft = broadcasts.broadcast_create(
        actor=admin, unit_id=hanoi.pk, channel="sms", subject_vi="Tin", body_vi="Nội dung."
    )
    settings.NOTICE_SMS_BACKEND = ""
    client = _client(admin)

    page = client.get(reverse("broadcast_detail", args=[draft.public_id])).content.decode()
    response = client.post(reverse("broadcast_send", args=[draft.public_id]), follow=True)

    assert reverse("broadcast_send", args=[draft.public_id]) not in page
    assert "Hệ thống đã tắt kênh Tin nhắn SMS nên không thể gửi bản nháp này." in page
    assert "Hệ thống chưa bật gửi thông báo qua Tin nhắn SMS." in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.queued_at) == ("draft", None)
    assert not Job.objects.filter(kind=broadcasts.PLAN).exists()


def test_an_sms_row_written_before_sms_was_switched_off_is_skipped(
    personas, settings, never_quiet: None
) -> None:
    RecordingBackend.outbox.clear()
    citizen = _citizen("+84912345678")
    _broadcast_by("sms", admin=personas.regional_admin)
    settings.NOTICE_SMS_BACKEND = ""

    _send_due()

    row = Notification.objects.get(recipient=citizen)
    assert (row.status, row.reason) == ("skipped", "channel not available")
    assert RecordingBackend.outbox == []


# --- Production ----------------------------------------------------------------------------

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "learnprofile.settings.production",
    # Generated, as an operator would: production refuses a secret written in the repository.
    "SECRET_KEY": secrets.token_urlsafe(48),
    "NATIONAL_ID_HASH_KEY": secrets.token_urlsafe(48),
    "CREDENTIAL_KEY_ENCRYPTION_KEY": secrets.token_urlsafe(48),
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/learnprofile",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "hocsuotdoi.example.vn",
}


def _production(code: str, **environment: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION and not key.startswith("NOTICE_")
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**clean, **PRODUCTION, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("setting", ["NOTICE_SMS_BACKEND", "NOTICE_ZALO_BACKEND"])
def test_production_refuses_to_start_with_the_in_memory_backend(setting: str) -> None:
    result = _production(
        "import learnprofile.settings.production",
        **{setting: "notices.channels.RecordingBackend"},
    )

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert f"{setting} names RecordingBackend, which keeps messages in memory" in result.stderr


def test_production_with_no_sms_or_zalo_backend_starts_with_email_only() -> None:
    result = _production(
        "import django; django.setup(); "
        "from notices.channels import channels_available; "
        "print([channel.value for channel in channels_available()])"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['email']"


def test_production_refuses_the_http_sms_backend_without_its_url() -> None:
    result = _production(
        "import learnprofile.settings.production",
        NOTICE_SMS_BACKEND="notices.channels.HttpSmsBackend",
    )

    assert result.returncode != 0
    assert "The environment variable NOTICE_SMS_HTTP_URL is required in production." in (
        result.stderr
    )


# --- The HTTP SMS gateway ------------------------------------------------------------------


def test_an_sms_broadcast_reaches_the_gateway_exactly_once_per_recipient(
    personas, sms_gateway: Gateway
) -> None:
    citizens = [_citizen(f"+8491234567{number}") for number in range(3)]
    _citizen("")  # no phone: not in an SMS audience
    broadcast = _broadcast_by("sms", admin=personas.regional_admin)

    states = _send_due()
    again = _send_due()

    rows = {row.recipient_id: row for row in Notification.objects.filter(kind="broadcast")}
    assert states == ["done"]
    assert again == []
    broadcast.refresh_from_db()
    assert broadcast.recipient_count == 3
    assert len(rows) == 3
    assert len(sms_gateway.requests) == 3
    by_number = {request.json()["to"]: request for request in sms_gateway.requests}
    assert sorted(by_number) == ["+84912345670", "+84912345671", "+84912345672"]
    for citizen in citizens:
        request = by_number[citizen.citizen_profile.phone]
        row = rows[citizen.pk]
        assert (request.method, request.path) == ("POST", "/v1/sms")
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["Content-Type"] == "application/json; charset=utf-8"
        assert request.json()["ref"] == str(row.public_id)
        assert request.json()["message"].startswith(
            "Mời bà con dự khai mạc Tuần lễ học tập suốt đời, 8 giờ sáng Chủ nhật. http"
        )
        assert "/unsubscribe/" in request.json()["message"]
        assert (row.status, row.reason, row.provider_message_id) == ("sent", "", "gw-1")


def test_a_gateway_refusal_fails_the_notice_with_its_reason_shown_to_administrators(
    personas, sms_gateway: Gateway
) -> None:
    citizen = _citizen("+84912345678")
    sms_gateway.answer(400, {"error": "destination barred"})
    _broadcast_by("sms", admin=personas.regional_admin)

    states = _send_due()
    page = _client(personas.national_admin).get(reverse("outbox")).content.decode()

    row = Notification.objects.get(recipient=citizen)
    assert states == ["done"]  # a refusal is not retried
    assert len(sms_gateway.requests) == 1
    assert (row.status, row.attempts, row.sent_at) == ("failed", 0, None)
    assert row.reason == 'sms gateway refused (HTTP 400): {"error": "destination barred"}'
    assert "sms gateway refused (HTTP 400)" in page
    assert "destination barred" in page


def test_a_landline_is_not_sent_an_sms_and_its_notice_fails_with_the_reason(
    personas, sms_gateway: Gateway
) -> None:
    citizen = _citizen("+842438251234")  # a Hanoi landline
    _broadcast_by("sms", admin=personas.regional_admin)

    _send_due()

    row = Notification.objects.get(recipient=citizen)
    assert sms_gateway.requests == []
    assert (row.status, row.reason) == ("failed", "not a mobile number: ***234")


def test_a_gateway_answer_saying_rejected_fails_the_notice(
    personas, settings, sms_gateway: Gateway
) -> None:
    settings.NOTICE_SMS_HTTP_ACCEPTED_FIELD = "result.status"
    settings.NOTICE_SMS_HTTP_ACCEPTED_VALUE = "queued"
    citizen = _citizen("+84912345678")
    sms_gateway.answer(200, {"result": {"status": "rejected", "detail": "blacklisted"}})
    _broadcast_by("sms", admin=personas.regional_admin)

    _send_due()

    row = Notification.objects.get(recipient=citizen)
    assert row.status == "failed"
    assert row.reason == (
        "sms gateway refused (result.status=rejected): "
        '{"result": {"status": "rejected", "detail": "blacklisted"}}'
    )


@pytest.mark.parametrize(
    ("first", "reason"),
    [
        ((200, {"id": "late"}, 2.0), "sms gateway unreachable: ReadTimeoutError"),
        ((500, {"error": "internal"}, 0.0), "sms gateway answered HTTP 500"),
        ((503, {"error": "maintenance"}, 0.0), "sms gateway answered HTTP 503"),
        ((429, {"error": "slow down"}, 0.0), "sms gateway answered HTTP 429"),
    ],
)
def test_a_transient_gateway_failure_is_retried_with_backoff_and_sent_once_accepted(
    personas, sms_gateway: Gateway, first: tuple[int, dict[str, Any], float], reason: str
) -> None:
    citizen = _citizen("+84912345678")
    sms_gateway.answer(*first[:2], delay=first[2])
    sms_gateway.answer(200, {"id": "gw-77"})
    _broadcast_by("sms", admin=personas.regional_admin)

    assert _send_due() == ["pending"]  # the job will retry
    row = Notification.objects.get(recipient=citizen)
    job = Job.objects.get(kind=outbox.SEND)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.reason == f"TransientDeliveryError: {reason}"
    assert job.available_at > timezone.now() + timedelta(seconds=25)  # 30 s of backoff
    assert run_pending_jobs() == 0  # not before its time

    Job.objects.filter(pk=job.pk).update(available_at=timezone.now())  # the 30 s pass
    assert run_pending_jobs() == 1

    row.refresh_from_db()
    assert (row.status, row.reason, row.provider_message_id) == ("sent", "", "gw-77")
    assert len(sms_gateway.requests) == 2
    assert {request.json()["ref"] for request in sms_gateway.requests} == {str(row.public_id)}


def test_an_unreachable_gateway_is_retried(personas, settings, sms_gateway: Gateway) -> None:
    settings.NOTICE_SMS_HTTP_URL = "http://127.0.0.1:1/v1/sms"  # nothing listens there
    citizen = _citizen("+84912345678")
    _broadcast_by("sms", admin=personas.regional_admin)

    assert _send_due() == ["pending"]

    row = Notification.objects.get(recipient=citizen)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.reason == "TransientDeliveryError: sms gateway unreachable: NewConnectionError"


def test_a_form_gateway_gets_basic_auth_the_national_number_and_an_idempotency_key(
    personas, settings, sms_gateway: Gateway
) -> None:
    settings.NOTICE_SMS_HTTP_BEARER_TOKEN = ""
    settings.NOTICE_SMS_HTTP_USERNAME = "hoctap"
    settings.NOTICE_SMS_HTTP_PASSWORD = "mat-khau"
    settings.NOTICE_SMS_HTTP_BODY_FORMAT = "form"
    settings.NOTICE_SMS_HTTP_BODY = "phone={to}&content={text}&brand=HOCTAP"
    settings.NOTICE_SMS_NUMBER_FORMAT = "national"
    settings.NOTICE_SMS_HTTP_IDEMPOTENCY_HEADER = "Idempotency-Key"
    citizen = _citizen("+84912345678")
    _broadcast_by("sms", admin=personas.regional_admin)

    _send_due()

    row = Notification.objects.get(recipient=citizen)
    (request,) = sms_gateway.requests
    fields = parse_qs(request.body.decode())
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(
        b"hoctap:mat-khau"
    ).decode("ascii")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["Idempotency-Key"] == str(row.public_id)
    assert fields["phone"] == ["0912345678"]
    assert fields["brand"] == ["HOCTAP"]
    assert fields["content"][0].startswith("Mời bà con dự khai mạc")
    assert row.status == "sent"


def test_reasons_and_logs_never_hold_the_whole_number_or_the_token(
    personas, sms_gateway: Gateway, caplog
) -> None:
    citizen = _citizen("+84912345678")
    sms_gateway.answer(400, {"error": f"bad number +84912345678 for token {TOKEN}"})
    _broadcast_by("sms", admin=personas.regional_admin)

    with caplog.at_level(logging.DEBUG):
        _send_due()

    row = Notification.objects.get(recipient=citizen)
    assert row.reason == (
        'sms gateway refused (HTTP 400): {"error": "bad number ***678 for token ***789"}'
    )
    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert "912345678" not in logged
    assert TOKEN not in logged


# --- Zalo ZNS ------------------------------------------------------------------------------


def test_a_zalo_broadcast_sends_the_zns_template_request_zalo_documents(
    personas, zalo_gateway: Gateway
) -> None:
    citizen = _citizen("+84912345678")
    _broadcast_by("zalo", admin=personas.regional_admin)

    _send_due()

    row = Notification.objects.get(recipient=citizen)
    (request,) = zalo_gateway.requests
    unsubscribe = preferences.unsubscribe_url(
        user_public_id=citizen.public_id, kind="broadcast", channel="zalo"
    )
    assert (request.method, request.path) == ("POST", "/message/template")
    assert request.headers["access_token"] == ZALO_TOKEN
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.json() == {
        "phone": "84912345678",
        "template_id": "231520",
        "template_data": {
            "content": "Mời bà con dự khai mạc Tuần lễ học tập suốt đời, 8 giờ sáng Chủ nhật.",
            "link": unsubscribe,
        },
        "tracking_id": str(row.public_id),
    }
    assert (row.status, row.provider_message_id) == ("sent", "zns-1")


def test_a_zns_refusal_fails_the_notice_with_zalos_message(personas, zalo_gateway: Gateway) -> None:
    citizen = _citizen("+84912345678")
    zalo_gateway.answer(200, {"error": -124, "message": "Access token is invalid"})
    _broadcast_by("zalo", admin=personas.regional_admin)

    states = _send_due()

    row = Notification.objects.get(recipient=citizen)
    assert states == ["done"]
    assert len(zalo_gateway.requests) == 1
    assert (row.status, row.provider_message_id) == ("failed", "")
    assert row.reason == "zalo zns refused (error -124): Access token is invalid"


def test_a_zns_outage_is_retried_then_sent(personas, zalo_gateway: Gateway) -> None:
    citizen = _citizen("+84912345678")
    zalo_gateway.answer(502, {"error": "bad gateway"})
    _broadcast_by("zalo", admin=personas.regional_admin)

    assert _send_due() == ["pending"]
    Job.objects.filter(kind=outbox.SEND).update(available_at=timezone.now())
    assert run_pending_jobs() == 1

    row = Notification.objects.get(recipient=citizen)
    assert (row.status, row.attempts, row.provider_message_id) == ("sent", 1, "zns-1")
    assert len(zalo_gateway.requests) == 2


# --- A real worker -------------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_sends_an_sms_broadcast_through_the_gateway_once_per_recipient(
    transactional_db: None, personas, settings, gateway: Gateway
) -> None:
    """The worker is another process: what it sends must leave it (the in-memory backend
    kept messages there and marked them sent)."""
    settings.NOTICE_SMS_BACKEND = "notices.channels.HttpSmsBackend"
    settings.NOTICE_SMS_HTTP_URL = f"{gateway.url}/v1/sms"
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    citizens = [_citizen(f"+8491234567{number}") for number in range(3)]
    admin = personas.regional_admin
    worker_environment = {
        "NOTICE_SMS_BACKEND": "notices.channels.HttpSmsBackend",
        "NOTICE_SMS_HTTP_URL": f"{gateway.url}/v1/sms",
        "NOTICE_SMS_HTTP_BEARER_TOKEN": TOKEN,
        "NOTICE_SMS_HTTP_MESSAGE_ID_FIELD": "id",
        "NOTICE_QUIET_FROM": "23:59:59.999999",
        "NOTICE_QUIET_UNTIL": "00:00",
    }

    with celery_worker(extra_env=worker_environment):
        hanoi = regional_scopes().get(user=admin).unit
        broadcast = broadcasts.broadcast_create(
            actor=admin, unit_id=hanoi.pk, channel="sms", subject_vi="Tin", body_vi="Nội dung."
        )
        broadcasts.broadcast_queue(actor=admin, broadcast=broadcast)
        assert wait_until(lambda: Notification.objects.filter(kind="broadcast").count() == 3)
        outbox.notifications_dispatch(now=timezone.now() + timedelta(minutes=1))
        assert wait_until(
            lambda: Notification.objects.filter(kind="broadcast", status="sent").count() == 3
        )
        time.sleep(1.0)  # anything sent twice would arrive now

    assert len(gateway.requests) == 3
    assert sorted(request.json()["to"] for request in gateway.requests) == sorted(
        citizen.citizen_profile.phone for citizen in citizens
    )
    assert set(
        Notification.objects.filter(kind="broadcast").values_list("provider_message_id", flat=True)
    ) == {"gw-1"}
