"""The staff gate by construction (issue 18, point 1).

Every URL pattern and API route is walked as a person who holds a staff role but has no
second factor. Outside the allowlist of citizen and public routes below, every answer must be
the gate's: pages send them to set up TOTP, API endpoints answer 403. Every route of ours
declares its audience (`learnprofile.access`); third-party routes (allauth's account and MFA
pages, which must stay reachable to set the second factor up) are named by module.
"""

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern
from django.utils.regex_helper import normalize
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from learnprofile.access import STAFF, HasStaffRole, StaffWithMfa, view_access

# Citizen routes (a signed-in person's own data) and public routes (anyone). A new route that
# is neither must be a staff route behind the gate; adding a name here is a reviewed decision.
CITIZEN_ROUTES = {
    "profile_edit", "notice_preferences", "my_learning", "learning_add", "learning_goals",
    "public_profile_settings", "learning_record", "learning_record_withdraw",
    "evidence_download", "household_home", "household_create", "household_invite",
    "household_join_code", "household_join", "household_invitation_revoke",
    "household_sharing", "household_leave", "privacy_home", "consents_update",
    "export_request", "data_request_status", "export_download", "account_delete",
    "account_delete_cancel", "enroll", "my_courses", "enrollment_cancel", "checkin_code",
    "checkin_scan", "walk_in_claim", "my_credentials", "credential_visibility",
    "api_my_profile", "api_my_learning_records", "api_data_requests", "api_data_export",
    "api_enroll", "api_my_enrollments", "api_enrollment_cancel", "api_check_in",
    "api_check_in_code",
    # allauth's TOTP set-up and recovery codes, wrapped to keep `next` (profiles.views.mfa):
    # a staff member without a second factor must reach them.
    "mfa_activate_totp", "mfa_view_recovery_codes",
}  # fmt: skip
PUBLIC_ROUTES = {
    "home", "ward_options", "language_switch", "unsubscribe", "robots_txt", "public_profile",
    "privacy_notice", "catalog", "course_detail", "offering_page", "credential_page",
    "credential_json", "credential_pdf", "credential_qr", "credential_verify_upload",
    "achievement_page", "achievement_image", "issuer_did_document", "status_list_credential",
    "api_wards", "api_offerings", "api_offering", "api_course", "api_credential_verify",
    "api_schema", "api_docs", "healthz",
}  # fmt: skip
ALLOWLIST = CITIZEN_ROUTES | PUBLIC_ROUTES
# allauth: sign-in, sign-up, password and e-mail pages, and the MFA pages themselves.
THIRD_PARTY_MODULES = ("allauth.",)
# Routes outside our code that still must be gated: the Django admin (the prefix middleware).
UNDECLARED_BUT_GATED_PREFIXES = ("/admin/",)

API_METHODS = ("get", "post", "put", "patch", "delete")
PAGE_METHODS = ("get", "post")
SAMPLES = {"uuid": str(uuid.UUID(int=7)), "int": "1", "slug": "x", "str": "x", "path": "x"}
# Values tried, in order, for a named group of a regex pattern (the admin's).
REGEX_CANDIDATES = ("profiles", "user", "1", "x", SAMPLES["uuid"])


@dataclass(frozen=True)
class Route:
    path: str
    name: str
    callback: Any

    @property
    def module(self) -> str:
        view = getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)
        view = view or self.callback
        return f"{view.__module__}.{getattr(view, '__qualname__', '')}"

    @property
    def is_api(self) -> bool:
        return hasattr(self.callback, "cls")


