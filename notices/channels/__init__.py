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

from notices.channels.core import ChannelNotAvailable as ChannelNotAvailable
from notices.channels.core import PermanentDeliveryError as PermanentDeliveryError
from notices.channels.core import RecordingBackend as RecordingBackend
from notices.channels.core import TextBackend as TextBackend
from notices.channels.core import TextMessage as TextMessage
from notices.channels.core import TransientDeliveryError as TransientDeliveryError
from notices.channels.core import channel_is_available as channel_is_available
from notices.channels.core import channel_require as channel_require
from notices.channels.core import channels_available as channels_available
from notices.channels.core import deliver as deliver
from notices.channels.core import masked as masked

# The backends are named by these dotted paths in the settings (notices.channels.<Class>).
from notices.channels.http_backends import HttpSmsBackend as HttpSmsBackend
from notices.channels.http_backends import ZaloZnsBackend as ZaloZnsBackend
from notices.channels.http_backends import number_formatted as number_formatted
