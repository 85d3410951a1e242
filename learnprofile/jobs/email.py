"""Outgoing email, the first user of the job pipeline.

`email_send_on_commit` stores a rendered message as a job; the handler sends it. A message is
sent at most once per successful job run; the SMTP hand-off is the last step, so a retry only
happens when the server did not accept the message.
"""

import smtplib
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection

from learnprofile.jobs.models import Job
from learnprofile.jobs.registry import PermanentJobError, job_handler
from learnprofile.jobs.services import job_enqueue_on_commit

EMAIL_SEND = "email.send"


def email_send_on_commit(
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str | None = None,
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
    dedupe_key: str | None = None,
) -> Job:
    """Queue an email in the current transaction; it leaves after commit, through a worker."""
    return job_enqueue_on_commit(
        kind=EMAIL_SEND,
        payload={
            "to": to,
            "subject": subject,
            "body": body,
            "html_body": html_body,
            "from_email": from_email,
            "headers": headers or {},
        },
        dedupe_key=dedupe_key,
        queue="email",
    )


@job_handler(EMAIL_SEND)
def email_send(payload: dict[str, Any]) -> None:
    try:
        message = EmailMultiAlternatives(
            subject=payload["subject"],
            body=payload["body"],
            from_email=payload.get("from_email"),
            to=payload["to"],
            headers=payload.get("headers") or {},
            connection=get_connection(),
        )
    except (KeyError, TypeError) as error:
        raise PermanentJobError(f"Malformed email payload: {error!r}") from error
    if payload.get("html_body"):
        message.attach_alternative(payload["html_body"], "text/html")
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentJobError(f"Recipients refused: {error.recipients!r}") from error
