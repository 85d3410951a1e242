"""Who may reach a view, declared once per view and enforced by construction.

Every page and API endpoint belongs to one audience:

- public: anyone, signed in or not (the catalog, a credential's page, the verifier);
- citizen: anyone signed in, for their own data (their profile, courses, credentials);
- staff: a person with a staff or administrator role *and* two-step verification (TOTP), as
  the MFA middleware already requires for /staff/ and /admin/ pages.

Pages take the audience from a decorator (`public_view`, `citizen_view`, `staff_view`); API
views from a base class (`PublicApi`, `CitizenApi`, `StaffApi`). The staff gate cannot be
dropped by a subclass: `StaffApi.get_permissions` always puts it first, whatever
`permission_classes` says. `tests/test_staff_gate.py` walks every URL pattern and API route
and fails for any staff route a person without a second factor can reach, and for any route
that declares no audience outside its allowlist of citizen and public routes.
"""

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, Literal, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions as drf_permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from profiles import api as profiles_api

Access = Literal["public", "citizen", "staff"]
PUBLIC: Access = "public"
CITIZEN: Access = "citizen"
STAFF: Access = "staff"

# Any response: a page, a file (FileResponse) or a stream (StreamingHttpResponse).
View = Callable[..., HttpResponseBase]
PublicView = TypeVar("PublicView", bound=View)


def view_access(view: Any) -> Access | None:
    """The audience a view (a function, or `as_view()` of a class) declares, or None."""
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    return getattr(view_class, "access", None) or getattr(view, "access", None)


def public_view(view: PublicView) -> PublicView:
    """Anyone may open this page (the view itself, marked: its type is kept)."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def citizen_view(view: View) -> View:
    """A signed-in person's own page; anonymous visitors are sent to sign in."""

    @wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    gated.access = CITIZEN  # type: ignore[attr-defined]
    return gated


def staff_view(view: View) -> View:
    """A staff or administrator page: signed in, holding a role, with TOTP set up.

    Anonymous visitors are sent to sign in; a person with no role gets 403 (the page in their
    language); a person with a role but no second factor is sent to set up TOTP, then back
    here. The view itself still checks the actor's scope for every id it is given.
    """

    @wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not profiles_api.has_privileged_role(user):
            raise PermissionDenied
        if profiles_api.staff_mfa_missing(user=user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{query}")
        return view(request, *args, **kwargs)

    gated.access = STAFF  # type: ignore[attr-defined]
    return gated


class HasStaffRole(drf_permissions.BasePermission):
    """Signed in with a staff or administrator role (403 otherwise)."""

    message = _("Chỉ nhân viên và quản trị viên mới dùng được chức năng này.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and profiles_api.has_privileged_role(user))


class StaffWithMfa(drf_permissions.BasePermission):
    """Two-step verification (TOTP) is on for this staff member (403 otherwise)."""

    message = _("Hãy bật xác minh hai bước (TOTP) cho tài khoản nhân viên trước.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return not profiles_api.staff_mfa_missing(user=request.user)


class LanguageAwareApi(APIView):
    """An API view that answers in the language of the person its token names.

    `LanguageMiddleware` chooses before DRF authenticates a token, so a token client without
    the language cookie would get Vietnamese whatever they chose. After authentication, with
    no cookie, the person's saved `preferred_language` wins; the answer says which
    (Content-Language).
    """

    _language_before: str | None = None

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return
        language = getattr(request.user, "preferred_language", "")
        if language in dict(settings.LANGUAGES):
            self._language_before = translation.get_language()
            translation.activate(language)
            request._request.LANGUAGE_CODE = language

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        # The answer is in words by now: the thread goes back to the language it had, so the
        # person's choice does not outlive their request.
        if self._language_before is not None:
            translation.activate(self._language_before)
        return response


class PublicApi(LanguageAwareApi):
    """An endpoint anyone may call (subclasses add throttles of their own)."""

    access: Access = PUBLIC
    permission_classes = [drf_permissions.AllowAny]


class CitizenApi(LanguageAwareApi):
    """A signed-in person's own data (401 without credentials)."""

    access: Access = CITIZEN
    permission_classes = [drf_permissions.IsAuthenticated]


class StaffApi(LanguageAwareApi):
    """A staff endpoint: 401 without credentials, 403 without a role or a second factor.

    The gate comes before any other permission and cannot be replaced by a subclass's
    `permission_classes`; the view still checks the actor's scope for every id.
    """

    access: Access = STAFF
    permission_classes = [drf_permissions.IsAuthenticated]

    def get_permissions(self) -> Sequence[Any]:
        gate = [drf_permissions.IsAuthenticated(), HasStaffRole(), StaffWithMfa()]
        return [*gate, *super().get_permissions()]
