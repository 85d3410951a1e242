"""Durable jobs: the row is the truth; claims, retries, failures and the reconciler."""

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from learnprofile.jobs.models import Job
from learnprofile.jobs.registry import PermanentJobError, job_handler
from learnprofile.jobs.services import (
    job_claim,
    job_enqueue_on_commit,
    job_retry,
    job_run,
    jobs_purge_finished,
    jobs_reconcile,
)

calls: list[dict[str, Any]] = []


@job_handler("test.record")
def record(payload: dict[str, Any]) -> None:
    if payload.get("fail") == "transient":
        raise ConnectionError("SMTP server went away")
    if payload.get("fail") == "permanent":
        raise PermanentJobError("no such recipient")
    calls.append(payload)


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    calls.clear()


def make_job(**overrides: Any) -> Job:
    values: dict[str, Any] = {
        "kind": "test.record",
        "payload": {"n": 1},
        "available_at": timezone.now(),
    }
    values.update(overrides)
    return Job.objects.create(**values)


@pytest.mark.django_db
def test_a_job_runs_once_even_when_its_message_arrives_twice() -> None:
    job = make_job()

    first = job_run(job_id=job.id)
    second = job_run(job_id=job.id)

    assert (first, second) == ("done", "skipped")
    assert calls == [{"n": 1}]
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)


@pytest.mark.django_db
def test_a_claimed_job_cannot_be_claimed_again() -> None:
    job = make_job()

    assert job_claim(job_id=job.id) is not None
    assert job_claim(job_id=job.id) is None


@pytest.mark.django_db
def test_a_job_not_yet_due_is_not_claimed() -> None:
    job = make_job(available_at=timezone.now() + timedelta(minutes=5))

    assert job_run(job_id=job.id) == "skipped"
    assert calls == []


@pytest.mark.django_db
def test_a_transient_failure_backs_off_and_stays_pending() -> None:
    job = make_job(payload={"fail": "transient"})
    before = timezone.now()

    assert job_run(job_id=job.id) == "pending"

    job.refresh_from_db()
    assert job.status == "pending"
    assert job.attempts == 1
    assert job.available_at >= before + timedelta(seconds=30)
    assert "SMTP server went away" in job.last_error


@pytest.mark.django_db
def test_a_job_fails_after_its_last_attempt() -> None:
    job = make_job(payload={"fail": "transient"}, max_attempts=1)

    assert job_run(job_id=job.id) == "failed"

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 1)
    assert job.finished_at is not None


@pytest.mark.django_db
def test_a_permanent_error_fails_without_retrying() -> None:
    job = make_job(payload={"fail": "permanent"})

    assert job_run(job_id=job.id) == "failed"

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.last_error == "no such recipient"


@pytest.mark.django_db
def test_an_administrator_can_retry_a_failed_job(django_capture_on_commit_callbacks) -> None:
    job = make_job(status="failed", attempts=8, finished_at=timezone.now())

    with mock.patch("learnprofile.jobs.services.job_publish") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            assert job_retry(job_id=job.id) is True
        publish.assert_called_once_with(job_id=job.id, queue="default")
    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at) == ("pending", 0, None)
    assert job_run(job_id=job.id) == "done"


@pytest.mark.django_db
def test_enqueue_publishes_only_after_commit(django_capture_on_commit_callbacks) -> None:
    with mock.patch("learnprofile.jobs.services.job_publish") as publish:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            job = job_enqueue_on_commit(kind="test.record", payload={"n": 2})
            publish.assert_not_called()
        assert len(callbacks) == 1
        publish.assert_called_once_with(job_id=job.id, queue="default")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_job_and_sends_nothing() -> None:
    def business_change_that_fails() -> None:
        with transaction.atomic():
            job_enqueue_on_commit(kind="test.record", payload={"n": 3})
            raise RuntimeError("the business change failed")

    with mock.patch("learnprofile.jobs.services.job_publish") as publish:
        with pytest.raises(RuntimeError):
            business_change_that_fails()
        publish.assert_not_called()
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_enqueue_with_the_same_dedupe_key_returns_the_first_job() -> None:
    first = job_enqueue_on_commit(kind="test.record", payload={"n": 1}, dedupe_key="k-1")
    second = job_enqueue_on_commit(kind="test.record", payload={"n": 2}, dedupe_key="k-1")

    assert first.id == second.id
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_enqueue_of_an_unknown_kind_is_refused_before_writing() -> None:
    with pytest.raises(PermanentJobError):
        job_enqueue_on_commit(kind="test.no-such-kind", payload={})
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_reconciler_publishes_stale_pending_jobs_and_releases_dead_claims(settings) -> None:
    settings.JOBS_STALE_PENDING_SECONDS = 60
    now = timezone.now()
    stale = make_job()
    Job.objects.filter(id=stale.id).update(created_at=now - timedelta(minutes=5))
    fresh = make_job()
    orphaned = make_job(status="running", claimed_at=now - timedelta(hours=1), attempts=1)

    with mock.patch("learnprofile.jobs.services._job_send", return_value=True) as send:
        report = jobs_reconcile()

    published = {call.kwargs["job_id"] for call in send.call_args_list}
    assert stale.id in published
    assert orphaned.id in published  # released, then due again
    assert fresh.id not in published
    assert report["released"] == 1
    orphaned.refresh_from_db()
    assert orphaned.status == "pending"


