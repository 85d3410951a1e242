"""Production settings: refuse to start without secrets; pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "learnprofile.settings.production",
    "SECRET_KEY": "p" + "rod-secret-key-for-the-check-only-0123456789-abcdefghijklmnop",
    "NATIONAL_ID_HASH_KEY": "national-id-hash-key-for-the-check",
    "CREDENTIAL_KEY_ENCRYPTION_KEY": "credential-key-encryption-key-for-the-check",
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


def test_production_settings_refuse_a_short_secret_key() -> None:
    result = manage("check", environment={**PRODUCTION_ENVIRONMENT, "SECRET_KEY": "short"})

    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


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
