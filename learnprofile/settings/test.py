"""The test suite: real PostgreSQL and Redis, fast password hashing, a separate Redis db."""

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, env

SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
NATIONAL_ID_HASH_KEY = "test-national-id-hash-key"
CREDENTIAL_KEY_ENCRYPTION_KEY = "test-credential-key-encryption-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests that need a worker start a real one; unit tests of task bodies run them in-process.
CELERY_TASK_ALWAYS_EAGER = False
CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="learnprofile-test")
# Rate limits are exercised by their own tests with explicit settings.
ACCOUNT_RATE_LIMITS = False  # type: ignore[assignment]
# The pool is process-wide; threads in concurrency tests each need their own connection.
DATABASES["default"]["OPTIONS"] = {}
