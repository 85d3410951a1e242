"""HTTP baseline: requests per second under gunicorn on this machine.

Three pages: a trivial one (/robots.txt: no database), a database-backed one (the ward
picker: one indexed query) and the home page (templates, i18n, session and CSRF middleware).
gunicorn runs the production settings (DEBUG off) with sync workers; the load comes from
client processes on the same machine, so compare the ratios, not the absolute figures.
Later benchmarks compare against these.
"""

import http.client
import json
import multiprocessing
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DURATION_SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
PAGES = {
    "trivial": "/robots.txt",
    "database": "/places/wards/?ward_query=hoan+kiem",
    "home": "/",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def client_loop(
    port: int, path: str, deadline: float, results: "multiprocessing.Queue[list[float]]"
) -> None:
    latencies: list[float] = []
    while time.monotonic() < deadline:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        latencies.append(time.monotonic() - started)
    results.put(latencies)


def measure(port: int, path: str) -> dict[str, float]:
    results: multiprocessing.Queue[list[float]] = multiprocessing.Queue()
    deadline = time.monotonic() + DURATION_SECONDS
    clients = [
        multiprocessing.Process(target=client_loop, args=(port, path, deadline, results))
        for _ in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    latencies = [latency for _ in clients for latency in results.get()]
    for client in clients:
        client.join()
    latencies.sort()
    return {
        "requests_per_second": round(len(latencies) / DURATION_SECONDS, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2),
        "requests": len(latencies),
    }


def gunicorn_measure(pages: dict[str, str]) -> dict[str, dict[str, float]]:
    """Start gunicorn with the production settings, warm it, and measure each page."""
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
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        for path in pages.values():  # warm every worker's caches
            for _ in range(WORKERS * 3):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", path, headers={"Host": "127.0.0.1"})
                connection.getresponse().read()
        figures = {name: measure(port, path) for name, path in pages.items()}
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def main() -> None:
    figures = gunicorn_measure(PAGES)

    trivial = figures["trivial"]["requests_per_second"]
    print(
        f"gunicorn {WORKERS} sync workers, {CLIENTS} client processes, {DURATION_SECONDS:.0f} s per page, {os.cpu_count()} cores"
    )
    print(f"{'page':<10} {'path':<38} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'vs trivial':>10}")
    for name, path in PAGES.items():
        row = figures[name]
        ratio = row["requests_per_second"] / trivial if trivial else 0
        print(
            f"{name:<10} {path:<38} {row['requests_per_second']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} {ratio:>10.2f}"
        )
    summary = {
        "bench": "http_baseline",
        "workers": WORKERS,
        "clients": CLIENTS,
        "seconds_per_page": DURATION_SECONDS,
        **{f"{name}_rps": row["requests_per_second"] for name, row in figures.items()},
        **{f"{name}_p95_ms": row["p95_ms"] for name, row in figures.items()},
        "database_vs_trivial": round(figures["database"]["requests_per_second"] / trivial, 3),
        "home_vs_trivial": round(figures["home"]["requests_per_second"] / trivial, 3),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
