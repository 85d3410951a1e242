"""allauth's TOTP set-up, made to lead back: a staff member sent here by the MFA gate
(`learnprofile.access.staff_view`, `profiles.middleware.StaffMfaRequiredMiddleware`) carries
the page they asked for in `next`; after activation and the recovery codes they continue there.

Only `next` is ours: the forms, checks, reauthentication and recovery codes stay allauth's.
"""

from typing import Any

from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from learnprofile.access import citizen_view
from profiles import permissions

SECRET_GROUP_LENGTH = 4


def next_path(request: HttpRequest) -> str:
    """The page the person was going to (`next`, from the form or the query), or "" when it
    is missing or leads to another site (Django's `url_has_allowed_host_and_scheme`)."""
    candidate = request.POST.get("next") or request.GET.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def secret_groups(secret: str) -> list[str]:
    """A base32 secret in groups of four characters, to read aloud and type by hand."""
    return [
        secret[start : start + SECRET_GROUP_LENGTH]
        for start in range(0, len(secret), SECRET_GROUP_LENGTH)
    ]


class ActivateTotpView(ActivateTOTPView):
    """allauth's activation, keeping `next` through the form and onto the recovery codes."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["next_url"] = next_path(self.request)
        context["secret_groups"] = secret_groups(context["form"].secret)
        return context

    def get_success_url(self) -> str:
        url = str(super().get_success_url())
        destination = next_path(self.request)
        return f"{url}?{urlencode({'next': destination})}" if destination else url


class RecoveryCodesView(ViewRecoveryCodesView):
    """allauth's recovery codes, with where to continue: `next`, else the staff area for a
    person with a staff role, else the home page."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["continue_url"] = next_path(self.request) or reverse(
            "staff_home" if permissions.may_view_staff_area(self.request.user) else "home"
        )
        return context


activate_totp = citizen_view(ActivateTotpView.as_view())
recovery_codes = citizen_view(RecoveryCodesView.as_view())
