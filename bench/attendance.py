"""Attendance at a center: marking a 60-learner roster, syncing 10,000 offline marks, and the
roster page's query count.

Every figure is server time of a real request through Django's full stack (middleware, the
view or API, the service, PostgreSQL), called in-process with Django's test client, so no
network or HTTP server time is counted:
- roster: the one-submit form marks 60 learners; each submission flips every mark (present,
  then late), so each one really writes 60 marks and 60 history rows. p50/p95 over the runs.
- sync: 10,000 marks made offline (100 learners x 100 sessions) go through the batch API in
  batches of 500, then the same batches again (all duplicates). Total seconds for each pass.
- roster page: queries to render the 60-learner roster.
- baseline: `/robots.txt` through the same stack, for ratios within one run.
The rows it writes are removed at the end. Sizes: BENCH_ATTENDANCE_RUNS (roster submissions,
40), BENCH_ATTENDANCE_BATCH (marks per sync call, 2000), BENCH_ATTENDANCE_SYNC_SESSIONS (sessions
of the 100-learner sync class, 100).
"""

import os
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnprofile.settings.local")
os.environ["DJANGO_DEBUG"] = "False"

import django

django.setup()

from _report import figure, phase, run  # noqa: E402
from allauth.mfa.models import Authenticator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from courses.models import (  # noqa: E402
    AttendanceChange,
    AttendanceMark,
    Course,
    Enrollment,
    Offering,
    Session,
)
from courses.tests.factories import course_make, offering_make  # noqa: E402
from learnprofile.audit.models import AuditEvent  # noqa: E402
from learnprofile.jobs.models import Job  # noqa: E402
from profiles.models import Membership, Organization, User  # noqa: E402
from profiles.tests.factories import OrganizationFactory, UserFactory  # noqa: E402

