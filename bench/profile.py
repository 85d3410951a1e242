"""Profile page and export job with a 1,000-record ledger: server time, p50/p95.

Runs in one Django process against the real PostgreSQL (`make bench BENCH=profile`): the page
goes through the whole middleware stack with Django's test client (no network, so this is
server time), the export job is the handler a worker runs (JSON, PDF transcript, zip). The
bench person and their rows are removed at the end. Goal: page p95 <= 30 ms.
"""

import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnprofile.settings.local")
# Measure what production runs: no debug templates or query log.
os.environ["DJANGO_DEBUG"] = "False"

import django

django.setup()

from _report import figure, phase, run  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from learnprofile.audit.models import AuditEvent  # noqa: E402
from learnprofile.jobs.models import Job  # noqa: E402
from profiles.models import DataRequest, LearningRecord, User  # noqa: E402
from profiles.services import citizen_profile_ensure  # noqa: E402
from profiles.services.privacy.export import data_export_build  # noqa: E402
from profiles.tests.factories import learning_records_bulk  # noqa: E402

RECORDS = int(os.environ.get("BENCH_PROFILE_RECORDS", "1000"))
PAGE_RUNS = int(os.environ.get("BENCH_PROFILE_PAGE_RUNS", "300"))
EXPORT_RUNS = int(os.environ.get("BENCH_PROFILE_EXPORT_RUNS", "10"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    figure("records", RECORDS)
    figure("page_runs", PAGE_RUNS)
    figure("export_runs", EXPORT_RUNS)
    figure("goal_page_p95_ms", 30, "ms")
    phase(f"create a learner with {RECORDS} records")
    user = User.objects.create_user(f"bench-{uuid.uuid4().hex}@bench.invalid", "unused")
    try:
        citizen_profile_ensure(user=user, full_name="Người Đo Hiệu Năng")
        learning_records_bulk(user, RECORDS)
        with connection.cursor() as cursor:  # as autovacuum soon would: fresh planner stats
            cursor.execute("ANALYZE profiles_learningrecord")
        phase("profile page")
        client = Client()
        client.force_login(user)
        for _ in range(20):  # warm up templates, translations, connections
            client.get("/learning/")
        queries: list[str] = []
        with connection.execute_wrapper(
            lambda execute, sql, params, many, context: (
                queries.append(sql) or execute(sql, params, many, context)
            )
        ):
            client.get("/learning/")
        page_times = []
        for _ in range(PAGE_RUNS):
            started = time.perf_counter()
            response = client.get("/learning/")
            page_times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        figure("page_p50_ms", round(statistics.median(page_times), 2), "ms")
        figure("page_p95_ms", round(percentile(page_times, 0.95), 2), "ms")
        figure("page_queries", len(queries))
        figure("page_kib", round(len(response.content) / 1024, 1), "KiB")
        phase("robots.txt through the same stack")
        baseline_times = []  # the same stack on a page without data, for the ratio
        for _ in range(PAGE_RUNS):
            started = time.perf_counter()
            client.get("/robots.txt")
            baseline_times.append((time.perf_counter() - started) * 1000)
        figure("robots_p50_ms", round(statistics.median(baseline_times), 2), "ms")
        figure(
            "page_to_robots_p50",
            round(statistics.median(page_times) / statistics.median(baseline_times), 1),
        )

        phase("export job")

        export_times = []
        for _ in range(EXPORT_RUNS):
            data_request = DataRequest.objects.create(
                user=user,
                kind=DataRequest.Kind.EXPORT,
                acknowledge_by=django.utils.timezone.now(),
                due_at=django.utils.timezone.now(),
            )
            started = time.perf_counter()
            data_export_build({"request_id": str(data_request.public_id)})
            export_times.append((time.perf_counter() - started) * 1000)
            data_request.refresh_from_db()
            assert data_request.status == DataRequest.Status.READY
            export_bytes = data_request.file.size
            data_request.file.delete(save=False)
        figure("export_p50_ms", round(statistics.median(export_times), 1), "ms")
        figure("export_p95_ms", round(percentile(export_times, 0.95), 1), "ms")
        figure("export_kib", round(export_bytes / 1024, 1), "KiB")
    finally:
        for data_request in DataRequest.objects.filter(user=user):
            if data_request.file:
                data_request.file.delete(save=False)
        DataRequest.objects.filter(user=user).delete()
        LearningRecord.objects.filter(citizen=user).delete()
        Job.objects.filter(payload__to=[user.email]).delete()
        AuditEvent.objects.filter(actor=user).delete()
        user.delete()


if __name__ == "__main__":
    run("profile", main)
