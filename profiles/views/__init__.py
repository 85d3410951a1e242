from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from learnprofile.access import citizen_view, public_view, staff_view
from learnprofile.errors import DomainError
from profiles import permissions, selectors, services
from profiles.api import AuthenticatedHttpRequest
from profiles.forms import ProfileForm
from profiles.models import Language, Membership
from profiles.phone import phone_display


@public_view
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "profiles/home.html")


@citizen_view
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    profile = services.citizen_profile_ensure(user=user)
    is_search_only = request.method == "POST" and "find_ward" in request.POST
    if request.method == "POST" and not is_search_only:
        form = ProfileForm(request.POST, profile=profile)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.citizen_profile_update(
                    actor=user,
                    profile=profile,
                    full_name=data["full_name"],
                    date_of_birth=data["date_of_birth"],
                    phone=data["phone"],
                    residence_ward=data["residence_ward"],
                    preferred_language=data["preferred_language"],
                    national_id=data["national_id"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except DomainError as error:
                form.add_error("national_id", str(error.message))
            else:
                translation.activate(data["preferred_language"])
                messages.success(request, _("Đã lưu hồ sơ của bạn."))
                if form.phone_number is not None and form.phone_number.note:
                    messages.info(request, form.phone_number.note)
                response = redirect("profile_edit")
                _set_language_cookie(response, data["preferred_language"])
                return response
    elif is_search_only:
        # "Find" without JavaScript: show the same form, unvalidated, with the matching wards.
        form = ProfileForm(
            initial=request.POST.dict(),
            profile=profile,
            ward_query=request.POST.get("ward_query", ""),
        )
    else:
        form = ProfileForm(
            initial={
                "full_name": profile.full_name,
                "date_of_birth": profile.date_of_birth,
                "phone": phone_display(profile.phone),
                "residence_ward": profile.residence_ward_id,
                "preferred_language": user.preferred_language,
            },
            profile=profile,
        )
    return render(
        request,
        "profiles/profile_edit.html",
        {"form": form, "profile": profile, "is_search_only": is_search_only},
    )


@public_view
@require_GET
def ward_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of the ward picker for a query; htmx swaps them in as the user types."""
    wards = selectors.ward_search(query=request.GET.get("ward_query", ""))
    return render(request, "profiles/_ward_options.html", {"wards": wards})


@staff_view
def staff_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.may_view_staff_area(request.user):
        raise PermissionDenied
    user = request.user
    # In the same query: where the person issues credentials.
    organizations = list(
        selectors.organizations_of(user=user).annotate(
            is_issuer=Exists(
                Membership.objects.filter(
                    user=user, organization=OuterRef("pk"), role=Membership.Role.ISSUER_ADMIN
                )
            ),
            # Staff and managers take attendance and verify self-reported learning.
            is_center_worker=Exists(
                Membership.objects.filter(
                    user=user, organization=OuterRef("pk"), role__in=permissions.CENTER_ROLES
                )
            ),
        )
    )
    return render(
        request,
        "profiles/staff_home.html",
        {
            "organizations": organizations,
            "regional_scopes": user.regional_scopes.select_related("unit__parent"),
            "is_issuer": any(organization.is_issuer for organization in organizations),
            "is_center_worker": any(
                organization.is_center_worker for organization in organizations
            ),
        },
    )


@public_view
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Set the language for this browser and, when signed in, for this person's emails."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in Language.values:
        return response
    if request.user.is_authenticated:
        user = request.user
        services.user_language_set(user=user, language=language)
    _set_language_cookie(response, language)
    return response


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        # "Lax" in settings/base.py, which mypy reads as str, not the Literal set_cookie takes.
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )


@public_view
@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Public pages may be indexed; accounts, staff, API and people's profiles may not."""
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /staff/",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /profile/",
        "Disallow: /learning/",
        "Disallow: /household/",
        "Disallow: /privacy/",
        "Disallow: /p/",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
