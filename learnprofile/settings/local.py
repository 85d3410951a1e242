"""Developer machine: `make run`. Safe, visible defaults; never used in production."""

from .base import *  # noqa: F403
from .base import STORAGES as BASE_STORAGES
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-development-only-not-a-secret")
NATIONAL_ID_HASH_KEY = env("NATIONAL_ID_HASH_KEY", default="local-national-id-hash-key")
CREDENTIAL_KEY_ENCRYPTION_KEY = env(
    "CREDENTIAL_KEY_ENCRYPTION_KEY", default="local-credential-key-encryption-key"
)
STORAGES = {
    **BASE_STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
