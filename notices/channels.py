"""Delivery channels of notices: email always; SMS and Zalo only when a real backend is set.

Which channels exist for people is answered in one place, `channels_available()`: email, plus
SMS when `NOTICE_SMS_BACKEND` names a backend class and Zalo when `NOTICE_ZALO_BACKEND` does.
An unset backend means the channel is off: no page, form or check offers it, and a notice
row on it is skipped at send time (`channel not available`).

A backend is a class built with its channel's name, whose `send(message: TextMessage) -> str`
hands one message to the provider and returns the provider's message id ("" when it gives
none). It raises `TransientDeliveryError` when the provider cannot take the message now
(timeout, connection refused, HTTP 5xx or 429: the sending job retries with backoff) and
`PermanentDeliveryError` with the provider's reason when it refused the message for good (the
notice row is `failed`, the reason shown on /staff/notices/). Two real backends:

- `HttpSmsBackend`: a generic HTTP SMS gateway, configured from the environment
  (`NOTICE_SMS_HTTP_*`: URL, method, basic auth or a bearer token, a JSON or form body
  template with `{to}`, `{text}`, `{reference}`..., the accepted status codes and optionally a
  JSON field and value in the answer, where the message id is, the number's format).
- `ZaloZnsBackend`: Zalo Notification Service template messages (`POST
  https://business.openapi.zalo.me/message/template`, header `access_token`, JSON `phone`
  84..., `template_id`, `template_data`, `tracking_id`; the answer `{"error": 0, "message":
  "Success", "data": {"msg_id": ...}}`, any other `error` is a refusal).

`RecordingBackend` keeps messages in this process's memory and sends nothing: only the test
settings point at it, and production refuses to start with it (settings/production.py).
HTTP goes through urllib3 with connect and read timeouts and no retries of its own (the job
pipeline retries). Logs and reasons never hold the whole phone number or a credential.
"""

import json
import logging
import re
import smtplib
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode

import phonenumbers
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from learnprofile.errors import DomainError
from notices.data import NoticeChannel
from profiles import api as profiles_api
from profiles.data import PersonData

logger = logging.getLogger(__name__)

# The answer of a provider is read up to this many bytes (an answer is a few hundred).
ANSWER_MAX_BYTES = 64 * 1024
# HTTP statuses worth another try later: the provider is overloaded, down or slow.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_PLACEHOLDER = re.compile(r"\{(to|text|body|subject|link|reference)\}")


class PermanentDeliveryError(Exception):
    """The channel refused the message for good (an address that does not exist, a gateway
    that says "rejected"); the message is the reason, shown to administrators."""


class TransientDeliveryError(Exception):
    """The channel cannot take the message now (a provider's outage): try again later."""


@dataclass(frozen=True)
class TextMessage:
    """One SMS or Zalo message. `to` is E.164 (+84912345678); `reference` is the notice's
    public id (a UUID string), sent as the tracking or idempotency id where the provider
    takes one; `body` is the words, `link` the unsubscribe link, `text` both together."""

    to: str
    body: str
    link: str
    reference: str
    subject: str = ""

    @property
    def text(self) -> str:
        return f"{self.body} {self.link}".strip()


class TextBackend(Protocol):
    def __init__(self, channel: str) -> None: ...

    def send(self, message: TextMessage) -> str: ...


_SETTING = {NoticeChannel.SMS: "NOTICE_SMS_BACKEND", NoticeChannel.ZALO: "NOTICE_ZALO_BACKEND"}


def _backend_path(channel: str) -> str:
    setting = _SETTING.get(NoticeChannel(channel))
    return str(getattr(settings, setting, "") or "").strip() if setting else ""


def channels_available() -> list[NoticeChannel]:
    """The channels people may be offered and reached on, in display order: email always,
    SMS and Zalo only when their backend setting names a class. The one answer every page,
    form and check uses."""
    return [
        channel
        for channel in NoticeChannel
        if channel == NoticeChannel.EMAIL or _backend_path(channel)
    ]


def channel_is_available(channel: str) -> bool:
    return channel in {available.value for available in channels_available()}


class ChannelNotAvailable(DomainError):
    """SMS or Zalo asked for while it has no delivery backend here (a form posted by hand,
    a draft written before the channel was switched off)."""


def channel_require(channel: str) -> None:
    """Raises ChannelNotAvailable, in the reader's language, unless `channel` is offered."""
    if not channel_is_available(channel):
        label = NoticeChannel(channel).label if channel in NoticeChannel.values else channel
        raise ChannelNotAvailable(
            _(
                "Hệ thống chưa bật gửi thông báo qua %(channel)s. "
                "Vui lòng chọn một kênh có trong danh sách."
            )
            % {"channel": label}
        )


