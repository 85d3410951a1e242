"""Credential issuance with real parts: PostgreSQL, Redis and Celery workers that are killed
in the middle of a batch, and a broker that is down when an administrator issues."""

import os
import signal
from decimal import Decimal

import pytest
import redis
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from courses.tests.factories import class_close, class_make
from credentials.models import Achievement, Credential, Issuance, IssuanceBatch
from credentials.services import batches
from credentials.services.pipeline import ISSUE
from learnprofile.jobs.models import Job
from learnprofile.jobs.services import jobs_reconcile
from profiles.tests.factories import with_mfa
from tests.pipeline import (
    celery_worker,
    dead_broker,
    wait_for_progress,
    wait_until,
)

EmailAddress = apps.get_model("account", "EmailAddress")
SITE = {"SITE_DOMAIN": "hoctap.gov.vn", "SITE_URL": "https://hoctap.gov.vn"}


@pytest.fixture
def site(settings, transactional_db) -> None:
    settings.SITE_DOMAIN = SITE["SITE_DOMAIN"]
    settings.SITE_URL = SITE["SITE_URL"]
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


def _learners(count: int) -> list[int]:
    """`count` people with a verified email, in two INSERTs."""
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [user_model(email=f"hoc.vien.{number}@example.vn") for number in range(count)]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users]
    )
    return [user.pk for user in users]


def _unfinished() -> int:
    return Issuance.objects.filter(status=Issuance.Status.PENDING).count()


def _to_sign_before_the_kill() -> int:
    """The worker is killed once 150 of the 1,000 credentials are signed."""
    return max(0, 150 - Credential.objects.count())


@pytest.mark.worker
def test_a_worker_killed_in_the_middle_of_1000_issuances_leaves_each_credential_exactly_once(
    site, personas, settings
) -> None:
    center = personas.center_staff.memberships.get().organization
    achievement = Achievement.objects.create(
        organization=center,
        name_vi="Chứng nhận: An toàn thông tin cơ bản",
        description_vi="Tham gia chương trình an toàn thông tin cơ bản.",
        criteria="Do trung tâm xác nhận.",
        hours=Decimal(4),
    )
    learner_ids = _learners(1000)
    batch = batches.batch_create(
        actor=personas.issuer_admin,
        achievement=achievement,
        source=IssuanceBatch.Source.CSV,
        rows=[(learner_id, None) for learner_id in learner_ids],
        reason="Tập huấn an toàn thông tin tại xã, danh sách do xã gửi",
        reason_confirmed=True,
    )
    # The request published one message; a worker publishes the 1,000 wake-ups.
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("signing") == 1

    # Signing only: the learners' "credential issued" emails are another test's subject.
    with celery_worker(concurrency=2, extra_env=SITE, queues="signing") as worker:
        assert wait_for_progress(_to_sign_before_the_kill, label="before the kill") == 0
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    killed_at = Credential.objects.count()
    assert 150 <= killed_at < 1000
    assert Job.objects.filter(kind=ISSUE).exclude(status=Job.Status.DONE).exists()

    # Beat's reconciler, once nobody works: jobs claimed by the dead worker go back, and
    # jobs whose messages died with it are published again.
    settings.JOBS_STALE_RUNNING_SECONDS = 0
    settings.JOBS_STALE_PENDING_SECONDS = 0
    jobs_reconcile(limit=2000)
    with celery_worker(concurrency=2, extra_env=SITE, queues="signing"):
        assert wait_for_progress(_unfinished, label="after the reconciler") == 0

    credentials = Credential.objects.filter(achievement=achievement)
    assert credentials.count() == 1000
    assert not credentials.values("learner").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert set(credentials.values_list("learner_id", flat=True)) == set(learner_ids)
    indices = set(credentials.values_list("status_index__status_list_id", "status_index__index"))
    assert len(indices) == 1000
    assert set(Issuance.objects.filter(batch=batch).values_list("status", flat=True)) == {
        Issuance.Status.ISSUED
    }


@pytest.mark.worker
@pytest.mark.parametrize("outage", ["refused", "hanging"])
def test_with_redis_down_an_issue_request_returns_at_once_and_issues_when_it_is_back(
    site, personas, settings, outage
) -> None:
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=2, sessions=1)
    class_close(klass, actor=personas.center_staff)
    Issuance.objects.all().delete()
    Job.objects.filter(kind=ISSUE).delete()
    achievement = Achievement.objects.create(
        organization=center,
        name_vi="Chứng nhận hoàn thành: Tin học cơ bản",
        description_vi="Hoàn thành khóa Tin học cơ bản.",
        criteria="Chuyên cần từ 80%.",
        course_ids=[klass.offering.course.public_id],
    )
    with_mfa(personas.issuer_admin)
    client = Client()
    client.force_login(personas.issuer_admin)

    with dead_broker(outage) as dead:
        response = client.post(
            reverse("api_issue", args=[achievement.public_id]),
            {"offering": str(klass.offering.public_id)},
            content_type="application/json",
        )

    assert response.status_code == 202, response.content
    # One try at the broker, no retry: at most one socket timeout, whatever the machine.
    assert dead.connections == 1
    assert Issuance.objects.filter(status="pending").count() == 2
    assert not Job.objects.filter(kind=ISSUE, last_published_at__isnull=False).exists()

    # Redis is back: beat's reconciler publishes the jobs, a worker signs.
    settings.JOBS_STALE_PENDING_SECONDS = 0
    assert jobs_reconcile()["published"] == 2
    with celery_worker(extra_env=SITE):
        assert wait_until(lambda: _unfinished() == 0, timeout=60)

    assert sorted(Credential.objects.values_list("learner_id", flat=True)) == sorted(
        enrollment.learner_id for enrollment in klass.enrollments
    )
    progress = client.get(reverse("api_issuance_batch", args=[response.json()["id"]])).json()
    assert progress["progress"]["issued"] == 2
    assert settings.CELERY_BROKER_URL  # the real broker again
