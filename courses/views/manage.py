"""A center's catalog, for its managers: courses, offerings, sessions, cancellation, CSV
import; and the roster, for its staff too. Under /staff/, so MFA is required.

An object of another center answers 404, like one that does not exist.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import permissions, selectors
from courses.forms import (
    CourseForm,
    OfferingCancelForm,
    OfferingForm,
    OfferingImportForm,
    RecurrenceForm,
    SessionCancelForm,
    SessionMoveForm,
)
from courses.models import Course, Offering, Session
from courses.services import catalog as catalog_services
from courses.services import enrollment as enrollment_services
from courses.services import sessions as session_services
from courses.services.imports import IMPORT_COLUMNS, IMPORT_MAX_BYTES, offerings_import_file
from courses.services.sessions import Recurrence
from learnprofile.access import staff_view
from learnprofile.errors import DomainError
from learnprofile.forms import form_error_add
from profiles import api as profiles_api


def _managed_course(request: HttpRequest, course_id: UUID) -> Course:
    course = selectors.course_get(public_id=course_id)
    if course is None or not permissions.may_manage_course(request.user, course):
        raise Http404
    return course


def _managed_offering(request: HttpRequest, offering_id: UUID) -> Offering:
    offering = selectors.offering_get(public_id=offering_id)
    if offering is None or not permissions.may_manage_offering(request.user, offering):
        raise Http404
    return offering


def _organizations(request: HttpRequest) -> list[Any]:
    return profiles_api.organizations_of(user_id=request.user.pk, roles=permissions.MANAGER_ROLES)


@staff_view
def manage_home(request: HttpRequest) -> HttpResponse:
    """Staff see their centers' current offerings (to open rosters); managers also edit."""
    organizations = profiles_api.organizations_of(
        user_id=request.user.pk, roles=permissions.CENTER_ROLES
    )
    if not organizations:
        raise Http404
    managed = permissions.managed_organization_ids(request.user)
    return render(
        request,
        "courses/manage/home.html",
        {
            "organizations": organizations,
            "is_manager": bool(managed),
            "courses": selectors.courses_of_organizations(organization_ids=managed),
            "offerings": selectors.current_offerings_of_organizations(
                organization_ids={organization.id for organization in organizations}
            ),
        },
    )


@staff_view
def course_new(request: HttpRequest) -> HttpResponse:
    organizations = _organizations(request)
    if not organizations:
        raise Http404
    organization = organizations[0]
    if len(organizations) > 1:
        chosen = request.GET.get("center", "")
        organization = next(
            (item for item in organizations if str(item.public_id) == chosen), organization
        )
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = catalog_services.course_create(
                actor=request.user, provider_id=organization.id, **form.course_fields()
            )
        except (ValidationError, DomainError) as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("Đã tạo khóa học. Hãy thêm một lớp học."))
            return redirect("manage_course", course_id=course.public_id)
    return render(
        request,
        "courses/manage/course_form.html",
        {"form": form, "provider_name": organization.name, "course": None},
    )


@staff_view
def manage_course(request: HttpRequest, course_id: UUID) -> HttpResponse:
    course = _managed_course(request, course_id)
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        try:
            catalog_services.course_update(
                actor=request.user, course=course, **form.course_fields()
            )
        except (ValidationError, DomainError) as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("Đã lưu khóa học."))
            return redirect("manage_course", course_id=course.public_id)
    return render(
        request,
        "courses/manage/course_form.html",
        {
            "form": form,
            "course": course,
            "provider_name": course.provider_name,
            "offerings": selectors.offerings_named(course.offerings.all()).order_by("-starts_on"),
        },
    )


@staff_view
def offering_new(request: HttpRequest, course_id: UUID) -> HttpResponse:
    course = _managed_course(request, course_id)
    form = OfferingForm(request.POST or None, default_ward_id=course.provider_ward_id)
    if request.method == "POST" and not request.POST.get("find_ward") and form.is_valid():
        try:
            offering = catalog_services.offering_create(
                actor=request.user,
                course=course,
                ward_id=form.cleaned_data["ward"],
                **form.offering_fields(),
            )
        except (ValidationError, DomainError) as error:
            form_error_add(form, error)
        else:
            messages.success(
                request, _("Đã tạo lớp học (bản nháp). Hãy thêm lịch học rồi công bố.")
            )
            return redirect("manage_offering", offering_id=offering.public_id)
    return render(request, "courses/manage/offering_form.html", {"form": form, "course": course})


def _offering_page(
    request: HttpRequest,
    offering: Offering,
    *,
    form: OfferingForm | None = None,
    recurrence_form: RecurrenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "courses/manage/offering.html",
        {
            "form": form or OfferingForm(instance=offering),
            "offering": offering,
            "course": offering.course,
            "sessions": selectors.sessions_of(offering=offering),
            "recurrence_form": recurrence_form
            or RecurrenceForm(initial={"first_day": offering.starts_on}),
        },
        status=status,
    )


@staff_view
def manage_offering(request: HttpRequest, offering_id: UUID) -> HttpResponse:
    offering = _managed_offering(request, offering_id)
    form = OfferingForm(request.POST or None, instance=offering)
    if request.method == "POST" and not request.POST.get("find_ward") and form.is_valid():
        try:
            catalog_services.offering_update(
                actor=request.user,
                offering=offering,
                ward_id=form.cleaned_data["ward"],
                **form.offering_fields(),
            )
        except (ValidationError, DomainError) as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("Đã lưu lớp học."))
            return redirect("manage_offering", offering_id=offering.public_id)
    return _offering_page(request, offering, form=form)


