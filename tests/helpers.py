"""Small helpers for tests that drive the job pipeline in-process."""

import re

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
