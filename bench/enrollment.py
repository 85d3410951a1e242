"""200 citizens enroll in one 50-seat offering at the same instant: throughput, latency, and
proof that no seat is ever over-booked.

Each citizen is a thread calling the enrollment service (the code behind the enroll button
and the API), released together by a barrier, over a pool of 50 PostgreSQL connections (a
web tier's worth; the server allows about 100). Afterwards the offering must hold exactly 50
active learners and 150 waiting in a strict order, its counter must equal the active rows,
and no call may have failed. The bench's rows are removed at the end.
"""

import os
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnprofile.settings.local")
os.environ["DJANGO_DEBUG"] = "False"
os.environ["DATABASE_POOL_MAX_SIZE"] = os.environ.get("BENCH_ENROLLMENT_CONNECTIONS", "50")
os.environ["DATABASE_POOL_TIMEOUT"] = "60"

import django

django.setup()

from _report import figure, phase, run  # noqa: E402
from django.db import connection  # noqa: E402

from courses.models import Course, Enrollment, Offering  # noqa: E402
from courses.selectors import waitlist_positions  # noqa: E402
from courses.services.enrollment import enrollment_create  # noqa: E402
from courses.tests.factories import course_make, offering_make  # noqa: E402
from learnprofile.audit.models import AuditEvent  # noqa: E402
from learnprofile.jobs.models import Job  # noqa: E402
from profiles.models import Organization, User  # noqa: E402
from profiles.tests.factories import OrganizationFactory, UserFactory  # noqa: E402

CONNECTIONS = int(os.environ["DATABASE_POOL_MAX_SIZE"])
LEARNERS = int(os.environ.get("BENCH_ENROLLMENT_LEARNERS", "200"))
CAPACITY = int(os.environ.get("BENCH_ENROLLMENT_CAPACITY", "50"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def enroll_at_once(learners: list[User], offering: Offering) -> tuple[float, list[float], list]:
    barrier = threading.Barrier(len(learners) + 1)
    latencies: list[float] = []
    errors: list[BaseException] = []

    def worker(learner: User) -> None:
        try:
            barrier.wait()
            started = time.perf_counter()
            enrollment_create(actor=learner, offering_id=offering.pk)
            latencies.append((time.perf_counter() - started) * 1000)
        except BaseException as error:  # every failure is reported
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, errors


def main() -> None:
    figure("learners", LEARNERS)
    figure("capacity", CAPACITY)
    figure("connections", CONNECTIONS)
    phase("create the offering and learners")
    tag = uuid.uuid4().hex[:8]
    center = OrganizationFactory(name=f"Bench enrollment {tag}", slug=f"bench-enroll-{tag}")
    offering = offering_make(course_make(center, title="Tin học cơ bản"), capacity=CAPACITY)
    learners = [
        UserFactory(email=f"bench-enroll-{tag}-{number}@bench.invalid")
        for number in range(LEARNERS)
    ]
    checks: dict[str, bool] = {}
    try:
        phase("enroll at once")
        wall, latencies, errors = enroll_at_once(learners, offering)
        figure("wall_seconds", round(wall, 3), "s")
        figure("enrollments_per_second", round(LEARNERS / wall, 1))
        figure("p50_ms", round(percentile(latencies, 0.5), 1) if latencies else None, "ms")
        figure("p95_ms", round(percentile(latencies, 0.95), 1) if latencies else None, "ms")
        phase("check the offering")
        offering.refresh_from_db()
        enrollments = list(Enrollment.objects.filter(offering=offering))
        active = [row for row in enrollments if row.status == "active"]
        waiting = [row for row in enrollments if row.status == "waitlisted"]
        positions = sorted(waitlist_positions(waiting).values())
        checks = {
            "no_errors": not errors,
            "one_enrollment_each": len(enrollments) == LEARNERS,
            "seats_filled_exactly": len(active) == CAPACITY,
            "counter_matches_rows": offering.enrolled_count == len(active),
            "waitlist_in_strict_order": positions == list(range(1, LEARNERS - CAPACITY + 1)),
        }
        print(f"{LEARNERS} learners, {CAPACITY} seats, {CONNECTIONS} connections")
        for name, holds in checks.items():
            print(f"  {name:<26} {'yes' if holds else 'NO'}")
        for error in errors[:5]:
            print(f"  error: {error!r}")
        figure("active", len(active))
        figure("waitlisted", len(waiting))
        figure("overbooked", max(0, len(active) - CAPACITY))
        figure("errors", len(errors))
        figure("all_checks_hold", all(checks.values()))
    finally:
        emails = [learner.email for learner in learners]
        Enrollment.objects.filter(offering=offering).delete()
        Job.objects.filter(payload__to__overlap=emails).delete()
        AuditEvent.objects.filter(actor__in=learners).delete()
        Offering.objects.filter(pk=offering.pk).delete()
        Course.objects.filter(provider=center).delete()
        Organization.objects.filter(pk=center.pk).delete()
        User.objects.filter(pk__in=[learner.pk for learner in learners]).delete()
    failing = [name for name, holds in checks.items() if not holds]
    if failing:
        phase("checks")
        raise RuntimeError(f"checks that do not hold: {', '.join(failing)}")


if __name__ == "__main__":
    run("enrollment", main)