@pytest.mark.django_db
def test_publish_failure_is_swallowed_quickly_and_the_row_stays_pending(settings) -> None:
    from learnprofile.jobs.services import job_publish
    from tests.pipeline import broker

    job = make_job()
    with broker("redis://127.0.0.1:1/0"):
        assert job_publish(job_id=job.id, queue=job.queue) is False
    job.refresh_from_db()
    assert (job.status, job.last_published_at) == ("pending", None)


@pytest.mark.django_db
def test_purge_keeps_failed_jobs_and_recent_ones() -> None:
    old = timezone.now() - timedelta(days=40)
    make_job(status="done", finished_at=old)
    failed = make_job(status="failed", finished_at=old)
    recent = make_job(status="done", finished_at=timezone.now())

    assert jobs_purge_finished(older_than_days=30) == 1
    assert set(Job.objects.values_list("id", flat=True)) == {failed.id, recent.id}


@pytest.mark.django_db
def test_reconciler_query_count_does_not_grow_with_the_backlog(
    settings, django_assert_num_queries
) -> None:
    settings.JOBS_STALE_PENDING_SECONDS = 0
    for _ in range(25):
        make_job()

    # Find dead claims (none here), select the due jobs, one UPDATE for the published.
    with (
        mock.patch("learnprofile.jobs.services._job_send", return_value=True) as send,
        django_assert_num_queries(3),
    ):
        report = jobs_reconcile()

    assert send.call_count == 25
    assert report == {"released": 0, "due": 25, "published": 25}
    assert Job.objects.filter(last_published_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_large_batch_is_published_by_a_worker_from_one_message(
    django_capture_on_commit_callbacks, settings
) -> None:
    import json

    import redis

    from learnprofile.jobs.services import PUBLISH_INLINE_MAX, jobs_enqueue_on_commit
    from learnprofile.jobs.tasks import jobs_publish_task

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("default", "test-batch")
    count = PUBLISH_INLINE_MAX + 1
    with django_capture_on_commit_callbacks(execute=True):
        jobs = jobs_enqueue_on_commit(
            kind="test.record", payloads=[{"n": n} for n in range(count)], queue="test-batch"
        )

    # The request sent one message to the jobs' queue, and no wake-up itself.
    assert broker.llen("test-batch") == 1
    message = json.loads(broker.lpop("test-batch"))
    assert message["headers"]["task"] == "learnprofile.jobs.tasks.jobs_publish_task"

    # The worker's task publishes each job's wake-up.
    assert jobs_publish_task([str(job.id) for job in jobs], "test-batch") == count
    assert broker.llen("test-batch") == count
    assert Job.objects.filter(last_published_at__isnull=False).count() == count
    broker.delete("test-batch")


@pytest.mark.django_db
def test_a_job_due_later_is_not_published_now_and_the_reconciler_sends_it_when_due(
    django_capture_on_commit_callbacks, settings
) -> None:
    later = timezone.now() + timedelta(hours=2)
    with mock.patch("learnprofile.jobs.services.job_publish") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            job = job_enqueue_on_commit(kind="test.record", payload={"n": 3}, available_at=later)
        publish.assert_not_called()
    assert job_claim(job_id=job.id) is None  # not due

    Job.objects.filter(id=job.id).update(available_at=timezone.now() - timedelta(seconds=1))
    settings.JOBS_STALE_PENDING_SECONDS = 0
    with mock.patch("learnprofile.jobs.services._job_send", return_value=True) as send:
        assert jobs_reconcile()["published"] == 1
    send.assert_called_once_with(job_id=job.id, queue="default")
