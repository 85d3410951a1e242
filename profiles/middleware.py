"""Language choice and the MFA gate in front of staff pages."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

from profiles.permissions import staff_second_factor_missing

STAFF_PATH_PREFIXES = ("/staff/", "/admin/")


class LanguageMiddleware:
    """Vietnamese unless the person chose otherwise (cookie, then their saved preference).

    Django's LocaleMiddleware would follow the browser's Accept-Language; many phones here are
    set to English while their owners read Vietnamese first, so the choice is explicit.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.supported:
            user = getattr(request, "user", None)
            language = getattr(user, "preferred_language", "") if user is not None else ""
            if language not in self.supported:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class StaffMfaRequiredMiddleware:
    """Anyone with a staff or administrator role must set up TOTP before any staff page.

    Defence in depth for everything under /staff/ and /admin/ (the Django admin has no view
    of ours to decorate); our own staff views carry `learnprofile.access.staff_view` too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path.startswith(STAFF_PATH_PREFIXES)
            and request.user.is_authenticated
            and staff_second_factor_missing(request.user)
        ):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{query}")
        return self.get_response(request)
