"""The real SMS and Zalo backends, over HTTP (see the package's docstring): a generic HTTP
SMS gateway and Zalo Notification Service template messages."""

import json
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import phonenumbers
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notices.channels.core import (
    PermanentDeliveryError,
    TextMessage,
    TransientDeliveryError,
    masked,
)

logger = logging.getLogger(__name__)

# The answer of a provider is read up to this many bytes (an answer is a few hundred).
ANSWER_MAX_BYTES = 64 * 1024
# HTTP statuses worth another try later: the provider is overloaded, down or slow.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_PLACEHOLDER = re.compile(r"\{(to|text|body|subject|link|reference)\}")

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
