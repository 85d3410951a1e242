"""One error format for the whole API:

    {"error": {"code": "validation_error", "message": "...", "fields": {...}}}

Domain exceptions raised by services are mapped here (and to form errors in views), so bad
input never becomes a 500.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from learnprofile.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
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
    """DRF's JSON parser, except that a body nested deeper than Python's parser goes (an
    attack more than a mistake) is a 400 like any other malformed JSON, not a server error."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(_("Dữ liệu JSON lồng nhau quá sâu.")) from error


__all__ = ["JSONParser", "exception_handler", "status"]
