"""A real Celery worker pool for the benchmarks (prefork, its own process group)."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def worker_pool(
    *, queues: str, concurrency: int, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "learnprofile",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--queues",
            queues,
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=BASE_DIR,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
