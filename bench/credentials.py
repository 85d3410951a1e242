"""Credentials: issuing through the real pipeline, verifying, and rendering the PDF.

- issue: 10,000 learners (BENCH_CREDENTIALS_COUNT) completed one offering; an issuer
  administrator's batch requests a credential for each (one transaction, 10,000 job rows,
  10,000 Redis messages); real Celery workers (prefork, one process per core, the `signing`
  queue) re-check eligibility, sign (eddsa-rdfc-2022), check the schema and write each one.
  Credentials per second, from the batch's commit until no request is pending.
- verify: the project's verifier over issued credentials (schema, proof, issuer key, status,
  validity), in this one process: verifications per second.
- pdf: the printable certificate of one credential (fpdf2, DejaVu Sans, QR code): p50/p95 ms.
- profile: where the time of one issuance goes (cProfile over 50 issuances in this process).
Everything it writes is removed at the end.
"""

import os
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

# The project instead of bench/ itself: bench/profile.py would shadow the standard library's
# `profile`, which cProfile imports.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnprofile.settings.local")
os.environ["DJANGO_DEBUG"] = "False"

import cProfile  # noqa: E402
import pstats  # noqa: E402

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench._celery import worker_pool  # noqa: E402
from bench._report import figure, phase, run  # noqa: E402
from courses.models import Course, Enrollment, Offering  # noqa: E402
from courses.tests.factories import course_make, offering_make  # noqa: E402
from credentials.certificate import certificate_pdf  # noqa: E402
from credentials.models import (  # noqa: E402
    Achievement,
    Credential,
    Issuance,
    IssuanceBatch,
    SigningKey,
    StatusIndex,
    StatusList,
)
from credentials.services import batches, issuance  # noqa: E402
from credentials.services.pipeline import ISSUE  # noqa: E402
from credentials.services.verification import verify_here  # noqa: E402
from learnprofile.audit.models import AuditEvent  # noqa: E402
from learnprofile.jobs.models import Job  # noqa: E402
from profiles.models import LearningRecord, Membership, Organization, User  # noqa: E402
from profiles.tests.factories import OrganizationFactory, UserFactory  # noqa: E402

COUNT = int(os.environ.get("BENCH_CREDENTIALS_COUNT", "10000"))
WORKERS = int(os.environ.get("BENCH_CREDENTIALS_WORKERS", str(os.cpu_count() or 2)))
VERIFY_SAMPLE = 300
PDF_SAMPLE = 40
PROFILE_SAMPLE = 50
GOAL_PER_SECOND = 280


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def learners(run: str, offering: Offering, count: int) -> list[User]:
    people = User.objects.bulk_create(
        User(email=f"bench-cred-{run}-{number}@bench.invalid") for number in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=person, email=person.email, verified=True, primary=True)
        for person in people
    )
    now = timezone.now()
    Enrollment.objects.bulk_create(
        Enrollment(
            offering=offering,
            learner=person,
            status="active",
            completion="completed",
            completion_reason="bench",
            attendance_percent=Decimal(100),
            attended_hours=Decimal(24),
            completed_at=now,
        )
        for person in people
    )
    return people


def profile_shares(achievement: Achievement, offering: Offering, people: list[User]) -> dict:
    """Issue PROFILE_SAMPLE credentials in this process under cProfile; the share of the
    time in each part of the work."""
    profiler = cProfile.Profile()
    profiler.enable()
    for person in people:
        issuance.credential_issue(
            actor=None,
            achievement_id=achievement.public_id,
            learner_id=person.pk,
            offering_id=offering.public_id,
        )
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = max(
        cumulative
        for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.items()
        if name == "credential_issue" and filename.endswith("issuance.py")
    )

    def cumulative_of(suffix: str, function: str) -> float:
        return sum(
            cumulative
            for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.items()
            if filename.endswith(suffix) and name == function
        )

    parts = {
        "json_ld_canonicalisation": cumulative_of("credentials/jsonld.py", "canonize"),
        # proof_create is canonicalisation (hash_data) plus the Ed25519 signature itself.
        "ed25519_signing": cumulative_of("credentials/cryptosuite.py", "proof_create")
        - cumulative_of("credentials/cryptosuite.py", "hash_data"),
        "schema_check": cumulative_of("credentials/documents.py", "schema_errors"),
        "database": cumulative_of("django/db/backends/utils.py", "execute"),
    }
    shares = {name: round(100 * seconds / total, 1) for name, seconds in parts.items()}
    shares["other"] = round(100 - sum(shares.values()), 1)
    return {"ms_per_issuance_in_process": round(1000 * total / len(people), 1), **shares}


