"""The issuer administrator's pages, under /staff/ (MFA required): certificate templates
(with the three ways to issue; the issuing itself is in `issuing.py`), the export of a
template's credentials, and one credential with its revocation and re-issue. Center staff and
learners get 403; an achievement or credential of another organization answers 404.
"""

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses import api as courses_api
from credentials import documents, exports, permissions, selectors
from credentials.forms import (
    AchievementForm,
    IssueCsvForm,
    IssueOfferingForm,
    IssueOneForm,
    RevokeForm,
)
from credentials.models import Achievement, Credential
from credentials.services import revocation
from credentials.services.achievements import achievement_create, achievement_update
from learnprofile.access import staff_view
from learnprofile.errors import DomainError, NotFound, NotPermitted
from learnprofile.formatting import date_for_people
from learnprofile.forms import form_error_add
from learnprofile.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from learnprofile.text import person_name_normalise
from profiles import api as profiles_api
from profiles.api import AuthenticatedHttpRequest
from profiles.data import PersonData

P = ParamSpec("P")
T = TypeVar("T")


def _issuer_organizations(request: AuthenticatedHttpRequest) -> dict[int, Any]:
    organizations = permissions.issuer_organizations(request.user)
    if not organizations:
        raise PermissionDenied
    return organizations


def page_object_get(getter: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """The object a permission-checked getter of credentials.selectors answers, for a page:
    its NotPermitted is the page's 403, its NotFound the page's 404 (the API maps the same
    errors to the same statuses)."""
    try:
        return getter(*args, **kwargs)
    except NotPermitted as error:
        raise PermissionDenied from error
    except NotFound as error:
        raise Http404 from error


def achievement_for_page(request: AuthenticatedHttpRequest, achievement_id: UUID) -> Achievement:
    """The achievement by public id, if the signed-in person issues it (403, 404 otherwise)."""
    return page_object_get(
        selectors.achievement_for_issuer, actor=request.user, achievement_id=achievement_id
    )


def _offering_choices(achievement: Achievement, *, closed_only: bool) -> list[tuple[str, str]]:
    offerings = courses_api.offerings_of_courses(course_ids=list(achievement.course_ids))
    return [
        (
            str(offering.id),
            f"{offering.course_title} · {date_for_people(offering.starts_on)} - "
            f"{date_for_people(offering.ends_on)}"
            + (
                " · " + _("%(count)s người hoàn thành") % {"count": offering.completed}
                if offering.is_closed
                else " · " + _("chưa kết thúc")
            ),
        )
        for offering in offerings
        if offering.is_closed or not closed_only
    ]


@staff_view
def issuer_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    organizations = _issuer_organizations(request)
    achievements = selectors.issuer_achievements(organization_ids=set(organizations))
    recent = selectors.issuer_batches_recent(organization_ids=set(organizations), limit=10)
    return render(
        request,
        "credentials/issuer/home.html",
        {
            "organizations": organizations.values(),
            "achievements": achievements,
            "batches": recent,
        },
    )


def _achievement_form_page(
    request: AuthenticatedHttpRequest, organization_id: int, achievement: Achievement | None
) -> HttpResponse:
    courses = [
        (course.id, course.title)
        for course in courses_api.courses_of_organization(organization_id=organization_id)
    ]
    form = AchievementForm(
        request.POST or None,
        request.FILES or None,
        instance=achievement or Achievement(organization_id=organization_id),
        courses=courses,
    )
    if request.method == "POST" and form.is_valid():
        unsaved = form.save(commit=False)
        try:
            if achievement is None:
                saved = achievement_create(actor=request.user, achievement=unsaved)
            else:
                saved = achievement_update(
                    actor=request.user, achievement=unsaved, changed_fields=form.changed_data
                )
        except NotPermitted as error:
            raise PermissionDenied from error
        messages.success(request, _("Đã lưu mẫu chứng chỉ."))
        return redirect("issuer_achievement", achievement_id=saved.public_id)
    return render(
        request,
        "credentials/issuer/achievement_form.html",
        {"form": form, "achievement": achievement},
    )


@staff_view
def achievement_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organizations = _issuer_organizations(request)
    chosen = request.GET.get("organization") or request.POST.get("organization")
    organization_id = next(iter(organizations))
    if chosen:
        matching = [o.id for o in organizations.values() if str(o.public_id) == chosen]
        if not matching:
            raise Http404
        organization_id = matching[0]
    return _achievement_form_page(request, organization_id, None)


@staff_view
def achievement_edit(request: AuthenticatedHttpRequest, achievement_id: UUID) -> HttpResponse:
    achievement = achievement_for_page(request, achievement_id)
    return _achievement_form_page(request, achievement.organization_id, achievement)


def issue_forms(
    achievement: Achievement,
    data: QueryDict | None = None,
    files: MultiValueDict[str, UploadedFile] | None = None,
) -> dict[str, Any]:
    closed = _offering_choices(achievement, closed_only=True)
    mode = data.get("mode") if data is not None else None
    # Three forms on one page: each its own ids (the field names stay), so every label
    # points at its own field.
    return {
        "one_form": IssueOneForm(
            data if mode == "one" else None, offerings=closed, auto_id="id_one_%s"
        ),
        "offering_form": IssueOfferingForm(
            data if mode == "offering" else None, offerings=closed, auto_id="id_offering_%s"
        ),
        "csv_form": IssueCsvForm(
            data if mode == "csv" else None,
            files if mode == "csv" else None,
            auto_id="id_csv_%s",
        ),
    }


@staff_view
def achievement_detail(request: AuthenticatedHttpRequest, achievement_id: UUID) -> HttpResponse:
    achievement = achievement_for_page(request, achievement_id)
    return achievement_page_render(request, achievement, issue_forms(achievement))


def achievement_page_render(
    request: AuthenticatedHttpRequest, achievement: Achievement, forms: dict[str, Any]
) -> HttpResponse:
    """The template, the three ways to issue, and its credentials: the latest 50, or those of
    the learner searched for by email or phone (to find one to revoke)."""
    query = request.GET.get("q", "").strip()[:254]
    credentials = selectors.achievement_credentials(
        achievement=achievement, contact=query, limit=50
    )
    for credential, person in credentials:
        credential.signed_name = documents.holder_name(credential.document)  # type: ignore[attr-defined]
        credential.needs_reissue = _needs_reissue(credential, person)  # type: ignore[attr-defined]
    return render(
        request,
        "credentials/issuer/achievement.html",
        {
            "achievement": achievement,
            "credentials": credentials,
            "query": query,
            "batches": selectors.achievement_batches_recent(achievement=achievement, limit=10),
            **forms,
        },
    )


def _credential_for_issuer(request: AuthenticatedHttpRequest, credential_id: UUID) -> Credential:
    return page_object_get(
        selectors.credential_for_issuer, actor=request.user, credential_id=credential_id
    )


@staff_view
def credential_manage(request: AuthenticatedHttpRequest, credential_id: UUID) -> HttpResponse:
    """One credential as its issuer sees it, with the revoke form."""
    credential = _credential_for_issuer(request, credential_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revocation.credential_revoke(
                actor=request.user,
                credential_id=credential.public_id,
                reason=form.cleaned_data["reason"],
            )
        except NotPermitted as error:
            raise PermissionDenied from error
        except (ValidationError, DomainError) as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("Đã thu hồi chứng chỉ."))
            return redirect("issuer_credential", credential_id=credential.public_id)
    person = profiles_api.person_get(user_id=credential.learner_id)
    signed_name = documents.holder_name(credential.document)
    return render(
        request,
        "credentials/issuer/credential.html",
        {
            "credential": credential,
            "person": person,
            "form": form,
            "signed_name": signed_name,
            # A name that changed since (or a credential that signs none) is re-issued.
            "name_differs": _needs_reissue(credential, person),
            "replaced_by": selectors.credential_replacement_id(credential=credential),
        },
    )


def _needs_reissue(credential: Credential, person: PersonData | None) -> bool:
    """A standing credential whose signed name is not the name on file (compared as stored
    and signed: NFC, spaces collapsed), or that signs none."""
    return (
        credential.revoked_at is None
        and person is not None
        and documents.holder_name(credential.document) != person_name_normalise(person.full_name)
    )


@staff_view
@require_POST
def credential_reissue(request: AuthenticatedHttpRequest, credential_id: UUID) -> HttpResponse:
    """Re-issue with the holder's name of today; the old credential is revoked ("re-issued")."""
    credential = _credential_for_issuer(request, credential_id)
    if request.POST.get("confirm") != "yes":
        messages.error(
            request,
            _("Hãy đánh dấu ô xác nhận: cấp lại sẽ thu hồi chứng chỉ cũ, không hoàn tác được."),
        )
        return redirect("issuer_credential", credential_id=credential.public_id)
    try:
        new = revocation.credential_reissue(actor=request.user, credential_id=credential.public_id)
    except NotPermitted as error:
        raise PermissionDenied from error
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("issuer_credential", credential_id=credential.public_id)
    messages.success(request, _("Đã cấp lại chứng chỉ; chứng chỉ cũ đã bị thu hồi."))
    return redirect("issuer_credential", credential_id=new.public_id)


@staff_view
@require_GET
def credentials_export(
    request: AuthenticatedHttpRequest, achievement_id: UUID, file_format: str = "csv"
) -> StreamingHttpResponse | FileResponse:
    """The achievement's credentials as a CSV file (exports.credentials_csv, streamed) or an
    .xlsx workbook (exports.credentials_xlsx); the same rows in both."""
    achievement = achievement_for_page(request, achievement_id)
    response: StreamingHttpResponse | FileResponse
    if file_format == "xlsx":
        response = FileResponse(
            exports.credentials_xlsx(achievement=achievement),
            as_attachment=True,
            filename=f"credentials-{achievement.public_id}.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
    else:
        response = StreamingHttpResponse(
            exports.credentials_csv(achievement=achievement), content_type=CSV_CONTENT_TYPE
        )
        response.headers["Content-Disposition"] = (
            f'attachment; filename="credentials-{achievement.public_id}.csv"'
        )
    response.headers["Cache-Control"] = "private, no-store"
    return response