ROSTER_LEARNERS = 60
ROSTER_RUNS = int(os.environ.get("BENCH_ATTENDANCE_RUNS", "40"))
SYNC_LEARNERS = 100
SYNC_SESSIONS = int(os.environ.get("BENCH_ATTENDANCE_SYNC_SESSIONS", "100"))
SYNC_BATCH = int(os.environ.get("BENCH_ATTENDANCE_BATCH", "2000"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def a_class(center: Organization, run: str, name: str, learners: int, sessions: int) -> tuple:
    now = timezone.now()
    today = timezone.localdate(now)
    offering = offering_make(
        course_make(center, title=f"Tin học {name}"),
        starts_on=today - timedelta(days=sessions),
        ends_on=today + timedelta(days=30),
        capacity=max(learners, 10),
    )
    created = Session.objects.bulk_create(
        Session(
            offering=offering,
            starts_at=now - timedelta(days=sessions - number, hours=1),
            ends_at=now - timedelta(days=sessions - number, hours=1) + timedelta(hours=2),
        )
        for number in range(sessions)
    )
    people = [
        UserFactory(email=f"bench-att-{run}-{name}-{number}@bench.invalid")
        for number in range(learners)
    ]
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(offering=offering, learner=person, status="active") for person in people
    )
    Offering.objects.filter(pk=offering.pk).update(enrolled_count=learners)
    return offering, created, enrollments, people


def main() -> None:
    figure("roster_learners", ROSTER_LEARNERS)
    figure("roster_runs", ROSTER_RUNS)
    figure("sync_batch", SYNC_BATCH)
    phase("create the center and staff")
    tag = uuid.uuid4().hex[:8]
    center = OrganizationFactory(name=f"Bench attendance {tag}", slug=f"bench-att-{tag}")
    staff = UserFactory(email=f"bench-att-{tag}-staff@bench.invalid")
    Membership.objects.create(user=staff, organization=center, role="staff")
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    people: list[User] = []
    offerings: list[Offering] = []
    checks: dict[str, bool] = {}
    try:
        phase("roster: create the class")
        offering, sessions, enrollments, learners = a_class(
            center, tag, "roster", ROSTER_LEARNERS, 1
        )
        offerings.append(offering)
        people += learners
        session = sessions[0]
        url = reverse("session_roster", args=[session.public_id])
        phase("roster: submit the marks")
        client.get(url)  # warm the caches of the first request
        roster_ms = []
        for number in range(ROSTER_RUNS):
            status = "present" if number % 2 == 0 else "late"
            data = {f"status-{e.public_id}": status for e in enrollments}
            data.update({f"note-{e.public_id}": "" for e in enrollments})
            body = urlencode(data)
            started = time.perf_counter()
            # Form-encoded, as a browser sends the roster form.
            response = client.post(url, body, content_type="application/x-www-form-urlencoded")
            roster_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 302, response.status_code
        figure("roster_mark_p50_ms", round(percentile(roster_ms, 0.5), 1), "ms")
        figure("roster_mark_p95_ms", round(percentile(roster_ms, 0.95), 1), "ms")
        phase("robots.txt through the same stack")
        baseline_ms = []
        for _run in range(ROSTER_RUNS):
            started = time.perf_counter()
            client.get("/robots.txt")
            baseline_ms.append((time.perf_counter() - started) * 1000)
        figure("robots_txt_p50_ms", round(percentile(baseline_ms, 0.5), 2), "ms")
        phase("roster page queries")
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        roster_page_queries = len(queries.captured_queries)
        assert page.status_code == 200
        figure("roster_page_queries", roster_page_queries)

        phase("sync: create the class")

        offering, sessions, enrollments, learners = a_class(
            center, tag, "sync", SYNC_LEARNERS, SYNC_SESSIONS
        )
        offerings.append(offering)
        people += learners
        marked_at = (timezone.now() - timedelta(minutes=5)).isoformat()
        marks = [
            {
                "id": str(uuid.uuid4()),
                "session": str(s.public_id),
                "enrollment": str(e.public_id),
                "status": "present",
                "note": "",
                "marked_at": marked_at,
            }
            for s in sessions
            for e in enrollments
        ]
        batches = [marks[i : i + SYNC_BATCH] for i in range(0, len(marks), SYNC_BATCH)]
        figure("sync_marks", len(marks))
        sync_url = reverse("api_attendance_sync")
        passes = []
        batch_ms: list[float] = []
        for number in range(2):
            phase("sync: first pass" if number == 0 else "sync: again (all duplicates)")
            started = time.perf_counter()
            for batch in batches:
                one = time.perf_counter()
                response = client.post(sync_url, {"marks": batch}, content_type="application/json")
                batch_ms.append((time.perf_counter() - one) * 1000)
                assert response.status_code == 200, response.content[:300]
            passes.append(time.perf_counter() - started)
            figure(
                "sync_seconds" if number == 0 else "sync_again_seconds", round(passes[-1], 3), "s"
            )
        figure("sync_batch_p95_ms", round(percentile(batch_ms[: len(batches)], 0.95), 1), "ms")
        phase("check the marks")
        stored = AttendanceMark.objects.filter(session__offering=offering).count()
        history = AttendanceChange.objects.filter(mark__session__offering=offering).count()
        checks = {
            "every_mark_stored_once": stored == len(marks),
            "one_history_row_per_mark": history == len(marks),
        }
        print(f"roster of {ROSTER_LEARNERS}: {ROSTER_RUNS} submissions, each writing 60 marks")
        print(
            f"  p50 {percentile(roster_ms, 0.5):.1f} ms   p95 {percentile(roster_ms, 0.95):.1f} ms"
        )
        print(f"  roster page: {roster_page_queries} queries")
        print(f"sync of {len(marks)} offline marks in {len(batches)} batches of {SYNC_BATCH}")
        print(f"  first pass {passes[0]:.2f} s, again (all duplicates) {passes[1]:.2f} s")
        for name, holds in checks.items():
            print(f"  {name:<26} {'yes' if holds else 'NO'}")
        figure("all_checks_hold", all(checks.values()))
    finally:
        AttendanceChange.objects.filter(mark__session__offering__in=offerings).delete()
        AttendanceMark.objects.filter(session__offering__in=offerings).delete()
        Session.objects.filter(offering__in=offerings).delete()
        Enrollment.objects.filter(offering__in=offerings).delete()
        Job.objects.filter(kind="attendance.low", payload__enrollment_id__isnull=False).filter(
            created_at__gte=timezone.now() - timedelta(hours=1)
        ).delete()
        AuditEvent.objects.filter(actor__in=[staff, *people]).delete()
        Offering.objects.filter(pk__in=[o.pk for o in offerings]).delete()
        Course.objects.filter(provider=center).delete()
        Membership.objects.filter(organization=center).delete()
        Organization.objects.filter(pk=center.pk).delete()
        Authenticator.objects.filter(user=staff).delete()
        User.objects.filter(pk__in=[p.pk for p in [staff, *people]]).delete()
    failing = [name for name, holds in checks.items() if not holds]
    if failing:
        phase("checks")
        raise RuntimeError(f"checks that do not hold: {', '.join(failing)}")


if __name__ == "__main__":
    run("attendance", main)
