"""The core of the delivery channels: which are available, the errors and message shape a
backend uses, delivery of one notice, and the in-memory backend of the tests (see the
package's docstring)."""

import logging
import smtplib
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from learnprofile.errors import DomainError
from notices.data import NoticeChannel
from profiles import api as profiles_api
from profiles.data import PersonData

logger = logging.getLogger(__name__)


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
    connection: BaseEmailBackend | None = None,
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
