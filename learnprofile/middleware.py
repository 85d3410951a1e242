"""Unicode NFC at the boundary (decision 0009): every text a person sends is put in its kept
form once, where it enters, by `learnprofile.text.text_input`: NFC, without bidirectional
override controls. Passwords are only put in NFC (`text_nfc`): never shown, they mislead
nobody, and must reach the hasher as they were hashed.

Two transports, one hook each:

- HTML forms (every app, allauth's pages, the Django admin): `UnicodeNfcMiddleware` gives views
  NFC `request.GET` and `request.POST` (keys and values; urlencoded and multipart). The body is
  still parsed when something first reads `request.POST` (a view that handles a body too large
  for Django keeps doing so); uploaded files are bytes and stay as sent.
- The REST API (DRF; JSON, form and multipart bodies, whatever parser a view names):
  `NfcContentNegotiation` wraps the parser DRF selects, so `request.data` is NFC.

A view that receives a signed document (the verifier: a credential pasted, uploaded or POSTed)
opts out with `text_as_sent` (a decorator for a function view, a class attribute `text_as_sent =
True` for a DRF view): normalising would change what was signed and break its signature.
"""

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser, DataAndFiles

from learnprofile.api_errors import API_PATH_PREFIX
from learnprofile.text import text_input, text_nfc

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., Any])


def text_as_sent(view: ViewFunction) -> ViewFunction:
    """Mark a view whose input must reach it byte for byte (a signed document): neither the
    middleware nor the API normalises its parameters or body."""
    view.text_as_sent = True  # type: ignore[attr-defined]
    return view


def _keeps_text_as_sent(view: object) -> bool:
    # A DRF view's as_view() function carries its class in `cls`; Django's in `view_class`.
    return any(
        getattr(candidate, "text_as_sent", False)
        for candidate in (view, getattr(view, "cls", None), getattr(view, "view_class", None))
    )


def _is_password(key: str) -> bool:
    """Whether a field holds a password (password, password1, oldpassword, new_password2...)."""
    return "password" in key.casefold()


def _text_of(key: str, value: str) -> str:
    """A field's value as kept: `text_input`, or only NFC for a password (decision 0009)."""
    return text_nfc(value) if _is_password(key) else text_input(value)


def querydict_nfc(data: QueryDict) -> QueryDict:
    """`data` with every key and value in its kept form (`_text_of`); the same object when it
    already is (nothing is copied for ASCII or NFC input). Immutable, like the QueryDicts
    Django builds."""
    if all(
        text_input(key) == key and all(_text_of(key, value) == value for value in values)
        for key, values in data.lists()
    ):
        return data
    normalised = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        # Two keys that differ only in normal form become one field, its values in order.
        kept = text_input(key)
        normalised.setlist(kept, normalised.getlist(kept) + [_text_of(key, v) for v in values])
    normalised._mutable = False
    return normalised


def json_nfc(value: Any, key: str = "") -> Any:
    """Parsed JSON with every string, object key or value, in its kept form (`_text_of`, a
    value under a key naming a password only in NFC); numbers, booleans and null as they are.
    Recursive: a body nested deeper than Python's stack raises RecursionError (the JSON
    parser maps it to a 400)."""
    if isinstance(value, str):
        return _text_of(key, value)
    if isinstance(value, dict):
        return {text_input(name): json_nfc(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [json_nfc(item, key) for item in value]
    return value


class UnicodeNfcMiddleware:
    """NFC `request.GET` and `request.POST` for every view but those marked `text_as_sent`.

    Installed before CsrfViewMiddleware, whose `process_view` is the first reader of
    `request.POST`: the body is parsed then, lazily, as without this middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        if _keeps_text_as_sent(view_func):
            return
        # Too many fields: the view meets the same error when it reads GET, and answers 400.
        with contextlib.suppress(SuspiciousOperation):
            request.GET = querydict_nfc(request.GET)  # type: ignore[assignment]
        # Django's private hook, also used by DRF: request.POST and request.FILES call
        # _load_post_and_files() once, when first read, and keep its result in _post/_files.
        target: Any = request
        if hasattr(target, "_post"):
            target._post = querydict_nfc(target._post)
            return
        load_post_and_files = target._load_post_and_files

        def load_then_normalise() -> None:
            load_post_and_files()
            target._post = querydict_nfc(target._post)

        target._load_post_and_files = load_then_normalise


def _parse_error_in_language(error: ParseError) -> ParseError:
    """DRF's multipart parse error is English only ("Multipart form parse error - Invalid
    boundary in multipart: None"): the same error in the person's language, with the parser's
    technical detail kept for developers (JSON has its own parser and message). Any other
    error is returned as it is."""
    detail = str(error.detail)
    if detail.startswith("Multipart form parse error - "):
        message = _(
            "Không đọc được biểu mẫu gửi lên (multipart/form-data). Chi tiết kỹ thuật: %(detail)s"
        )
        return ParseError(
            message % {"detail": detail.removeprefix("Multipart form parse error - ")}
        )
    return error


class _NfcParser:
    """The parser DRF selected, whose result is put in NFC (files stay as sent)."""

    def __init__(self, parser: BaseParser) -> None:
        self._parser = parser

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            parsed = self._parser.parse(stream, media_type, parser_context)
        except ParseError as error:
            raise _parse_error_in_language(error) from error
        if isinstance(parsed, DataAndFiles):
            return DataAndFiles(querydict_nfc(parsed.data), parsed.files)
        if isinstance(parsed, QueryDict):
            return querydict_nfc(parsed)
        try:
            return json_nfc(parsed)
        except RecursionError as error:
            raise ParseError(_("Dữ liệu JSON lồng nhau quá sâu.")) from error


class NfcContentNegotiation(DefaultContentNegotiation):
    """DRF's content negotiation; the parser it selects gives NFC text (decision 0009), unless
    the view is marked `text_as_sent`. One hook for every parser of every API view, including
    views that name their own `parser_classes`."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        parser = super().select_parser(request, parsers)
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if parser is None or _keeps_text_as_sent(view):
            return parser
        return _NfcParser(parser)


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's, except that a path under /api/ is never redirected to add its slash.

    A redirected POST or PUT loses its body (Django refuses it with a RuntimeError under
    DEBUG, a bare 301 otherwise); an API client is better told plainly: a path under /api/
    that no route matches answers the 404 envelope (`learnprofile.api_errors`).
    """

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        if request.path_info.startswith(API_PATH_PREFIX):
            return False
        return bool(super().should_redirect_with_slash(request))


class MethodNotAllowedPageMiddleware:
    """A page asked with a method it does not take (a GET on a POST-only action, such as
    /my-courses/<id>/cancel/ opened from a link) answers a 405 page in the site's layout and
    the person's language, with a way back, instead of Django's empty body.

    Only pages: under /api/ the 405 is already the JSON envelope (`learnprofile.api_errors`).
    The `Allow` header (RFC 9110, 15.5.6) is kept. Sits inside `LanguageMiddleware` so the
    person's language is active when the page renders.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed) or request.path_info.startswith(
            API_PATH_PREFIX
        ):
            return response
        referer = request.headers.get("referer", "")
        page = render(
            request,
            "errors/405.html",
            {
                "back_url": referer
                if url_has_allowed_host_and_scheme(
                    referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                )
                else ""
            },
            status=405,
        )
        page["Allow"] = response["Allow"]
        return page
