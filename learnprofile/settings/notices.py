"""Notices: when the outbox sends again and gives up, reminder hours, quiet hours, and the
SMS and Zalo channels (a backend each, off when unset). Part of base.py."""

import environ

env = environ.Env()

# Notices: a row whose sending job never finished it is handed to a new job after this long;
# a row fails for good (an administrator may retry it) after this many transient failures.
NOTICE_REDISPATCH_SECONDS = env.int("NOTICE_REDISPATCH_SECONDS", default=6 * 3600)
NOTICE_MAX_ATTEMPTS = env.int("NOTICE_MAX_ATTEMPTS", default=8)
# Session reminders go this many hours before the session (24 h and 2 h by default).
NOTICE_REMINDER_HOURS = tuple(env.list("NOTICE_REMINDER_HOURS", cast=int, default=[24, 2]))
# No SMS or Zalo notice from the first time until the second, local time.
NOTICE_QUIET_HOURS = (
    env("NOTICE_QUIET_FROM", default="21:00"),
    env("NOTICE_QUIET_UNTIL", default="07:00"),
)
# SMS and Zalo: a backend class each; unset, the channel is off (not offered to anyone).
# Real ones: notices.channels.HttpSmsBackend and notices.channels.ZaloZnsBackend, configured
# below; production refuses notices.channels.RecordingBackend (it sends nothing).
NOTICE_SMS_BACKEND = env("NOTICE_SMS_BACKEND", default="")
NOTICE_ZALO_BACKEND = env("NOTICE_ZALO_BACKEND", default="")
# A generic HTTP SMS gateway (notices.channels.HttpSmsBackend). The body is a template, JSON
# or form fields (a=b&c=d), with the placeholders {to} {text} {body} {subject} {link}
# {reference}; {text} is the words and the unsubscribe link, {reference} the notice's id.
NOTICE_SMS_HTTP_URL = env("NOTICE_SMS_HTTP_URL", default="")
NOTICE_SMS_HTTP_METHOD = env("NOTICE_SMS_HTTP_METHOD", default="POST")
NOTICE_SMS_HTTP_USERNAME = env("NOTICE_SMS_HTTP_USERNAME", default="")
NOTICE_SMS_HTTP_PASSWORD = env("NOTICE_SMS_HTTP_PASSWORD", default="")
NOTICE_SMS_HTTP_BEARER_TOKEN = env("NOTICE_SMS_HTTP_BEARER_TOKEN", default="")
NOTICE_SMS_HTTP_BODY = env(
    "NOTICE_SMS_HTTP_BODY",
    default='{"to": "{to}", "message": "{text}", "reference": "{reference}"}',
)
NOTICE_SMS_HTTP_BODY_FORMAT = env("NOTICE_SMS_HTTP_BODY_FORMAT", default="json")
NOTICE_SMS_HTTP_ACCEPTED_STATUSES = tuple(
    env.list("NOTICE_SMS_HTTP_ACCEPTED_STATUSES", cast=int, default=[200, 201, 202])
)
# Optionally, a JSON field of the answer (dotted: "result.status") and the value meaning
# "accepted"; any other value is a refusal.
NOTICE_SMS_HTTP_ACCEPTED_FIELD = env("NOTICE_SMS_HTTP_ACCEPTED_FIELD", default="")
NOTICE_SMS_HTTP_ACCEPTED_VALUE = env("NOTICE_SMS_HTTP_ACCEPTED_VALUE", default="")
NOTICE_SMS_HTTP_MESSAGE_ID_FIELD = env("NOTICE_SMS_HTTP_MESSAGE_ID_FIELD", default="")
# A header carrying the notice's id, for gateways that drop a request they saw before.
NOTICE_SMS_HTTP_IDEMPOTENCY_HEADER = env("NOTICE_SMS_HTTP_IDEMPOTENCY_HEADER", default="")
# e164 (+84912345678), digits (84912345678) or national (0912345678).
NOTICE_SMS_NUMBER_FORMAT = env("NOTICE_SMS_NUMBER_FORMAT", default="e164")
NOTICE_SMS_CONNECT_TIMEOUT = env.float("NOTICE_SMS_CONNECT_TIMEOUT", default=5.0)
NOTICE_SMS_READ_TIMEOUT = env.float("NOTICE_SMS_READ_TIMEOUT", default=15.0)
# Zalo Notification Service (notices.channels.ZaloZnsBackend): one approved template whose
# parameters are filled from NOTICE_ZALO_TEMPLATE_DATA (JSON, same placeholders).
NOTICE_ZALO_ZNS_URL = env(
    "NOTICE_ZALO_ZNS_URL", default="https://business.openapi.zalo.me/message/template"
)
NOTICE_ZALO_ACCESS_TOKEN = env("NOTICE_ZALO_ACCESS_TOKEN", default="")
NOTICE_ZALO_ACCESS_TOKEN_FILE = env("NOTICE_ZALO_ACCESS_TOKEN_FILE", default="")
NOTICE_ZALO_TEMPLATE_ID = env("NOTICE_ZALO_TEMPLATE_ID", default="")
NOTICE_ZALO_TEMPLATE_DATA = env(
    "NOTICE_ZALO_TEMPLATE_DATA", default='{"content": "{body}", "link": "{link}"}'
)
NOTICE_ZALO_CONNECT_TIMEOUT = env.float("NOTICE_ZALO_CONNECT_TIMEOUT", default=5.0)
NOTICE_ZALO_READ_TIMEOUT = env.float("NOTICE_ZALO_READ_TIMEOUT", default=15.0)
