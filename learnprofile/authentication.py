"""DRF's session authentication, refusing a missing or wrong CSRF token in the person's
language: DRF words it in English only ("CSRF Failed: CSRF token missing.")."""

from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme as SpectacularSessionScheme
from rest_framework import authentication, exceptions
from rest_framework.request import Request


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's, with the CSRF refusal (403) translated; Django's reason stays, for developers."""

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as error:
            reason = str(error.detail).removeprefix("CSRF Failed: ")
            raise exceptions.PermissionDenied(
                _(
                    "Yêu cầu bị từ chối vì thiếu hoặc sai mã chống giả mạo (CSRF). Hãy tải lại"
                    " trang rồi thử lại. (%(reason)s)"
                )
                % {"reason": reason}
            ) from error


class SessionScheme(SpectacularSessionScheme):  # type: ignore[no-untyped-call]
    """The schema names this class's security scheme as it did DRF's (cookieAuth)."""

    target_class = "learnprofile.authentication.SessionAuthentication"