@staff_view
@require_POST
def offering_publish(request: HttpRequest, offering_id: UUID) -> HttpResponse:
    offering = _managed_offering(request, offering_id)
    try:
        catalog_services.offering_publish(actor=request.user, offering=offering)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Lớp học đã được công bố trong danh mục."))
    return redirect("manage_offering", offering_id=offering.public_id)


@staff_view
@require_POST
def sessions_add(request: HttpRequest, offering_id: UUID) -> HttpResponse:
    offering = _managed_offering(request, offering_id)
    form = RecurrenceForm(request.POST)
    if form.is_valid():
        recurrence = Recurrence(
            weekdays=frozenset(int(day) for day in form.cleaned_data["weekdays"]),
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
            first_day=form.cleaned_data["first_day"],
            weeks=form.cleaned_data["weeks"],
            room=form.cleaned_data["room"],
        )
        try:
            created = session_services.sessions_add_recurring(
                actor=request.user, offering=offering, recurrence=recurrence
            )
        except (ValidationError, DomainError) as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("Đã thêm %(count)d buổi học.") % {"count": len(created)})
            return redirect("manage_offering", offering_id=offering.public_id)
    return _offering_page(request, offering, recurrence_form=form, status=422)


def _managed_session(request: HttpRequest, session_id: UUID) -> Session:
    session = (
        Session.objects.select_related("offering__course").filter(public_id=session_id).first()
    )
    if session is None or not permissions.may_manage_offering(request.user, session.offering):
        raise Http404
    return session


@staff_view
def session_change(request: HttpRequest, session_id: UUID) -> HttpResponse:
    """Move a session or cancel it; everyone enrolled is told (the notice outbox)."""
    session = _managed_session(request, session_id)
    offering = session.offering
    local_start = timezone.localtime(session.starts_at)
    move_form = SessionMoveForm(
        request.POST if request.POST.get("action") == "move" else None,
        initial={
            "day": local_start.date(),
            "starts_at": local_start.time(),
            "ends_at": timezone.localtime(session.ends_at).time(),
            "room": session.room,
        },
    )
    cancel_form = SessionCancelForm(
        request.POST if request.POST.get("action") == "cancel" else None,
        auto_id="cancel_%s",  # both forms have a `reason`: each label points at its own field
    )
    try:
        if move_form.is_bound and move_form.is_valid():
            data = move_form.cleaned_data
            starts_at, ends_at = session_services.session_span(
                data["day"], data["starts_at"], data["ends_at"]
            )
            session_services.session_reschedule(
                actor=request.user,
                session=session,
                starts_at=starts_at,
                ends_at=ends_at,
                room=data["room"],
                reason=data["reason"],
            )
            messages.success(request, _("Đã đổi lịch; người học sẽ nhận được thông báo."))
            return redirect("manage_offering", offering_id=offering.public_id)
        if cancel_form.is_bound and cancel_form.is_valid():
            session_services.session_delete(
                actor=request.user, session=session, reason=cancel_form.cleaned_data["reason"]
            )
            messages.success(request, _("Đã hủy buổi học; người học sẽ nhận được thông báo."))
            return redirect("manage_offering", offering_id=offering.public_id)
    except (ValidationError, DomainError) as error:
        form_error_add(cancel_form if cancel_form.is_bound else move_form, error)
    return render(
        request,
        "courses/manage/session.html",
        {
            "session": session,
            "offering": offering,
            "move_form": move_form,
            "cancel_form": cancel_form,
        },
        status=422 if request.method == "POST" else 200,
    )


@staff_view
def offering_cancel(request: HttpRequest, offering_id: UUID) -> HttpResponse:
    offering = _managed_offering(request, offering_id)
    form = OfferingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrollment_services.offering_cancel(
                actor=request.user, offering_id=offering.pk, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, DomainError) as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("Đã hủy lớp học; người học sẽ nhận được email báo tin."))
            return redirect("manage_offering", offering_id=offering.public_id)
    return render(
        request, "courses/manage/offering_cancel.html", {"form": form, "offering": offering}
    )


@staff_view
def roster(request: HttpRequest, offering_id: UUID) -> HttpResponse:
    """The learners of an offering, for the center's staff and managers."""
    offering = selectors.offering_get(public_id=offering_id)
    if offering is None or not permissions.may_view_roster(request.user, offering):
        raise Http404
    enrollments = selectors.roster(offering=offering)
    people = profiles_api.persons_get(
        user_ids={enrollment.learner_id for enrollment in enrollments}
    )
    return render(
        request,
        "courses/manage/roster.html",
        {
            "offering": offering,
            "rows": [(enrollment, people.get(enrollment.learner_id)) for enrollment in enrollments],
            "may_manage": permissions.may_manage_offering(request.user, offering),
        },
    )


@staff_view
def offerings_import(request: HttpRequest) -> HttpResponse:
    organizations = _organizations(request)
    if not organizations:
        raise Http404
    organization = organizations[0]
    chosen = request.POST.get("center") or request.GET.get("center", "")
    organization = next(
        (item for item in organizations if str(item.public_id) == chosen), organization
    )
    form = OfferingImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = offerings_import_file(
                actor=request.user,
                organization_id=organization.id,
                content=upload.read(IMPORT_MAX_BYTES + 1),
                file_name=upload.name or "",
                content_type=upload.content_type or "",
            )
        except DomainError as error:
            form_error_add(form, error)
    return render(
        request,
        "courses/manage/import.html",
        {
            "form": form,
            "report": report,
            "organization": organization,
            "organizations": organizations,
            "columns": IMPORT_COLUMNS,
        },
    )
