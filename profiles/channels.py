"""Delivery channels of notices: email now; SMS and Zalo through a small backend interface.

A backend is a class with `send(*, to, text)`, named by a setting (`NOTICE_SMS_BACKEND`,
`NOTICE_ZALO_BACKEND`); a real provider is one adapter. The default `RecordingBackend` keeps
messages in memory and logs them, for development and tests.
"""

import logging
import smtplib
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from profiles.data import NoticeChannel

logger = logging.getLogger(__name__)


class PermanentDeliveryError(Exception):
    """The channel refused the message for good (an address that does not exist)."""


class TransientDeliveryError(Exception):
    """The channel cannot take the message now (a provider's outage): try again later."""


class TextBackend(Protocol):
    def send(self, *, to: str, text: str) -> None: ...


class RecordingBackend:
    """Keeps what would have been sent: `RecordingBackend.outbox` (development and tests)."""

    outbox: list[dict[str, str]] = []

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, *, to: str, text: str) -> None:
        RecordingBackend.outbox.append({"channel": self.channel, "to": to, "text": text})
        logger.info("notice.recorded", extra={"channel": self.channel, "to": to[-3:]})


def _backend(channel: str) -> Any:
    path = {
        NoticeChannel.SMS: getattr(settings, "NOTICE_SMS_BACKEND", ""),
        NoticeChannel.ZALO: getattr(settings, "NOTICE_ZALO_BACKEND", ""),
    }.get(NoticeChannel(channel), "")
    backend_class = import_string(path) if path else RecordingBackend
    return backend_class(channel)


def deliver(
    *,
    channel: str,
    recipient: Any,
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str,
    connection: Any = None,
) -> None:
    """Hand one notice to its channel (email through `connection`, one per chunk, when
    given). Raises PermanentDeliveryError, or a transient error (the job retries)."""
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
        return
    phone = getattr(getattr(recipient, "citizen_profile", None), "phone", "")
    if not phone:
        raise PermanentDeliveryError("no phone number")
    _backend(channel).send(to=phone, text=f"{text} {unsubscribe_url}")
