"""Base class of the domain exceptions that services raise.

Each app subclasses it (`EnrollmentClosed`, `OfferingFull`, ...); `api_errors` maps it to
HTTP and views map it to form errors, in the user's language.
"""

from django.utils.functional import Promise


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


class NotPermitted(DomainError):
    code = "permission_denied"
    http_status = 403


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