def main() -> None:
    figure("worker_processes", WORKERS)
    figure("goal_per_second", GOAL_PER_SECOND)
    phase("create the center, offering and achievement")
    tag = uuid.uuid4().hex[:8]
    center = OrganizationFactory(name=f"Bench credentials {tag}", slug=f"bench-cred-{tag}")
    admin = UserFactory(email=f"bench-cred-{tag}-admin@bench.invalid")
    Membership.objects.create(user=admin, organization=center, role="issuer_admin")
    offering = offering_make(
        course_make(center, title="Tin học cơ bản"),
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() - timedelta(days=1),
        capacity=min(COUNT + PROFILE_SAMPLE, 10_000),  # the largest class allowed
    )
    achievement = Achievement.objects.create(
        organization=center,
        name_vi="Chứng nhận hoàn thành: Tin học cơ bản",
        description_vi="Hoàn thành khóa Tin học cơ bản của trung tâm học tập cộng đồng.",
        criteria="Dự ít nhất 80% số buổi học.",
        course_ids=[offering.course.public_id],
        hours=Decimal(24),
        valid_for_days=5 * 365,
    )
    people: list[User] = []
    worker = None
    checks: dict[str, bool] = {}
    try:
        phase(f"create {COUNT + PROFILE_SAMPLE} learners")
        people = learners(tag, offering, COUNT + PROFILE_SAMPLE)
        profiled, issued_here = people[:PROFILE_SAMPLE], people[PROFILE_SAMPLE:]
        figure("credentials", len(issued_here))
        phase("profile issuances in process")
        shares = figure("profile", profile_shares(achievement, offering, profiled))

        phase(f"issue {len(issued_here)} with {WORKERS} workers")
        worker = worker_pool(queues="signing", concurrency=WORKERS)
        time.sleep(3)  # the pool's start is not issuance time
        started = time.perf_counter()
        with transaction.atomic():
            batch = batches.batch_create(
                actor=admin,
                achievement=achievement,
                source=IssuanceBatch.Source.OFFERING,
                rows=[(person.pk, offering.public_id) for person in issued_here],
                offering_id=offering.public_id,
            )
        requested = figure("batch_request_seconds", round(time.perf_counter() - started, 2), "s")
        pending = Issuance.objects.filter(batch=batch, status=Issuance.Status.PENDING)
        deadline = time.monotonic() + 3600
        while pending.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        issued = Credential.objects.filter(achievement=achievement).count() - PROFILE_SAMPLE
        per_second = issued / seconds if seconds else 0.0
        figure("issue_seconds", round(seconds, 1), "s")
        figure("issued_per_second", round(per_second, 1))

        phase("verify")
        sample = list(Credential.objects.filter(achievement=achievement)[:VERIFY_SAMPLE])
        verify_started = time.perf_counter()
        verdicts = [verify_here(credential.document).verdict for credential in sample]
        verify_seconds = time.perf_counter() - verify_started
        figure("verifications_per_second", round(len(sample) / verify_seconds, 1))

        phase("pdf")
        pdf_ms = []
        for credential in sample[:PDF_SAMPLE]:
            one = time.perf_counter()
            certificate_pdf(
                document=credential.document,
                holder_name_on_file="Nguyễn Thị Hồng Nhung",
                page_url=f"https://hoctap.gov.vn/credentials/{credential.public_id}",
                revoked=False,
            )
            pdf_ms.append((time.perf_counter() - one) * 1000)
        figure("pdf_p50_ms", round(percentile(pdf_ms, 0.5), 1), "ms")
        figure("pdf_p95_ms", round(percentile(pdf_ms, 0.95), 1), "ms")

        phase("check the credentials")

        indices = set(
            Credential.objects.filter(achievement=achievement).values_list(
                "status_index__status_list_id", "status_index__index"
            )
        )
        checks = {
            "every_learner_issued_once": issued == len(issued_here)
            and Credential.objects.filter(achievement=achievement)
            .values("learner")
            .distinct()
            .count()
            == len(people),
            "distinct_status_indices": len(indices) == len(people),
            "every_sample_verifies": set(verdicts) == {"valid"},
        }
        print(f"issue {len(issued_here)} credentials: {WORKERS} prefork worker processes")
        print(f"  batch requested in {requested:.2f} s (one transaction, {len(issued_here)} jobs)")
        print(
            f"  all signed in {seconds:.1f} s: {per_second:.1f} per second (goal {GOAL_PER_SECOND})"
        )
        print(f"verify {len(sample)}: {len(sample) / verify_seconds:.1f} per second (one process)")
        print(f"pdf: p50 {percentile(pdf_ms, 0.5):.1f} ms, p95 {percentile(pdf_ms, 0.95):.1f} ms")
        print(f"one issuance in process: {shares['ms_per_issuance_in_process']} ms, shares (%):")
        for name, share in shares.items():
            if name != "ms_per_issuance_in_process":
                print(f"  {name:<26} {share}")
        for name, holds in checks.items():
            print(f"  {name:<26} {'yes' if holds else 'NO'}")
        figure("all_checks_hold", all(checks.values()))
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        credential_ids = list(
            Credential.objects.filter(achievement=achievement).values_list("public_id", flat=True)
        )
        Issuance.objects.filter(achievement=achievement).delete()
        IssuanceBatch.objects.filter(achievement=achievement).delete()
        Credential.objects.filter(achievement=achievement).delete()
        StatusIndex.objects.filter(status_list__organization=center).delete()
        StatusList.objects.filter(organization=center).delete()
        SigningKey.objects.filter(organization=center).delete()
        Achievement.objects.filter(pk=achievement.pk).delete()
        Job.objects.filter(kind=ISSUE, created_at__gte=timezone.now() - timedelta(hours=2)).filter(
            payload__issuance__isnull=False, status__in=["done", "failed"]
        ).delete()
        LearningRecord.objects.filter(citizen__in=people).delete()
        AuditEvent.objects.filter(object_id__in=[str(i) for i in credential_ids]).delete()
        AuditEvent.objects.filter(actor=admin).delete()
        Enrollment.objects.filter(offering=offering).delete()
        Offering.objects.filter(pk=offering.pk).delete()
        Course.objects.filter(provider=center).delete()
        Membership.objects.filter(organization=center).delete()
        Organization.objects.filter(pk=center.pk).delete()
        EmailAddress.objects.filter(user__in=people).delete()
        User.objects.filter(pk__in=[p.pk for p in [admin, *people]]).delete()
    failing = [name for name, holds in checks.items() if not holds]
    if failing:
        phase("checks")
        raise RuntimeError(f"checks that do not hold: {', '.join(failing)}")


if __name__ == "__main__":
    run("credentials", main)
