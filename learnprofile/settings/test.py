"""The test suite: real PostgreSQL and Redis, fast password hashing, a separate Redis db."""

from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env

SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
NATIONAL_ID_HASH_KEY = "test-national-id-hash-key"
CREDENTIAL_KEY_ENCRYPTION_KEY = "test-credential-key-encryption-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "test-private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/-/private-no-url/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests that need a worker start a real one; unit tests of task bodies run them in-process.
CELERY_TASK_ALWAYS_EAGER = False
# Rate limits are exercised by their own tests with explicit settings.
ACCOUNT_RATE_LIMITS = False  # type: ignore[assignment]
# The pool is process-wide; threads in concurrency tests each need their own connection.
DATABASES["default"]["OPTIONS"].pop("pool", None)

# A Redis database of its own for the test broker, so a developer's `make run` worker never
# takes a test's message (and the reverse). Under pytest-xdist each worker (gw0, gw1, ...)
# takes the next database, as pytest-django gives each its own PostgreSQL database; the
# Celery workers a test starts inherit PYTEST_XDIST_WORKER and so find the same one.
_redis = urlsplit(env("REDIS_URL", default="redis://127.0.0.1:6379/0"))
_xdist_worker = env("PYTEST_XDIST_WORKER", default="")
_redis_db = env.int("TEST_REDIS_DB", default=9) + int(_xdist_worker.removeprefix("gw") or 0)
CELERY_BROKER_URL = urlunsplit(_redis._replace(path=f"/{_redis_db % 16}"))
WORKER_HEARTBEAT_KEY = "learnprofile-test:worker-heartbeat"
# The worker started by the pipeline tests sends through a real SMTP server they start.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
# SMS and Zalo are kept in memory (notices.channels.RecordingBackend) unless a test sets a
# real backend; only here: production refuses it and development leaves the channels off.
NOTICE_SMS_BACKEND = env("NOTICE_SMS_BACKEND", default="notices.channels.RecordingBackend")
NOTICE_ZALO_BACKEND = env("NOTICE_ZALO_BACKEND", default="notices.channels.RecordingBackend")
