"""Settings shared by every environment.

Everything that differs between machines comes from the environment (12-factor); the
defaults here are for a developer machine and are overridden or refused in production.
"""

from pathlib import Path
from urllib.parse import unquote

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

# Two groups of settings live in modules of their own, each whole: signing in, and notices.
from .accounts import *  # noqa: F403
from .notices import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ENVIRONMENT = env("ENVIRONMENT", default="development")
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "learnprofile.jobs",
    "learnprofile.audit",
    "learnprofile",
    "profiles",
    "notices",
    "courses",
    "credentials",
]

MIDDLEWARE = [
    "learnprofile.request_context.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside all the others but those two: every error under /api/ is the JSON envelope,
    # wherever it arose (and still carries the security headers).
    "learnprofile.api_errors.ApiErrorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, but no slash is appended under /api/ (a POST would lose its body).
    "learnprofile.middleware.CommonMiddleware",
    # Before anything reads request.GET/POST (CSRF is the first): text in NFC (decision 0009).
    "learnprofile.middleware.UnicodeNfcMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "profiles.middleware.LanguageMiddleware",
    # Inside the language choice: a page's 405 renders in the person's language.
    "learnprofile.middleware.MethodNotAllowedPageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "profiles.middleware.StaffMfaRequiredMiddleware",
]

ROOT_URLCONF = "learnprofile.urls"
WSGI_APPLICATION = "learnprofile.wsgi.application"
ASGI_APPLICATION = "learnprofile.asgi.application"
SITE_ID = 1
SITE_DOMAIN = env("SITE_DOMAIN", default="localhost:8000")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "profiles.context_processors.roles",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/learnprofile"
    ),
}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
# A Unix socket directory may be given percent-encoded as the host (postgres://u@%2Fpath/db).
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")
# psycopg 3's pool, managed by Django (5.1+); persistent connections must stay off with it.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"]["pool"] = {
    "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
    "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
    "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
}
# No JIT: compiling a query costs 20-30 ms whenever its estimate crosses jit_above_cost,
# longer than any page's queries run (PostgreSQL's docs advise it only for long analytics).
DATABASES["default"]["OPTIONS"]["options"] = " ".join(
    filter(None, [DATABASES["default"]["OPTIONS"].get("options"), "-c jit=off"])
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Short timeouts everywhere Redis is touched from a web request: a request must never hang
# because Redis is slow or gone.
REDIS_SOCKET_TIMEOUT_SECONDS = env.float("REDIS_SOCKET_TIMEOUT_SECONDS", default=1.0)

# How many reverse proxies of ours stand in front of the web process: the client address is
# then the one that many entries from the right of X-Forwarded-For (learnprofile/client_address.py).
# 0 (directly facing clients): the header is ignored. Production defaults to 1 (a TLS proxy).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# The default cache holds rate-limit counters (allauth, DRF throttles). It lives in
# PostgreSQL, not Redis: allauth's limiter fails closed, so a Redis outage would lock every
# citizen out of signing in. Redis stays the Celery broker, where an outage only delays work.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "learnprofile_cache",
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="learnprofile"),
        "OPTIONS": {"MAX_ENTRIES": 1_000_000, "CULL_FREQUENCY": 10},
    },
}

# --- Accounts: accounts.py (imported above) -----------------------------------------------

