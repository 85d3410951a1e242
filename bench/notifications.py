"""Notices: planning session reminders, and sending email through the outbox.

- plan: 1,000,000 active enrollments (BENCH_NOTICES_ENROLLMENTS: 100 classes of 10,000
  learners), each class with a session 24 hours from now; one run of the beat's planner
  writes a reminder row for each (set-based, a statement per 500 sessions). Seconds for the
  run; goal 60 s.
- send: 10,000 of those reminders (BENCH_NOTICES_SEND) made due; the dispatcher hands them to
  jobs of 200, and two Celery worker processes (prefork, the `email` queue) check, render
  (text and HTML, in the learner's language) and send each over SMTP to a local aiosmtpd
  server in its own process. Emails per second, from the dispatch until none is pending;
  goal 500.
Everything it writes is removed at the end.
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnprofile.settings.local")
os.environ["DJANGO_DEBUG"] = "False"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench._celery import worker_pool  # noqa: E402
from bench._report import figure, phase, run  # noqa: E402
from courses.models import Course, Enrollment, Offering, Session  # noqa: E402
from courses.services.reminders import session_reminders_plan  # noqa: E402
from courses.tests.factories import course_make, offering_make  # noqa: E402
from learnprofile.jobs.models import Job  # noqa: E402
from notices.models import Notification  # noqa: E402
from notices.services.outbox import SEND, notifications_dispatch  # noqa: E402
from profiles.models import ConsentRecord, Organization, User  # noqa: E402
from profiles.tests.factories import OrganizationFactory  # noqa: E402
from tests.pipeline import free_port  # noqa: E402

ENROLLMENTS = int(os.environ.get("BENCH_NOTICES_ENROLLMENTS", "1000000"))
CLASS_SIZE = 10_000  # the largest class allowed
SEND_COUNT = int(os.environ.get("BENCH_NOTICES_SEND", "10000"))
WORKERS = 2
PLAN_GOAL_SECONDS = 60
SEND_GOAL_PER_SECOND = 500


def learners(run: str, count: int) -> list[int]:
    people = User.objects.bulk_create(
        (User(email=f"bench-notice-{run}-{number}@bench.invalid") for number in range(count)),
        batch_size=5000,
    )
    ConsentRecord.objects.bulk_create(
        (
            ConsentRecord(
                user=person, purpose="learning_reminders", is_granted=True, notice_version="bench"
            )
            for person in people
        ),
        batch_size=5000,
    )
    return [person.pk for person in people]


def classes(center: Organization, count: int) -> list[Offering]:
    """`count` published classes, each with one session starting 24 h 5 min from now."""
    course = course_make(center, title="Tin học cơ bản")
    starts = timezone.now().replace(microsecond=0) + timedelta(hours=24, minutes=5)
    offerings = [
        offering_make(course, capacity=CLASS_SIZE, venue=f"Nhà văn hóa số {number}")
        for number in range(count)
    ]
    Session.objects.bulk_create(
        Session(offering=offering, starts_at=starts, ends_at=starts + timedelta(hours=2))
        for offering in offerings
    )
    return offerings


def enroll_everyone(offering_ids: list[int], learner_ids: list[int]) -> None:
    """Every learner in every class, in SQL (a million rows through the ORM would be the
    benchmark)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO courses_enrollment (public_id, offering_id, learner_id, status,
                created_at, updated_at, cancel_reason, completion, completion_reason)
            SELECT gen_random_uuid(), o, l, 'active', now(), now(), '', '', ''
            FROM unnest(%s::bigint[]) AS o CROSS JOIN unnest(%s::bigint[]) AS l
            """,
            [offering_ids, learner_ids],
        )
        cursor.execute("ANALYZE courses_enrollment")


def smtp_sink(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def main() -> None:
    figure("plan_goal_seconds", PLAN_GOAL_SECONDS, "s")
    figure("send_goal_per_second", SEND_GOAL_PER_SECOND)
    figure("worker_processes", WORKERS)
    phase("create the center")
    tag = uuid.uuid4().hex[:8]
    center = OrganizationFactory(name=f"Bench notices {tag}", slug=f"bench-notice-{tag}")
    class_count = max(1, ENROLLMENTS // CLASS_SIZE)
    learner_ids: list[int] = []
    offerings: list[Offering] = []
    sink = worker = None
    checks: dict[str, bool] = {}
    try:
        phase(f"create {class_count} classes and their enrollments")
        setup_started = time.perf_counter()
        learner_ids = learners(tag, min(CLASS_SIZE, ENROLLMENTS))
        offerings = classes(center, class_count)
        enroll_everyone([offering.pk for offering in offerings], learner_ids)
        enrollments = figure(
            "enrollments", Enrollment.objects.filter(offering__in=offerings).count()
        )
        print(f"setup: {enrollments} enrollments in {time.perf_counter() - setup_started:.0f} s")

        phase("plan the reminders")
        now = timezone.now()
        started = time.perf_counter()
        planned = session_reminders_plan(now=now)
        plan_seconds = time.perf_counter() - started
        figure("reminders_planned", planned["24h"])
        figure("plan_seconds", round(plan_seconds, 1), "s")
        phase("plan again 10 minutes later")
        again_started = time.perf_counter()
        planned_again = session_reminders_plan(now=now + timedelta(minutes=10))
        again_seconds = time.perf_counter() - again_started
        figure("plan_again_seconds", round(again_seconds, 1), "s")
        reminders = Notification.objects.filter(
            kind="session_reminder", recipient_id__in=learner_ids
        )
        rows = reminders.count()
        print(
            f"plan: {planned['24h']} reminders in {plan_seconds:.1f} s (goal {PLAN_GOAL_SECONDS})"
        )
        print(
            f"  planned again 10 minutes later: {planned_again['24h']} new, {again_seconds:.1f} s"
        )

        phase("send: prepare the reminders, SMTP server and workers")
        # Send: keep the reminders of the first class, due now; the rest are not needed.
        first = f"session:{Session.objects.get(offering=offerings[0]).public_id}@"
        reminders.exclude(object_ref__startswith=first).delete()
        to_send = list(reminders.values_list("pk", flat=True)[:SEND_COUNT])
        figure("emails", len(to_send))
        reminders.exclude(pk__in=to_send).delete()
        Notification.objects.filter(pk__in=to_send).update(send_after=now - timedelta(seconds=1))
        port = free_port()
        sink = smtp_sink(port)
        worker = worker_pool(
            queues="email",
            concurrency=WORKERS,
            env={
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(port),
            },
        )
        time.sleep(4)  # the pool's and the server's start is not sending time
        phase(f"send {len(to_send)} emails")
        started = time.perf_counter()
        dispatched = notifications_dispatch()["dispatched"]
        pending = Notification.objects.filter(pk__in=to_send, status__in=["pending", "sending"])
        deadline = time.monotonic() + 1800
        while pending.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        send_seconds = time.perf_counter() - started
        states = dict(
            Notification.objects.filter(pk__in=to_send)
            .values_list("status")
            .annotate(n=Count("id"))
        )
        sent = states.get("sent", 0)
        per_second = sent / send_seconds if send_seconds else 0.0
        figure("send_seconds", round(send_seconds, 1), "s")
        figure("emails_per_second", round(per_second, 1))
        figure("states", states)
        print(
            f"send: {sent} of {len(to_send)} emails in {send_seconds:.1f} s with {WORKERS} "
            f"worker processes: {per_second:.0f} per second (goal {SEND_GOAL_PER_SECOND})"
        )
        # Where the CPU went: the SMTP server's and the workers' own CPU seconds (wait4
        # counts a process and the children it reaped), per email sent.
        cpu = {}
        for name, process in (("smtp_server", sink), ("workers", worker)):
            process.terminate()
            _pid, _status, usage = os.wait4(process.pid, 0)
            cpu[name] = round(1000 * (usage.ru_utime + usage.ru_stime) / max(sent, 1), 2)
        sink = worker = None
        figure("cpu_ms_per_email", cpu)
        phase("check the notices")
        print(
            f"  cpu per email: workers {cpu['workers']} ms, smtp server {cpu['smtp_server']} ms "
            f"({os.cpu_count()} cores shared with PostgreSQL and Redis)"
        )
        checks = {
            "one_reminder_per_enrollment": planned["24h"] == enrollments == rows,
            "planning_again_adds_nothing": planned_again["24h"] == 0,
            "every_email_sent_once": sent == len(to_send) == dispatched,
        }
        for name, holds in checks.items():
            print(f"  {name:<30} {'yes' if holds else 'NO'}")
        figure("all_checks_hold", all(checks.values()))
    finally:
        for process in (worker, sink):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        Notification.objects.filter(recipient_id__in=learner_ids).delete()
        Job.objects.filter(kind=SEND, created_at__gte=timezone.now() - timedelta(hours=2)).filter(
            status__in=["done", "failed"]
        ).delete()
        with connection.cursor() as cursor:  # a million rows: not through the ORM's collector
            cursor.execute(
                "DELETE FROM courses_enrollment WHERE offering_id = ANY(%s::bigint[])",
                [[offering.pk for offering in offerings]],
            )
        Session.objects.filter(offering__in=offerings).delete()
        Offering.objects.filter(pk__in=[offering.pk for offering in offerings]).delete()
        Course.objects.filter(provider=center).delete()
        ConsentRecord.objects.filter(user_id__in=learner_ids).delete()
        User.objects.filter(pk__in=learner_ids).delete()
        Organization.objects.filter(pk=center.pk).delete()
    failing = [name for name, holds in checks.items() if not holds]
    if failing:
        phase("checks")
        raise RuntimeError(f"checks that do not hold: {', '.join(failing)}")


if __name__ == "__main__":
    run("notifications", main)