def _routes(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += _routes(entry.url_patterns, prefix + _sample(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            path = "/" + prefix + _sample(entry.pattern)
            routes.append(Route(path, namespace + (entry.name or ""), entry.callback))
    return routes


def _sample(pattern: Any) -> str:
    """A concrete path piece for a pattern: sample values for converters and regex groups."""
    if isinstance(pattern, RegexPattern):
        template, params = normalize(pattern.regex.pattern)[0]
        return template % dict.fromkeys(params, REGEX_CANDIDATES[0])
    return re.sub(
        r"<(?:(\w+):)?\w+>",
        lambda match: SAMPLES[match.group(1) or "str"],
        str(pattern),
    )


def _regex_path(route: Route) -> str:
    """The admin's regex groups: the first candidate that resolves back to the same view."""
    for candidate in REGEX_CANDIDATES:
        path = route.path.replace(REGEX_CANDIDATES[0], candidate)
        try:
            if resolve(path).func == route.callback:
                return path
        except Exception:  # noqa: S112 - an unresolvable candidate: try the next
            continue
    return route.path


def gate_offenders(*, staff_user: Any) -> list[str]:
    """Routes a staff member without a second factor can reach, or that declare no audience.

    Returns one line per fault: "<path> (<url name>, <view>): <what is wrong>".
    """
    faults: list[str] = []
    token = Token.objects.get_or_create(user=staff_user)[0]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    pages = Client()
    pages.force_login(staff_user)
    mfa_setup = reverse("mfa_activate_totp")
    for route in _routes(get_resolver().url_patterns):
        label = f"{route.path} ({route.name or '-'}, {route.module})"
        if route.module.startswith(THIRD_PARTY_MODULES):
            continue
        access = view_access(route.callback)
        third_party_gated = route.path.startswith(UNDECLARED_BUT_GATED_PREFIXES)
        if route.name in ALLOWLIST:
            if access is None:
                faults.append(f"{label}: declares no audience")
            elif access == STAFF:
                faults.append(f"{label}: a staff route on the citizen/public allowlist")
            continue
        if access is None and not third_party_gated:
            faults.append(f"{label}: declares no audience and is not on the allowlist")
        path = _regex_path(route)
        if route.is_api:
            for method in API_METHODS:
                response = getattr(api, method)(path, format="json")
                body = (
                    response.json()
                    if response["Content-Type"].startswith("application/json")
                    else {}
                )
                message = body.get("error", {}).get("message")
                if response.status_code != 403 or message != str(StaffWithMfa.message):
                    faults.append(f"{label}: {method.upper()} answered {response.status_code}")
        else:
            for method in PAGE_METHODS:
                response = getattr(pages, method)(path)
                if response.status_code != 302 or not response["Location"].startswith(mfa_setup):
                    faults.append(f"{label}: {method.upper()} answered {response.status_code}")
    return faults


def test_no_staff_route_is_reachable_without_a_second_factor(personas) -> None:
    faults = gate_offenders(staff_user=personas.center_staff)
    assert faults == [], "\n".join(faults)


def test_every_allowlisted_name_is_a_route() -> None:
    names = {route.name for route in _routes(get_resolver().url_patterns)}
    assert ALLOWLIST - names == set()


@override_settings(ROOT_URLCONF="tests.urls_rogue_staff_route")
def test_the_walk_finds_a_staff_route_outside_the_gate(personas) -> None:
    faults = gate_offenders(staff_user=personas.center_staff)
    assert [fault for fault in faults if "rogue" in fault] == [
        "/manage-rogue/verifications/ (rogue_page, tests.urls_rogue_staff_route.rogue_page):"
        " declares no audience and is not on the allowlist",
        "/manage-rogue/verifications/ (rogue_page, tests.urls_rogue_staff_route.rogue_page):"
        " GET answered 200",
        "/manage-rogue/verifications/ (rogue_page, tests.urls_rogue_staff_route.rogue_page):"
        " POST answered 200",
        "/api/v1/rogue/ (rogue_api, tests.urls_rogue_staff_route.RogueApi):"
        " declares no audience and is not on the allowlist",
        "/api/v1/rogue/ (rogue_api, tests.urls_rogue_staff_route.RogueApi): GET answered 200",
        "/api/v1/rogue/ (rogue_api, tests.urls_rogue_staff_route.RogueApi): POST answered 405",
        "/api/v1/rogue/ (rogue_api, tests.urls_rogue_staff_route.RogueApi): PUT answered 405",
        "/api/v1/rogue/ (rogue_api, tests.urls_rogue_staff_route.RogueApi): PATCH answered 405",
        "/api/v1/rogue/ (rogue_api, tests.urls_rogue_staff_route.RogueApi): DELETE answered 405",
    ]


@override_settings(ROOT_URLCONF="tests.urls_rogue_staff_route")
def test_a_subclass_cannot_drop_the_gate_of_staff_api(personas) -> None:
    """`StaffApi` with `permission_classes = [AllowAny]` still refuses a staff member without
    a second factor."""
    token = Token.objects.create(user=personas.center_staff)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/rogue-open-staff/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == str(StaffWithMfa.message)


@pytest.mark.parametrize("url_name", ["api_staff_verification", "api_staff_sessions"])
def test_a_learner_gets_403_from_a_staff_endpoint(personas, url_name: str) -> None:
    token = Token.objects.create(user=personas.learner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    kwargs = {"record_id": uuid.uuid4()} if url_name == "api_staff_verification" else {}
    response = api.post(reverse(url_name, kwargs=kwargs), {"decision": "verify"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == str(HasStaffRole.message)


def test_a_token_client_is_answered_in_the_language_they_chose(personas) -> None:
    """The language cookie is for browsers; a token names the person and their choice."""
    personas.center_staff.preferred_language = "en"
    personas.center_staff.save(update_fields=["preferred_language"])
    token = Token.objects.create(user=personas.center_staff)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api.get(reverse("api_staff_sessions"))

    assert response.status_code == 403
    assert response["Content-Language"] == "en"
    assert response.json()["error"]["message"] == (
        "Turn on two-step verification (TOTP) for your staff account first."
    )


def test_the_language_of_a_token_client_does_not_outlive_their_request(personas) -> None:
    """Work done after the answer (a certificate, an e-mail) is not written in their language."""
    from django.utils import translation

    personas.center_staff.preferred_language = "en"
    personas.center_staff.save(update_fields=["preferred_language"])
    token = Token.objects.create(user=personas.center_staff)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    with translation.override("vi"):
        api.get(reverse("api_staff_sessions"))
        language_after = translation.get_language()

    assert language_after == "vi"
