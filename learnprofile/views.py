"""Error pages in the visitor's language, safe to render even when the database is down."""

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views import defaults


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return defaults.permission_denied(request, exception, template_name="errors/403.html")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django refused (too large, too many fields, a suspicious header)."""
    return defaults.bad_request(request, exception, template_name="errors/400.html")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return defaults.page_not_found(request, exception, template_name="errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: they could touch the database that just failed.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without its valid anti-forgery token (an expired page, a
    blocked cookie) answers 403 in the site's layout and the person's language, instead of
    Django's English page. Django's `reason` is kept only in the log."""
    return render(request, "errors/403_csrf.html", status=403)
