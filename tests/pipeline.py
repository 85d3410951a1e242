"""Real parts for the job pipeline tests: an SMTP server, a Celery worker, a dead broker."""

import contextlib
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from django.db import connection

from learnprofile.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpInbox:
    messages: list[Message] = field(default_factory=list)
    # Addresses this server refuses for good ("550 no such user").
    refused: set[str] = field(default_factory=set)
    # SMTP sessions opened (one EHLO each).
    sessions: int = 0

    async def handle_EHLO(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[SmtpInbox, int]]:
    inbox = SmtpInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    if host.startswith("/"):
        from urllib.parse import quote

        host = quote(host, safe="")
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{settings['NAME']}"


@contextlib.contextmanager
def celery_worker(
    *,
    smtp_port: int = 1,
    concurrency: int = 0,
    extra_env: dict[str, str] | None = None,
    queues: str = "default,email,signing",
) -> Iterator[subprocess.Popen[bytes]]:
    """A real worker process on the test database and the test broker: one process (solo
    pool), or a prefork pool of `concurrency` children. Its process group is its own, so a
    test can kill all of it at once."""
    environment = dict(os.environ)
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "learnprofile.settings.test",
            "DATABASE_URL": test_database_url(),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
    )
    pool = ["--pool", "prefork", "--concurrency", str(concurrency)] if concurrency else []
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "learnprofile",
            "worker",
            *(pool or ["--pool", "solo"]),
            "--queues",
            queues,
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # children left behind, if any


@contextlib.contextmanager
def broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at another broker, then back."""
    original = celery_app.conf.broker_url

    def switch(to: str) -> None:
        # Drop the references; closing them would also close kombu's shared producer pools.
        celery_app.conf.broker_url = to
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    switch(url)
    try:
        yield
    finally:
        switch(original)


@dataclass
class DeadBroker:
    """A local port standing in for a broker that is down; counts the connections made to it.

    `connections` is exact once the `dead_broker` block has exited (connections still waiting
    in the listen backlog are counted then too).
    """

    url: str
    outage: str
    connections: int = 0


@contextlib.contextmanager
def dead_broker(outage: str) -> Iterator[DeadBroker]:
    """Point this process's Celery app at a broker that is down, then back.

    `outage` is "refused" (every connection is answered at once with a TCP reset, the way a
    client sees a port nobody serves) or "hanging" (connections are accepted and never
    answered, so the client waits for its socket timeout). Unlike a closed port, this one
    counts the attempts: a test asserts how often the request tried the broker (no retry loop)
    instead of how long it took, which depends on how busy the machine is.
    """
    if outage not in ("refused", "hanging"):
        raise ValueError(f"unknown outage: {outage!r}")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    dead = DeadBroker(url=f"redis://127.0.0.1:{listener.getsockname()[1]}/0", outage=outage)
    stop = threading.Event()

    def answer(connection_: socket.socket) -> None:
        dead.connections += 1
        if outage == "refused":
            # Linger 0: close() sends a reset, not a polite end of stream.
            connection_.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection_.close()
        else:
            held.append(connection_)

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                answer(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        with broker(dead.url):
            yield dead
    finally:
        stop.set()
        thread.join()
        listener.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while True:
                answer(listener.accept()[0])
        for connection_ in held:
            connection_.close()
        listener.close()


def wait_until(condition: Callable[[], bool], *, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def wait_for_progress(
    remaining: Callable[[], int], *, label: str, stall_seconds: float = 90.0
) -> int:
    """Wait until `remaining()` (units of work left, e.g. credentials still to sign) is 0.

    The wait scales with the work left, not with a wall-clock figure a busy machine misses: it
    gives up only when `remaining()` has not gone down for `stall_seconds`, and prints its
    progress (to pytest's captured output) each time it does. Returns what is left at the end:
    0 when the work is done, more when it stalled.
    """
    left = remaining()
    last_progress = time.monotonic()
    started = last_progress
    while left > 0 and time.monotonic() - last_progress < stall_seconds:
        time.sleep(0.2)
        now_left = remaining()
        if now_left < left:
            last_progress = time.monotonic()
            print(f"[{label}] {now_left} left after {last_progress - started:.0f} s", flush=True)
        left = now_left
    return left
