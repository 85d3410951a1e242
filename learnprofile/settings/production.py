"""Production: refuses to start without its secrets, with a weak, repeated or published one,
or with a wildcard in (or no host in) ALLOWED_HOSTS (learnprofile/checks.py); passes
`check --deploy`."""

from django.core.exceptions import ImproperlyConfigured

from learnprofile.checks import deployment_refuse

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, SITE_DOMAIN, env
from .notices import NOTICE_SMS_BACKEND, NOTICE_ZALO_BACKEND


def _required(name: str) -> str:
    value: str = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} is required in production.")
    return value


DEBUG = False
ENVIRONMENT = "production"
SECRET_KEY = _required("SECRET_KEY")
NATIONAL_ID_HASH_KEY = _required("NATIONAL_ID_HASH_KEY")
CREDENTIAL_KEY_ENCRYPTION_KEY = _required("CREDENTIAL_KEY_ENCRYPTION_KEY")
_required("DATABASE_URL")
_required("REDIS_URL")
SITE_URL = env("SITE_URL", default=f"https://{SITE_DOMAIN}").rstrip("/")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind that TLS proxy every request comes from the proxy: the client is the entry it appends
# to X-Forwarded-For (learnprofile/client_address.py). 0 when gunicorn faces clients directly
# (docker-compose.yml), 2 behind a load balancer and a TLS proxy: one per proxy of ours.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# SMS and Zalo: unset means the channel is off (nobody is offered it). The in-memory backend
# sends nothing while marking messages sent, so it is refused; a real one needs its settings.
for _setting, _backend in (
    ("NOTICE_SMS_BACKEND", NOTICE_SMS_BACKEND),
    ("NOTICE_ZALO_BACKEND", NOTICE_ZALO_BACKEND),
):
    if _backend.strip().rsplit(".", 1)[-1] == "RecordingBackend":
        raise ImproperlyConfigured(
            f"{_setting} names RecordingBackend, which keeps messages in memory and sends "
            "nothing: unset it to switch the channel off, or name a real backend."
        )
    if _backend.strip().startswith("profiles.channels."):
        # The backends moved with the outbox to the notices app.
        raise ImproperlyConfigured(
            f"{_setting} names {_backend.strip()}: the backends are in notices.channels now."
        )
if NOTICE_SMS_BACKEND.strip() == "notices.channels.HttpSmsBackend":
    _required("NOTICE_SMS_HTTP_URL")
if NOTICE_ZALO_BACKEND.strip() == "notices.channels.ZaloZnsBackend":
    _required("NOTICE_ZALO_TEMPLATE_ID")
    if not env("NOTICE_ZALO_ACCESS_TOKEN", default="") and not env(
        "NOTICE_ZALO_ACCESS_TOKEN_FILE", default=""
    ):
        raise ImproperlyConfigured(
            "NOTICE_ZALO_ACCESS_TOKEN or NOTICE_ZALO_ACCESS_TOKEN_FILE is required in production."
        )

# Last, on the final values: every process started with these settings (gunicorn, Celery,
# any manage.py command) exits here, naming each wrong setting; none of them serves a request.
deployment_refuse(globals())
