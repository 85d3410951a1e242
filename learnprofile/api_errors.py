"""One error format for the whole API:

    {"error": {"code": "validation_error", "message": "...", "fields": {...}}}

Domain exceptions raised by services are mapped here (and to form errors in views), so bad
input never becomes a 500.
"""

import io
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

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
        return Response(
            {"error": {"code": exc.code, "message": str(exc.message)}}, status=exc.http_status
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

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


__all__ = ["JSONParser", "PayloadTooLarge", "exception_handler", "status"]