# --- Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "vendor"]
LANGUAGE_COOKIE_NAME = "learnprofile_language"
LANGUAGE_COOKIE_SECURE = env.bool("DJANGO_SECURE", default=False)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Ho_Chi_Minh"
# Dates, times and numbers for people, one way per language (learnprofile.formatting).
FORMAT_MODULE_PATH = ["learnprofile.formats"]
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Evidence files and data exports: never under MEDIA_ROOT, never served by a URL of their own.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/-/private-no-url/"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email --------------------------------------------------------------------------------

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=1025)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Only for EMAIL_BACKEND = django.core.mail.backends.filebased.EmailBackend (`make run` with no
# SMTP server): one file per email.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Hồ sơ học tập suốt đời <no-reply@learnprofile.local>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where links in emails sent by workers (no request at hand) point.
SITE_URL = env("SITE_URL", default=f"http://{SITE_DOMAIN}").rstrip("/")

# --- Secrets of the domain ----------------------------------------------------------------

# Key for the keyed hash of national ID numbers (HMAC-SHA256); never the number itself.
NATIONAL_ID_HASH_KEY = env("NATIONAL_ID_HASH_KEY", default="")
# Key that encrypts credential signing keys at rest (used by the credentials app).
CREDENTIAL_KEY_ENCRYPTION_KEY = env("CREDENTIAL_KEY_ENCRYPTION_KEY", default="")
# Verifying a credential of another host fetches its issuer's did:web document and its status
# list: HTTPS only, public addresses only, small answers, quickly, cached a few minutes.
# Tests lift the first two guards for a local server (settings.test never does).
CREDENTIAL_FETCH_ALLOW_PRIVATE = False
CREDENTIAL_FETCH_ALLOW_HTTP = False
CREDENTIAL_FETCH_TIMEOUT_SECONDS = env.float("CREDENTIAL_FETCH_TIMEOUT_SECONDS", default=3.0)
CREDENTIAL_FETCH_MAX_BYTES = 256 * 1024
CREDENTIAL_FETCH_CACHE_SECONDS = env.int("CREDENTIAL_FETCH_CACHE_SECONDS", default=300)

# --- The profile and the citizen's data rights --------------------------------------------

EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
EVIDENCE_MAX_FILES = 5
# Bumped when the privacy notice changes; each consent row records the version seen.
PRIVACY_NOTICE_VERSION = "2026-11"
ACCOUNT_DELETION_GRACE_DAYS = env.int("ACCOUNT_DELETION_GRACE_DAYS", default=14)
DATA_EXPORT_KEEP_DAYS = env.int("DATA_EXPORT_KEEP_DAYS", default=7)
# Decree 356/2025: acknowledge within 2 working days; we answer within 72 hours.
DATA_REQUEST_ACKNOWLEDGE_WORKING_DAYS = 2
DATA_REQUEST_COMPLETE_HOURS = 72
HOUSEHOLD_INVITATION_DAYS = 14

# --- Celery -------------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# Longer than any time limit, so a slow task is never redelivered while it still runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
    "max_retries": 0,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT_SECONDS
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_DEFAULT_QUEUE", default="default")
CELERY_WORKER_SEND_TASK_EVENTS = False
# Workers log through LOGGING below (JSON lines), not Celery's own root-logger setup.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The schedule lives in code; django-celery-beat's DatabaseScheduler syncs it into its tables.
CELERY_BEAT_SCHEDULE = {
    "jobs-reconcile": {
        "task": "learnprofile.jobs.tasks.jobs_reconcile_task",
        "schedule": env.float("JOBS_RECONCILE_EVERY_SECONDS", default=60.0),
    },
    "data-requests-process": {
        "task": "profiles.tasks.data_requests_process_task",
        "schedule": 300.0,
    },
    "credentials-sweep": {
        "task": "credentials.tasks.credentials_sweep_task",
        "schedule": crontab(minute=41),
    },
    "offerings-close-due": {
        "task": "courses.tasks.offerings_close_due_task",
        "schedule": crontab(minute=23),
    },
    "notifications-dispatch": {
        "task": "notices.tasks.notifications_dispatch_task",
        "schedule": 60.0,
    },
    "session-reminders-plan": {
        "task": "courses.tasks.session_reminders_plan_task",
        "schedule": 600.0,
    },
    "credentials-expiring-plan": {
        "task": "credentials.tasks.credentials_expiring_plan_task",
        "schedule": crontab(hour=8, minute=7),
    },
    "inactivity-nudges-plan": {
        "task": "courses.tasks.inactivity_nudges_plan_task",
        "schedule": crontab(day_of_week=6, hour=9, minute=13),
    },
    "jobs-purge-finished": {
        "task": "learnprofile.jobs.tasks.jobs_purge_finished_task",
        "schedule": crontab(hour=3, minute=17),
    },
}
# A pending job whose wake-up has not run after this long is published again.
JOBS_STALE_PENDING_SECONDS = env.int("JOBS_STALE_PENDING_SECONDS", default=120)
# A claimed job is given back after the hard time limit plus a margin (its worker died).
JOBS_STALE_RUNNING_SECONDS = CELERY_TASK_TIME_LIMIT + 60
# Notices (the outbox's timings, quiet hours, the SMS and Zalo channels): notices.py.
JOBS_KEEP_FINISHED_DAYS = env.int("JOBS_KEEP_FINISHED_DAYS", default=30)
WORKER_HEARTBEAT_KEY = "learnprofile:worker-heartbeat"
WORKER_HEARTBEAT_EVERY_SECONDS = 10
WORKER_HEARTBEAT_STALE_SECONDS = 45

# --- REST API -----------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated API call then gets 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        # DRF's, refusing a missing CSRF token in the person's language.
        "learnprofile.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "learnprofile.api_errors.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # The parser it selects gives NFC text, whatever parser a view names (decision 0009).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "learnprofile.middleware.NfcContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "learnprofile.api_schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "learnprofile.api_errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # By the client address of learnprofile/client_address.py, as every other limit.
    "DEFAULT_THROTTLE_CLASSES": [
        "learnprofile.throttling.AnonRateThrottle",
        "learnprofile.throttling.UserRateThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": "120/min",
        "user": "600/min",
        # Public credential verification: each call canonicalises and checks a signature.
        "credential_verify": env("CREDENTIAL_VERIFY_RATE", default="30/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LearnProfile API",
    "DESCRIPTION": "Hồ sơ học tập suốt đời: API v1",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Logging ------------------------------------------------------------------------------

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "learnprofile.request_context.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": "INFO"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Security defaults (tightened further in production) ----------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A form refused for its anti-forgery token: a page in the site's layout and language.
CSRF_FAILURE_VIEW = "learnprofile.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
