"""Small helpers for tests that drive the job pipeline in-process."""

import re
from datetime import datetime
from email.header import decode_header, make_header
from email.message import Message

from django.core import mail

from learnprofile.jobs.models import Job
from learnprofile.jobs.services import job_run


def run_pending_jobs() -> int:
    """Run every due pending job in this process, as a worker would. Returns how many ran."""
    ran = 0
    for job_id in Job.objects.filter(status=Job.Status.PENDING).values_list("id", flat=True):
        if job_run(job_id=job_id) != "skipped":
            ran += 1
    return ran


def link_in_last_email(pattern: str) -> str:
    match = re.search(pattern, mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)


def mail_subject(message: Message) -> str:
    """The decoded subject of a message an SMTP server received."""
    return str(make_header(decode_header(message["Subject"])))


def mail_bodies(message: Message) -> dict[str, str]:
    """The decoded text and HTML parts of a received message, by content type."""
    return {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset())
        for part in message.walk()
        if not part.is_multipart()
    }


def notices_send_due(now: datetime | None = None) -> list[str]:
    """What beat and the workers do with the outbox: hand the due rows to sending jobs, then
    run those jobs. Returns the jobs' states."""
    from notices.services.outbox import SEND, notifications_dispatch

    notifications_dispatch(now=now)
    pending = Job.objects.filter(kind=SEND, status=Job.Status.PENDING)
    return [job_run(job_id=job_id) for job_id in pending.values_list("id", flat=True)]
