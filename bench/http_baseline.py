"""HTTP baseline: requests per second under gunicorn on this machine.

Three pages: a trivial one (/robots.txt: no database), a database-backed one (the ward
picker: one indexed query) and the home page (templates, i18n, session and CSRF middleware).
gunicorn runs the production settings (DEBUG off) with sync workers; the load comes from
client processes on the same machine, so compare the ratios, not the absolute figures.
Later benchmarks compare against these.

Before measuring, it waits for gunicorn to answer /healthz (up to BENCH_GUNICORN_READY_SECONDS,
default 120 s) and warms every worker with requests that may each take up to
BENCH_WARMUP_TIMEOUT_SECONDS (default 120 s): a loaded machine boots workers slowly. Both
waits are printed and reported (`gunicorn_ready_s`, `gunicorn_warm_s`).
Sizes: BENCH_SECONDS (per page, default 8), BENCH_CLIENTS (4), BENCH_GUNICORN_WORKERS (2 x cores + 1).
"""

import http.client
import multiprocessing
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _report import figure, figures, phase, run

BASE_DIR = Path(__file__).resolve().parent.parent
DURATION_SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
READY_SECONDS = float(os.environ.get("BENCH_GUNICORN_READY_SECONDS", "120"))
WARMUP_TIMEOUT_SECONDS = float(os.environ.get("BENCH_WARMUP_TIMEOUT_SECONDS", "120"))
REQUEST_TIMEOUT_SECONDS = 60
PAGES = {
    "trivial": "/robots.txt",
    "database": "/places/wards/?ward_query=hoan+kiem",
    "home": "/",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(port: int, path: str, timeout: float) -> int:
    """One GET on a new connection; returns the HTTP status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def client_loop(
    port: int, path: str, deadline: float, results: "multiprocessing.Queue[list[float] | str]"
) -> None:
    """Puts the latencies (s), or the error as text: the parent must never wait forever."""
    latencies: list[float] = []
    try:
        while time.monotonic() < deadline:
            started = time.monotonic()
            status = get(port, path, REQUEST_TIMEOUT_SECONDS)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            latencies.append(time.monotonic() - started)
    except Exception as error:
        results.put(f"{type(error).__name__}: {error}")
        return
    results.put(latencies)


def measure(port: int, path: str) -> dict[str, float]:
    results: multiprocessing.Queue[list[float] | str] = multiprocessing.Queue()
    deadline = time.monotonic() + DURATION_SECONDS
    clients = [
        multiprocessing.Process(target=client_loop, args=(port, path, deadline, results))
        for _ in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    answers = [results.get() for _ in clients]
    for client in clients:
        client.join()
    errors = [answer for answer in answers if isinstance(answer, str)]
    if errors:
        raise RuntimeError(f"{len(errors)} of {len(clients)} clients failed: {errors[0]}")
    latencies = [latency for answer in answers if isinstance(answer, list) for latency in answer]
    latencies.sort()
    return {
        "requests_per_second": round(len(latencies) / DURATION_SECONDS, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2),
        "requests": len(latencies),
    }


def gunicorn_measure(pages: dict[str, str]) -> dict[str, dict[str, float]]:
    """Start gunicorn with the production settings, warm it, and measure each page.

    Prints and reports `<page>_rps`, `<page>_p50_ms` and `<page>_p95_ms` for each page as it
    is measured; raises RuntimeError if gunicorn exits, is not ready in READY_SECONDS, or a
    page does not answer 200.
    """
    port = free_port()
    environment = dict(os.environ)
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "learnprofile.settings.production",
            # Production refuses weak, repeated or published keys: fresh ones for each run.
            "SECRET_KEY": secrets.token_urlsafe(48),
            "NATIONAL_ID_HASH_KEY": secrets.token_urlsafe(48),
            "CREDENTIAL_KEY_ENCRYPTION_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    phase("gunicorn: migrate and collectstatic")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=environment,
        check=True,
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=environment,
        check=True,
    )
    phase(f"gunicorn: start {WORKERS} workers")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "learnprofile.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=environment,
    )
    try:
        wait_until_ready(server, port)
        phase("gunicorn: warm every worker")
        started = time.monotonic()
        for path in pages.values():  # warm every worker's caches
            for _ in range(WORKERS * 3):
                get(port, path, WARMUP_TIMEOUT_SECONDS)
        figure("gunicorn_warm_s", round(time.monotonic() - started, 1), "s")
        measured = {}
        for name, path in pages.items():
            phase(f"gunicorn: measure {name} ({path})")
            row = measure(port, path)
            figure(f"{name}_rps", row["requests_per_second"], "req/s")
            figure(f"{name}_p50_ms", row["p50_ms"], "ms")
            figure(f"{name}_p95_ms", row["p95_ms"], "ms")
            measured[name] = row
    finally:
        server.terminate()
        server.wait(timeout=30)
    return measured


def wait_until_ready(server: subprocess.Popen[bytes], port: int) -> None:
    """Poll /healthz until gunicorn answers it (any status), up to READY_SECONDS."""
    phase(f"gunicorn: wait for /healthz (up to {READY_SECONDS:.0f} s)")
    started = time.monotonic()
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            get(port, "/healthz", 5)
            break
        except (OSError, http.client.HTTPException):
            if time.monotonic() - started > READY_SECONDS:
                raise RuntimeError(
                    f"gunicorn did not answer /healthz within {READY_SECONDS:.0f} s"
                ) from None
            time.sleep(0.2)
    figure("gunicorn_ready_s", round(time.monotonic() - started, 1), "s")


def main() -> None:
    figure("workers", WORKERS)
    figure("clients", CLIENTS)
    figure("seconds_per_page", DURATION_SECONDS, "s")
    measured = gunicorn_measure(PAGES)

    phase("summary")
    trivial = measured["trivial"]["requests_per_second"]
    print(
        f"gunicorn {WORKERS} sync workers, {CLIENTS} client processes, {DURATION_SECONDS:.0f} s per page, {os.cpu_count()} cores"
    )
    print(f"{'page':<10} {'path':<38} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'vs trivial':>10}")
    for name, path in PAGES.items():
        row = measured[name]
        ratio = row["requests_per_second"] / trivial if trivial else 0
        print(
            f"{name:<10} {path:<38} {row['requests_per_second']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} {ratio:>10.2f}"
        )
    figures(
        {
            "database_vs_trivial": round(measured["database"]["requests_per_second"] / trivial, 3),
            "home_vs_trivial": round(measured["home"]["requests_per_second"] / trivial, 3),
        }
    )


if __name__ == "__main__":
    run("http_baseline", main)