def _backend(channel: str) -> TextBackend:
    path = _backend_path(channel)
    if not path:
        raise PermanentDeliveryError(f"channel {channel} not available")
    backend_class = import_string(path)
    if getattr(backend_class, "is_for_tests_only", False) and settings.ENVIRONMENT == "production":
        raise ImproperlyConfigured(f"{path} keeps messages in memory and sends nothing.")
    backend: TextBackend = backend_class(channel)
    return backend


def deliver(
    *,
    channel: str,
    recipient: PersonData,
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str,
    reference: str = "",
    connection: Any = None,
) -> str:
    """Hand one notice to its channel (email through `connection`, one per chunk, when
    given). Returns the provider's message id ("" when there is none, and for email).
    Raises PermanentDeliveryError, or a transient error (the job retries)."""
    if channel == NoticeChannel.EMAIL:
        if not recipient.email or recipient.is_assisted:
            raise PermanentDeliveryError("no email address")
        message = EmailMultiAlternatives(
            subject=subject,
            body=f"{text}\n\n-- \n{_('Ngừng nhận loại thông báo này')}: {unsubscribe_url}\n",
            to=[recipient.email],
            connection=connection,
            headers={
                # RFC 2369 and RFC 8058: mail clients show a one-click "unsubscribe".
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        if html:
            message.attach_alternative(html, "text/html")
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentDeliveryError(f"recipient refused: {error.recipients!r}") from error
        return ""
    phone = recipient.phone
    if not phone:
        raise PermanentDeliveryError("no phone number")
    if not profiles_api.phone_is_mobile(phone):
        # A landline (accepted as a person's phone) cannot take an SMS or a Zalo message.
        raise PermanentDeliveryError(f"not a mobile number: {masked(phone)}")
    backend = _backend(channel)
    return backend.send(
        TextMessage(to=phone, body=text, link=unsubscribe_url, reference=reference, subject=subject)
    )


def masked(phone: str) -> str:
    """A phone number fit for logs and reasons: its last three digits only."""
    return f"***{phone[-3:]}" if phone else ""


class RecordingBackend:
    """Keeps what would have been sent in `RecordingBackend.outbox`, in this process's memory,
    and sends nothing. For the test settings only: production refuses to start with it, and
    development leaves SMS and Zalo off unless a real backend is set."""

    is_for_tests_only = True
    outbox: list[dict[str, str]] = []

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, message: TextMessage) -> str:
        RecordingBackend.outbox.append(
            {
                "channel": self.channel,
                "to": message.to,
                "text": message.text,
                "reference": message.reference,
            }
        )
        logger.info("notice.recorded", extra={"channel": self.channel, "to": masked(message.to)})
        return f"recorded-{len(RecordingBackend.outbox)}"


# --- HTTP ---------------------------------------------------------------------------------

_pool: urllib3.PoolManager | None = None


def _http() -> urllib3.PoolManager:
    """One pool per process (created on first use, so each forked worker has its own). No
    retries and no redirects of its own: a retry is the job's, with backoff."""
    global _pool
    if _pool is None:
        _pool = urllib3.PoolManager(num_pools=4, maxsize=4, retries=False)
    return _pool


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None

    def excerpt(self, *secrets: str) -> str:
        """The first 200 characters of the answer, with `secrets` (the number in its
        forms, a token) masked: it becomes a reason administrators read."""
        text = self.body.decode("utf-8", errors="replace")[:200]
        for secret in secrets:
            if secret and len(secret) >= 6:
                text = text.replace(secret, masked(secret))
        return " ".join(text.split())


def _request(
    *,
    provider: str,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None = None,
    fields: dict[str, str] | None = None,
    connect_timeout: float,
    read_timeout: float,
) -> _Answer:
    """One HTTP exchange. Raises TransientDeliveryError when it did not complete (timeout,
    refused or broken connection) or the provider answered 5xx, 429, 408."""
    try:
        response = _http().request(
            method,
            url,
            body=body,
            fields=fields,
            headers=headers,
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            preload_content=False,
            redirect=False,
        )
        try:
            data = response.read(ANSWER_MAX_BYTES)
        finally:
            response.close()
    except urllib3.exceptions.HTTPError as error:
        # Timeouts, refused connections, resets, TLS failures: nothing was answered.
        raise TransientDeliveryError(f"{provider} unreachable: {type(error).__name__}") from error
    answer = _Answer(status=response.status, body=data)
    if answer.status in TRANSIENT_STATUSES or answer.status >= 500:
        raise TransientDeliveryError(f"{provider} answered HTTP {answer.status}")
    return answer


def _dotted(document: Any, path: str) -> Any:
    """`document["a"]["b"]` for the path "a.b"; None when any step is missing."""
    for step in path.split("."):
        if isinstance(document, dict) and step in document:
            document = document[step]
        elif isinstance(document, list) and step.isdigit() and int(step) < len(document):
            document = document[int(step)]
        else:
            return None
    return document


def _fill(template: str, values: dict[str, str]) -> str:
    """Put the values in the `{name}` placeholders of one string (other braces are kept)."""
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def _fill_json(template: Any, values: dict[str, str]) -> Any:
    """The placeholders filled in every string of a parsed JSON template, so that whatever
    a message holds (quotes, newlines) stays valid JSON."""
    if isinstance(template, str):
        return _fill(template, values)
    if isinstance(template, list):
        return [_fill_json(item, values) for item in template]
    if isinstance(template, dict):
        return {key: _fill_json(value, values) for key, value in template.items()}
    return template


def number_formatted(phone: str, number_format: str) -> str:
    """An E.164 number (+84912345678) as a provider wants it: "e164" (+84912345678),
    "digits" (84912345678) or "national" (0912345678). Raises PermanentDeliveryError for a
    number libphonenumber cannot read."""
    try:
        number = phonenumbers.parse(phone, "VN")
    except phonenumbers.NumberParseException as error:
        raise PermanentDeliveryError(f"unreadable phone number {masked(phone)}") from error
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number_format == "digits":
        return e164.removeprefix("+")
    if number_format == "national":
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return re.sub(r"\D", "", national)
    return e164


def _placeholders(message: TextMessage, number: str) -> dict[str, str]:
    return {
        "to": number,
        "text": message.text,
        "body": message.body,
        "subject": message.subject,
        "link": message.link,
        "reference": message.reference,
    }


class HttpSmsBackend:
    """A generic HTTP SMS gateway. Settings (from the environment, see the README):
    NOTICE_SMS_HTTP_URL, NOTICE_SMS_HTTP_METHOD (POST, PUT or GET), NOTICE_SMS_HTTP_USERNAME
    and NOTICE_SMS_HTTP_PASSWORD (basic auth) or NOTICE_SMS_HTTP_BEARER_TOKEN,
    NOTICE_SMS_HTTP_BODY (a template: JSON, or form fields a=b&c=d, with {to}, {text},
    {body}, {subject}, {link}, {reference}), NOTICE_SMS_HTTP_BODY_FORMAT (json or form),
    NOTICE_SMS_HTTP_ACCEPTED_STATUSES, NOTICE_SMS_HTTP_ACCEPTED_FIELD and
    NOTICE_SMS_HTTP_ACCEPTED_VALUE (a JSON field of the answer, dotted, and the value that
    means accepted), NOTICE_SMS_HTTP_MESSAGE_ID_FIELD (dotted), NOTICE_SMS_HTTP_IDEMPOTENCY_HEADER
    (a header carrying the notice's public id, for gateways that drop a repeated request),
    NOTICE_SMS_NUMBER_FORMAT (e164, digits or national), NOTICE_SMS_CONNECT_TIMEOUT and
    NOTICE_SMS_READ_TIMEOUT (seconds)."""

    provider = "sms gateway"

    def __init__(self, channel: str) -> None:
        self.channel = channel
        if not settings.NOTICE_SMS_HTTP_URL:
            raise ImproperlyConfigured("NOTICE_SMS_HTTP_URL is required by HttpSmsBackend.")

    def send(self, message: TextMessage) -> str:
        number = number_formatted(message.to, settings.NOTICE_SMS_NUMBER_FORMAT)
        values = _placeholders(message, number)
        method = settings.NOTICE_SMS_HTTP_METHOD.upper()
        headers = {"Accept": "application/json"}
        if settings.NOTICE_SMS_HTTP_BEARER_TOKEN:
            headers["Authorization"] = f"Bearer {settings.NOTICE_SMS_HTTP_BEARER_TOKEN}"
        elif settings.NOTICE_SMS_HTTP_USERNAME:
            headers.update(
                urllib3.make_headers(
                    basic_auth=f"{settings.NOTICE_SMS_HTTP_USERNAME}:"
                    f"{settings.NOTICE_SMS_HTTP_PASSWORD}"
                )
            )
        if settings.NOTICE_SMS_HTTP_IDEMPOTENCY_HEADER and message.reference:
            headers[settings.NOTICE_SMS_HTTP_IDEMPOTENCY_HEADER] = message.reference
        body: bytes | None = None
        fields: dict[str, str] | None = None
        template = settings.NOTICE_SMS_HTTP_BODY
        if settings.NOTICE_SMS_HTTP_BODY_FORMAT == "form":
            filled = [
                (name, _fill(value, values))
                for name, value in parse_qsl(template, keep_blank_values=True)
            ]
            if method == "GET":
                fields = dict(filled)  # urllib3 puts them in the query string
            else:
                body = urlencode(filled).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            filled_json = _fill_json(json.loads(template), values)
            body = json.dumps(filled_json, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        answer = _request(
            provider=self.provider,
            method=method,
            url=settings.NOTICE_SMS_HTTP_URL,
            headers=headers,
            body=body,
            fields=fields,
            connect_timeout=settings.NOTICE_SMS_CONNECT_TIMEOUT,
            read_timeout=settings.NOTICE_SMS_READ_TIMEOUT,
        )
        secrets = (message.to, number, settings.NOTICE_SMS_HTTP_BEARER_TOKEN)
        if answer.status not in settings.NOTICE_SMS_HTTP_ACCEPTED_STATUSES:
            raise PermanentDeliveryError(
                f"{self.provider} refused (HTTP {answer.status}): {answer.excerpt(*secrets)}"
            )
        document = answer.json()
        field = settings.NOTICE_SMS_HTTP_ACCEPTED_FIELD
        if field:
            value = _dotted(document, field)
            if value is None or str(value) != settings.NOTICE_SMS_HTTP_ACCEPTED_VALUE:
                raise PermanentDeliveryError(
                    f"{self.provider} refused ({field}={value}): {answer.excerpt(*secrets)}"
                )
        message_id = ""
        if settings.NOTICE_SMS_HTTP_MESSAGE_ID_FIELD:
            found = _dotted(document, settings.NOTICE_SMS_HTTP_MESSAGE_ID_FIELD)
            message_id = "" if found is None else str(found)[:100]
        logger.info(
            "notice.sms_accepted",
            extra={"to": masked(message.to), "reference": message.reference, "id": message_id},
        )
        return message_id


class ZaloZnsBackend:
    """Zalo Notification Service: a template message, approved by Zalo beforehand, to the
    Zalo account of a phone number. Settings: NOTICE_ZALO_ZNS_URL, NOTICE_ZALO_ACCESS_TOKEN
    (or NOTICE_ZALO_ACCESS_TOKEN_FILE, read at each send, for a token another process keeps
    fresh: an Official Account's access token lasts about 25 hours), NOTICE_ZALO_TEMPLATE_ID,
    NOTICE_ZALO_TEMPLATE_DATA (a JSON object, the template's parameters, with the same
    placeholders as the SMS body), NOTICE_ZALO_CONNECT_TIMEOUT, NOTICE_ZALO_READ_TIMEOUT.
    The notice's public id is the `tracking_id`, for reconciliation with Zalo's reports."""

    provider = "zalo zns"

    def __init__(self, channel: str) -> None:
        self.channel = channel
        if not settings.NOTICE_ZALO_TEMPLATE_ID:
            raise ImproperlyConfigured("NOTICE_ZALO_TEMPLATE_ID is required by ZaloZnsBackend.")

    @staticmethod
    def _access_token() -> str:
        path = settings.NOTICE_ZALO_ACCESS_TOKEN_FILE
        if path:
            try:
                with open(path, encoding="utf-8") as token_file:
                    return token_file.read().strip()
            except OSError as error:
                raise TransientDeliveryError(
                    f"zalo access token file unreadable: {type(error).__name__}"
                ) from error
        return str(settings.NOTICE_ZALO_ACCESS_TOKEN)

    def send(self, message: TextMessage) -> str:
        number = number_formatted(message.to, "digits")
        values = _placeholders(message, number)
        token = self._access_token()
        payload = {
            "phone": number,
            "template_id": settings.NOTICE_ZALO_TEMPLATE_ID,
            "template_data": _fill_json(json.loads(settings.NOTICE_ZALO_TEMPLATE_DATA), values),
            "tracking_id": message.reference,
        }
        answer = _request(
            provider=self.provider,
            method="POST",
            url=settings.NOTICE_ZALO_ZNS_URL,
            headers={
                "access_token": token,
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
            },
            body=json.dumps(payload, ensure_ascii=False).encode(),
            connect_timeout=settings.NOTICE_ZALO_CONNECT_TIMEOUT,
            read_timeout=settings.NOTICE_ZALO_READ_TIMEOUT,
        )
        secrets = (message.to, number, token)
        document = answer.json()
        if answer.status != 200 or not isinstance(document, dict):
            raise PermanentDeliveryError(
                f"{self.provider} refused (HTTP {answer.status}): {answer.excerpt(*secrets)}"
            )
        error_code = document.get("error")
        if error_code != 0:
            reason = " ".join(str(document.get("message", "")).split())[:200]
            raise PermanentDeliveryError(f"{self.provider} refused (error {error_code}): {reason}")
        found = _dotted(document, "data.msg_id")
        message_id = "" if found is None else str(found)[:100]
        logger.info(
            "notice.zalo_accepted",
            extra={"to": masked(message.to), "reference": message.reference, "id": message_id},
        )
        return message_id
