"""One error format for the whole API:

    {"error": {"code": "validation_error", "message": "...", "fields": {...}}}

`message` is in the person's language; `fields` (validation errors only) maps each field to its
messages. Domain exceptions raised by services are mapped here (and to form errors in views), so
bad input never becomes a 500. DRF's exceptions go through `exception_handler`; what Django
answers before or outside DRF (no route, a malformed id, a body over the upload limit, a server
error) through `ApiErrorMiddleware`.
"""

import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response

from learnprofile.errors import DomainError


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        _("Dữ liệu gửi lên quá lớn (tối đa %(size)s KB).") % {"size": limit // 1024}
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        view = context.get("view")
        exc = _too_large(
            int(getattr(view, "max_body_bytes", 0) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        )
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.retry_after_seconds)} if exc.retry_after_seconds else None
        return Response(
            {"error": {"code": exc.code, "message": str(exc.message)}},
            status=exc.http_status,
            headers=headers,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    # Imported here: rest_framework.views reads DEFAULT_PARSER_CLASSES, which names this
    # module, when first imported, and the middleware below loads this module early.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body: dict[str, Any] = {
            "code": "validation_error",
            "message": _("Dữ liệu gửi lên chưa hợp lệ."),
            "fields": response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data},
        }
    else:
        detail = getattr(exc, "detail", "")
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "message": str(detail) if detail else _("Đã có lỗi xảy ra."),
        }
    response.data = {"error": body}
    return response


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with limits and messages for people: a body larger than the view's
    `max_body_bytes` (else DATA_UPLOAD_MAX_MEMORY_SIZE) is a 413, read no further than that;
    malformed JSON or text that is not UTF-8 is a 400 in the user's language; a body nested
    deeper than Python's parser goes (an attack more than a mistake) is a 400 too, not a server
    error."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        view = (parser_context or {}).get("view")
        limit = int(getattr(view, "max_body_bytes", 0) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise _too_large(limit)
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(_("Dữ liệu JSON lồng nhau quá sâu.")) from error
        except exceptions.ParseError as error:
            raise exceptions.ParseError(
                _("Dữ liệu gửi lên không phải là JSON hợp lệ (mã hóa UTF-8).")
            ) from error


API_PATH_PREFIX = "/api/"


def _is_json(response: HttpResponse) -> bool:
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _declared_body_over_limit(request: HttpRequest) -> bool:
    """Whether the body the client announces (Content-Length) exceeds the upload limit.
    Multipart bodies are left to Django's parser, which applies the limit to their fields but
    not to their files (evidence has limits of its own)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.content_type == "multipart/form-data":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django reads such a body as empty
    return length > limit


def _language(request: HttpRequest) -> str:
    """The language LanguageMiddleware chose for this request; before it has run, the one the
    person's cookie names, else the default."""
    chosen = getattr(request, "LANGUAGE_CODE", "") or request.COOKIES.get(
        settings.LANGUAGE_COOKIE_NAME, ""
    )
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def error_envelope(request: HttpRequest, status_code: int) -> JsonResponse:
    """The envelope for an HTTP status, in the active language, with DRF's code and message for
    that status (its wording where it has one)."""
    exception: exceptions.APIException
    if status_code == status.HTTP_400_BAD_REQUEST:
        exception = exceptions.ParseError(_("Yêu cầu không hợp lệ."), code="bad_request")
    elif status_code == status.HTTP_401_UNAUTHORIZED:
        exception = exceptions.NotAuthenticated()
    elif status_code == status.HTTP_403_FORBIDDEN:
        exception = exceptions.PermissionDenied()
    elif status_code == status.HTTP_404_NOT_FOUND:
        exception = exceptions.NotFound()
    elif status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        exception = exceptions.MethodNotAllowed(request.method or "")
    elif status_code == status.HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        exception = _too_large(int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0))
    elif status_code == status.HTTP_415_UNSUPPORTED_MEDIA_TYPE:
        exception = exceptions.UnsupportedMediaType(request.content_type or "")
    elif status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        exception = exceptions.Throttled()
    elif status_code >= status.HTTP_500_INTERNAL_SERVER_ERROR:
        exception = exceptions.APIException(code="server_error")
    else:
        exception = exceptions.APIException(_("Đã có lỗi xảy ra."), code="error")
    codes = exception.get_codes()
    return JsonResponse(
        {
            "error": {
                "code": codes if isinstance(codes, str) else "error",
                "message": str(exception.detail),
            }
        },
        status=status_code,
    )


class ApiErrorMiddleware:
    """Every answer under /api/ that is an error is the envelope, not only those DRF makes:

    - a body announced larger than DATA_UPLOAD_MAX_MEMORY_SIZE is refused with 413 before any
      view, authentication or parser reads it (multipart excepted, see above);
    - the body of an HTML error from Django (no route, or a malformed id, which the
      `<uuid:...>` converters refuse in the resolver; a 400 for a suspicious request; a server
      error, handler500 or the DEBUG page) is replaced by the envelope for its status; its
      headers (Allow, WWW-Authenticate, Retry-After, security headers) and cookies stay. JSON
      answers pass unchanged.

    Other paths keep their HTML pages. Installed before every middleware but the request id
    and SecurityMiddleware, so it sees what the others answer too (a disallowed host, a CSRF
    refusal); the message is in the language LanguageMiddleware chose (see `_language`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PATH_PREFIX):
            return self.get_response(request)
        if _declared_body_over_limit(request):
            with translation.override(_language(request)):
                return error_envelope(request, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        response = self.get_response(request)
        if response.status_code < 400 or _is_json(response):
            return response
        language = _language(request)
        with translation.override(language):
            envelope = error_envelope(request, response.status_code)
        if response.streaming:
            return envelope
        response.content = envelope.content
        response["Content-Type"] = envelope["Content-Type"]
        response["Content-Language"] = language
        if "Content-Length" in response:
            response["Content-Length"] = str(len(response.content))
        return response


__all__ = [
    "ApiErrorMiddleware",
    "JSONParser",
    "PayloadTooLarge",
    "error_envelope",
    "exception_handler",
    "status",
]
