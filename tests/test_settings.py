"""Production settings: refuse to start without secrets, with weak, repeated or published ones
or a wildcard host (in every process: manage.py, gunicorn, Celery); pass `check --deploy`."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from learnprofile.checks import deployment_check, secret_weakness

BASE_DIR = Path(__file__).resolve().parent.parent

# Generated for each run, as an operator would: a secret written here would be a published one.
PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "learnprofile.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "NATIONAL_ID_HASH_KEY": secrets.token_urlsafe(48),
    "CREDENTIAL_KEY_ENCRYPTION_KEY": secrets.token_urlsafe(48),
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/learnprofile",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "hocsuotdoi.example.vn",
}


def manage(*arguments: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENVIRONMENT}
    clean.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_with_no_warning() -> None:
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=PRODUCTION_ENVIRONMENT
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "NATIONAL_ID_HASH_KEY", "CREDENTIAL_KEY_ENCRYPTION_KEY", "DATABASE_URL"],
)
def test_production_settings_refuse_to_start_without_a_secret(missing: str) -> None:
    environment = {key: value for key, value in PRODUCTION_ENVIRONMENT.items() if key != missing}

    result = manage("check", environment=environment)

    assert result.returncode != 0
    assert f"The environment variable {missing} is required in production." in result.stderr


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("SECRET_KEY", "short", "learnprofile.E001 SECRET_KEY is too weak"),
        ("NATIONAL_ID_HASH_KEY", "x", "learnprofile.E001 NATIONAL_ID_HASH_KEY is too weak"),
        (
            "CREDENTIAL_KEY_ENCRYPTION_KEY",
            "x",
            "learnprofile.E001 CREDENTIAL_KEY_ENCRYPTION_KEY is too weak",
        ),
        (
            "NATIONAL_ID_HASH_KEY",
            "local-national-id-hash-key",
            "learnprofile.E002 NATIONAL_ID_HASH_KEY is a value written in this repository",
        ),
        (
            "CREDENTIAL_KEY_ENCRYPTION_KEY",
            PRODUCTION_ENVIRONMENT["NATIONAL_ID_HASH_KEY"],
            "learnprofile.E003 CREDENTIAL_KEY_ENCRYPTION_KEY is the same secret as "
            "NATIONAL_ID_HASH_KEY",
        ),
        ("ALLOWED_HOSTS", "*", "learnprofile.E004 ALLOWED_HOSTS contains a wildcard"),
    ],
    # Fixed ids (one value is a random secret): pytest-xdist's workers must collect the same names.
    ids=[
        "weak-secret-key",
        "weak-national-id-hash-key",
        "weak-credential-key-encryption-key",
        "repository-national-id-hash-key",
        "credential-key-same-as-national-id-hash-key",
        "wildcard-allowed-hosts",
    ],
)
def test_production_settings_refuse_to_start_naming_the_wrong_setting(
    setting: str, value: str, message: str
) -> None:
    result = manage("migrate", "--check", environment={**PRODUCTION_ENVIRONMENT, setting: value})

    assert result.returncode != 0
    assert "The production settings refuse to start:" in result.stderr
    assert message in result.stderr


def test_the_refusal_never_shows_the_secret() -> None:
    weak = "hoa-sen-2026-mat-khau"
    result = manage("check", environment={**PRODUCTION_ENVIRONMENT, "NATIONAL_ID_HASH_KEY": weak})

    assert "learnprofile.E001 NATIONAL_ID_HASH_KEY is too weak" in result.stderr
    assert weak not in result.stdout + result.stderr


def test_production_settings_refuse_a_weak_key_under_gunicorn(tmp_path: Path) -> None:
    environment = {
        key: value for key, value in os.environ.items() if key not in PRODUCTION_ENVIRONMENT
    }
    environment.update({**PRODUCTION_ENVIRONMENT, "NATIONAL_ID_HASH_KEY": "x"})

    # A Unix socket: the master binds it, the worker loads the application and fails.
    result = subprocess.run(
        [
            *(sys.executable, "-m", "gunicorn", "learnprofile.wsgi", "--workers", "1"),
            *("--bind", f"unix:{tmp_path / 'web.sock'}"),
        ],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "learnprofile.E001 NATIONAL_ID_HASH_KEY is too weak" in result.stderr


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_production_settings_refuse_a_weak_key_under_celery(command: str, tmp_path: Path) -> None:
    environment = {
        key: value for key, value in os.environ.items() if key not in PRODUCTION_ENVIRONMENT
    }
    environment.update({**PRODUCTION_ENVIRONMENT, "CREDENTIAL_KEY_ENCRYPTION_KEY": "x"})

    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "learnprofile", command, "--loglevel", "ERROR"]
        + (["--pool", "solo"] if command == "worker" else ["--schedule", str(tmp_path / "b")]),
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "learnprofile.E001 CREDENTIAL_KEY_ENCRYPTION_KEY is too weak" in result.stderr


# --- The check itself, on the settings in use ----------------------------------------------

STRONG = {
    "SECRET_KEY": secrets.token_urlsafe(48),
    "NATIONAL_ID_HASH_KEY": secrets.token_hex(32),
    "CREDENTIAL_KEY_ENCRYPTION_KEY": secrets.token_urlsafe(32),
    "ALLOWED_HOSTS": ["hocsuotdoi.example.vn", ".hocsuotdoi.example.vn"],
}


def _check_with(settings, **values: object) -> list[tuple[str | None, str]]:
    for name, value in {**STRONG, **values}.items():
        setattr(settings, name, value)
    return [(error.id, error.msg) for error in deployment_check()]


def test_strong_distinct_keys_and_named_hosts_pass_the_check(settings) -> None:
    assert _check_with(settings) == []


@pytest.mark.parametrize(
    "value",
    [
        "x",
        "x" * 64,
        "ab" * 32,
        "0123456789abcdef" * 4,
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    ],
    ids=["one-character", "one-character-repeated", "two-characters", "hex-run", "alphabet"],
)
def test_a_weak_national_id_hash_key_is_named_by_the_check(settings, value: str) -> None:
    errors = _check_with(settings, NATIONAL_ID_HASH_KEY=value)

    assert [(error_id, message.split(":")[0]) for error_id, message in errors] == [
        ("learnprofile.E001", "NATIONAL_ID_HASH_KEY is too weak")
    ]


def test_a_secret_key_under_djangos_fifty_characters_is_named_by_the_check(settings) -> None:
    errors = _check_with(settings, SECRET_KEY=secrets.token_urlsafe(32))

    assert errors == [
        (
            "learnprofile.E001",
            "SECRET_KEY is too weak: Django asks for at least 50 characters.",
        )
    ]


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("SECRET_KEY", "local-development-only-not-a-secret"),
        ("SECRET_KEY", "test-only-not-a-secret"),
        # A fixed id: pytest-xdist's workers must collect the same names.
        pytest.param(
            "SECRET_KEY",
            "django-insecure-" + secrets.token_urlsafe(48),
            id="SECRET_KEY-django-insecure-random",
        ),
        ("NATIONAL_ID_HASH_KEY", "local-national-id-hash-key"),
        ("CREDENTIAL_KEY_ENCRYPTION_KEY", "test-credential-key-encryption-key"),
        ("SECRET_KEY", "compose-only-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"),
    ],
)
def test_a_development_default_is_named_by_the_check(settings, setting: str, value: str) -> None:
    errors = _check_with(settings, **{setting: value})

    assert [error_id for error_id, _ in errors] == ["learnprofile.E002"]
    assert errors[0][1].startswith(f"{setting} is a value written in this repository")


def test_every_secret_of_the_development_and_test_settings_is_refused() -> None:
    from learnprofile.checks import PUBLISHED_SECRETS, SECRET_SETTINGS

    environment = {key: value for key, value in os.environ.items() if key not in STRONG}
    code = "import json, learnprofile.settings.{0} as s; print(json.dumps([getattr(s, n) for n in {1!r}]))"
    for module in ("local", "test"):
        result = subprocess.run(
            [sys.executable, "-c", code.format(module, SECRET_SETTINGS)],
            cwd=BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        values = json.loads(result.stdout)

        assert set(values) <= PUBLISHED_SECRETS, module
        assert all(secret_weakness(value) is not None for value in values), module


@pytest.mark.parametrize(
    ("setting", "other"),
    [
        ("CREDENTIAL_KEY_ENCRYPTION_KEY", "SECRET_KEY"),
        ("NATIONAL_ID_HASH_KEY", "SECRET_KEY"),
        ("EMAIL_HOST_PASSWORD", "NATIONAL_ID_HASH_KEY"),
    ],
)
def test_a_repeated_secret_is_named_by_the_check(settings, setting: str, other: str) -> None:
    errors = _check_with(settings, **{setting: STRONG[other]})

    assert errors == [
        (
            "learnprofile.E003",
            f"{setting} is the same secret as {other}: each key has one purpose, so that one "
            "leaked or rotated does not expose or break the others.",
        )
    ]


@pytest.mark.parametrize("copy", ["  {key}  ", "{key}x", "x{key}", "{key}\n"])
def test_a_copy_of_a_secret_with_something_around_it_is_named_by_the_check(
    settings, copy: str
) -> None:
    errors = _check_with(settings, NATIONAL_ID_HASH_KEY=copy.format(key=STRONG["SECRET_KEY"]))

    assert [error_id for error_id, _ in errors] == ["learnprofile.E003"]
    assert errors[0][1].startswith("NATIONAL_ID_HASH_KEY is the same secret as SECRET_KEY")


@pytest.mark.parametrize("hosts", [[], [""], ["  "]])
def test_no_host_in_allowed_hosts_is_named_by_the_check(settings, hosts: list[str]) -> None:
    errors = _check_with(settings, ALLOWED_HOSTS=hosts)

    assert [error_id for error_id, _ in errors] == ["learnprofile.E005"]
    assert errors[0][1].startswith("ALLOWED_HOSTS is empty")


def test_two_equal_credentials_of_other_services_are_not_ours_to_refuse(settings) -> None:
    password = secrets.token_urlsafe(16)

    errors = _check_with(settings, EMAIL_HOST_PASSWORD=password, NOTICE_SMS_HTTP_PASSWORD=password)

    assert errors == []


@pytest.mark.parametrize("hosts", [["*"], ["hocsuotdoi.example.vn", "*"], ["*.example.vn"]])
def test_a_wildcard_in_allowed_hosts_is_named_by_the_check(settings, hosts: list[str]) -> None:
    errors = _check_with(settings, ALLOWED_HOSTS=hosts)

    assert [error_id for error_id, _ in errors] == ["learnprofile.E004"]
    assert errors[0][1].startswith("ALLOWED_HOSTS contains a wildcard")


def test_check_deploy_names_the_development_defaults_of_the_local_settings() -> None:
    environment = {key: value for key, value in os.environ.items() if key not in STRONG}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--settings",
            "learnprofile.settings.local",
        ],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    for setting in ("SECRET_KEY", "NATIONAL_ID_HASH_KEY", "CREDENTIAL_KEY_ENCRYPTION_KEY"):
        assert f"(learnprofile.E002) {setting} is a value written in this repository" in (
            result.stderr
        )


def test_seed_demo_refuses_to_run_with_production_settings() -> None:
    result = manage("seed_demo", environment=PRODUCTION_ENVIRONMENT)

    assert result.returncode != 0
    assert "seed_demo refuses to run with production settings." in result.stderr


def test_every_beat_entry_names_a_task_the_worker_knows() -> None:
    from django.conf import settings

    from learnprofile.celery import app

    app.loader.import_default_modules()
    unknown = [
        entry["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] not in app.tasks
    ]
    assert len(settings.CELERY_BEAT_SCHEDULE) >= 9
    assert unknown == []
