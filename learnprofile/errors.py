"""Base class of the domain exceptions that services raise.

Each app subclasses it (`EnrollmentClosed`, `OfferingFull`, ...); `api_errors` maps it to
HTTP and views map it to form errors, in the user's language.
"""

from django.utils.functional import Promise


class DomainError(Exception):
    """`message` is for people, in their language; `code` for programs. A refusal that lifts
    by itself after a while (too many attempts) gives `retry_after_seconds`, which the API
    sends as the Retry-After header (RFC 9110, section 10.2.3)."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str | Promise, *, retry_after_seconds: int | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.retry_after_seconds = retry_after_seconds


class NotPermitted(DomainError):
    code = "permission_denied"
    http_status = 403


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
