"""Catalog search over 1,000,000 offerings in all 34 provinces: server time per query.

Seeds the bench catalog once (bench/seed_catalog.py; kept between runs, `--clear` there
removes it), then times the catalog page through Django's whole middleware stack with the
test client (no network: server time) for a fixed mix of queries, and last serves the page
with gunicorn to compare its requests/s with the trivial and DB pages of http_baseline in
the same run. Goal: p95 <= 50 ms for every query of the mix.

Sizes: BENCH_CATALOG_OFFERINGS (default 1,000,000; reseeds when the stored count is more than
10 % off), BENCH_CATALOG_RUNS (timed requests per query, 60); the gunicorn phase takes
http_baseline's variables (BENCH_SECONDS, BENCH_CLIENTS, BENCH_GUNICORN_WORKERS, and its
readiness and warm-up timeouts). Each figure is printed as it is measured (bench/_report.py).
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnprofile.settings.local")
os.environ["DJANGO_DEBUG"] = "False"

import django

django.setup()

import seed_catalog  # noqa: E402
from _report import figure, figures, phase, run  # noqa: E402
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from http_baseline import gunicorn_measure  # noqa: E402

from profiles.models import AdministrativeUnit, CitizenProfile, User  # noqa: E402

OFFERINGS = int(os.environ.get("BENCH_CATALOG_OFFERINGS", "1000000"))
RUNS = int(os.environ.get("BENCH_CATALOG_RUNS", "60"))
DAK_LAK = 66
MIX = {
    "rare_word": {"q": "buon ho"},
    "common_word": {"q": "co ban"},
    "no_diacritics": {"q": "dien thoai thong minh"},
    "text_province": {"q": "tin hoc", "province": str(DAK_LAK)},
    "filters_only": {
        "category": "agriculture",
        "free": "on",
        "has_seats": "on",
        "starts_within": "30",
    },
    "empty": {},
}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_page(client: Client, params: dict[str, str]) -> dict[str, float]:
    for _ in range(5):
        client.get("/courses/", params)
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get("/courses/", params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return {
        "p50_ms": round(percentile(timings, 0.5), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
    }


def timed_query(name: str, client: Client, params: dict[str, str]) -> dict[str, float]:
    """Time one query of the mix and print its figures at once."""
    phase(f"query {name}")
    row = time_page(client, params)
    figure(f"{name}_p50_ms", row["p50_ms"], "ms")
    figure(f"{name}_p95_ms", row["p95_ms"], "ms")
    return row


def main() -> None:
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    phase("seed")
    existing = seed_catalog.bench_offerings_count()
    if existing < OFFERINGS * 0.9 or existing > OFFERINGS * 1.1:
        print(f"seeding {OFFERINGS} offerings (found {existing})", flush=True)
        seed_catalog.clear()
        print(seed_catalog.seed(OFFERINGS), flush=True)
    figure("offerings", seed_catalog.bench_offerings_count())
    anonymous = Client()
    timed = {name: timed_query(name, anonymous, params) for name, params in MIX.items()}
    citizen = User.objects.filter(email="bench-catalog@bench.invalid").first()
    if citizen is None:
        citizen = User.objects.create_user("bench-catalog@bench.invalid", "unused")
        CitizenProfile.objects.create(
            user=citizen,
            full_name="Người Đo Hiệu Năng",
            residence_ward=AdministrativeUnit.objects.get(level="ward", codename="xa_ea_kar"),
        )
    signed_in = Client()
    signed_in.force_login(citizen)
    timed["near_me"] = timed_query("near_me", signed_in, {})
    timed["near_me_text"] = timed_query("near_me_text", signed_in, {"q": "tin hoc", "sort": "near"})
    figure("worst_p95_ms", max(row["p95_ms"] for row in timed.values()), "ms")

    http = gunicorn_measure(
        {
            "trivial": "/robots.txt",
            "database": "/places/wards/?ward_query=hoan+kiem",
            "catalog_search": "/courses/?q=tin+hoc+co+ban",
            "catalog_empty": "/courses/",
        }
    )
    trivial = http["trivial"]["requests_per_second"]
    database = http["database"]["requests_per_second"]

    phase("summary")

    print(f"{'query':<16} {'p50 ms':>8} {'p95 ms':>8}")
    for name, row in timed.items():
        print(f"{name:<16} {row['p50_ms']:>8} {row['p95_ms']:>8}")
    print(f"{'page':<16} {'req/s':>8} {'p95 ms':>8} {'vs trivial':>10} {'vs db page':>10}")
    for name, row in http.items():
        print(
            f"{name:<16} {row['requests_per_second']:>8} {row['p95_ms']:>8}"
            f" {row['requests_per_second'] / trivial:>10.2f} {row['requests_per_second'] / database:>10.2f}"
        )
    figures(
        {
            "catalog_search_vs_db_page": round(
                http["catalog_search"]["requests_per_second"] / database, 3
            ),
            "catalog_search_vs_trivial": round(
                http["catalog_search"]["requests_per_second"] / trivial, 3
            ),
        }
    )


if __name__ == "__main__":
    run("catalog", main)
