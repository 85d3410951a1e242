"""Production: refuses to start without its secrets; passes `check --deploy`."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SITE_DOMAIN, env


def _required(name: str) -> str:
    value: str = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} is required in production.")
    return value


DEBUG = False
ENVIRONMENT = "production"
SECRET_KEY = _required("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters with 5 distinct ones.")
NATIONAL_ID_HASH_KEY = _required("NATIONAL_ID_HASH_KEY")
CREDENTIAL_KEY_ENCRYPTION_KEY = _required("CREDENTIAL_KEY_ENCRYPTION_KEY")
_required("DATABASE_URL")
_required("REDIS_URL")
SITE_URL = env("SITE_URL", default=f"https://{SITE_DOMAIN}").rstrip("/")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
