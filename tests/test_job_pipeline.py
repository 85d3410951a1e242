"""The durable job pipeline end to end: real PostgreSQL, real Redis, a real Celery worker,
a real SMTP server. Email is its first user."""

import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse

from learnprofile.jobs.models import Job
from learnprofile.jobs.services import job_publish, jobs_reconcile
from tests.pipeline import (
    SmtpInbox,
    celery_worker,
    dead_broker,
    smtp_server,
    wait_until,
)

PASSWORD = "Hoc-tap-suot-doi-2026"


@pytest.fixture
def inbox_and_worker(transactional_db: None) -> Iterator[SmtpInbox]:
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    with ExitStack() as stack:
        inbox, port = stack.enter_context(smtp_server())
        stack.enter_context(celery_worker(smtp_port=port))
        yield inbox


def email_queue_is_empty() -> bool:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("email") == 0


@pytest.mark.worker
@pytest.mark.parametrize("outage", ["refused", "hanging"])
def test_email_queued_while_broker_is_down_is_delivered_exactly_once_when_it_returns(
    inbox_and_worker: SmtpInbox, outage: str, settings
) -> None:
    settings.JOBS_STALE_PENDING_SECONDS = 0
    client = Client()

    with dead_broker(outage) as dead:
        response = client.post(
            reverse("account_signup"),
            {"email": "an@example.vn", "password1": PASSWORD, "password2": PASSWORD},
        )

    assert response.status_code == 302
    # One try at the broker, no retry: at most one socket timeout, whatever the machine.
    assert dead.connections == 1
    job = Job.objects.get(kind="email.send")
    assert job.status == Job.Status.PENDING
    assert job.last_published_at is None

    # The broker is back: beat's reconciler publishes again (twice here: a duplicate
    # message must not send twice).
    assert jobs_reconcile()["published"] == 1
    assert job_publish(job_id=job.id, queue=job.queue) is True

    assert wait_until(lambda: len(inbox_and_worker.messages) >= 1)
    assert wait_until(email_queue_is_empty)
    assert wait_until(lambda: Job.objects.get(id=job.id).status == Job.Status.DONE)
    time.sleep(1.0)  # the duplicate message has been taken; give it time to (not) send
    assert len(inbox_and_worker.messages) == 1
    assert inbox_and_worker.messages[0]["To"] == "an@example.vn"
    assert Job.objects.get(id=job.id).attempts == 1


@pytest.mark.worker
def test_worker_sends_an_email_enqueued_on_commit(inbox_and_worker: SmtpInbox) -> None:
    response = Client().post(
        reverse("account_signup"),
        {"email": "binh@example.vn", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    assert wait_until(lambda: len(inbox_and_worker.messages) == 1)
    message = inbox_and_worker.messages[0]
    assert message["To"] == "binh@example.vn"
    subject = str(message.get("Subject"))
    from email.header import decode_header, make_header

    assert str(make_header(decode_header(subject))) == "Vui lòng xác nhận địa chỉ email của bạn"
    assert wait_until(lambda: Job.objects.get().status == Job.Status.DONE)
