"""The catalog, a course's page, enrolling and "My courses"."""

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import selectors
from courses.forms import CatalogFilterForm
from courses.models import EnrollmentStatus, OfferingStatus
from courses.selectors import Place
from courses.services import enrollment as enrollment_services
from learnprofile.access import citizen_view, public_view
from learnprofile.errors import DomainError
from profiles import api as profiles_api


def _place_of(request: HttpRequest) -> Place | None:
    if not request.user.is_authenticated:
        return None
    person = profiles_api.person_get(user_id=request.user.pk)
    if person is None or person.residence_province_id is None:
        return None
    return Place(ward_id=person.residence_ward_id, province_id=person.residence_province_id)


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else 1


@public_view
def catalog(request: HttpRequest) -> HttpResponse:
    """Courses near home: filters, search without accents, shareable URLs, a few queries
    whatever the page size (pinned by a test)."""
    form = CatalogFilterForm(request.GET or None)
    filters = form.filters()
    place = _place_of(request)
    results = selectors.catalog_search(filters, page=_page_number(request), place=place)
    enrolled = (
        selectors.open_enrollments_by_offering(
            learner_id=request.user.pk,
            offering_ids=[offering.pk for offering in results.offerings],
        )
        if request.user.is_authenticated
        else {}
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "courses/catalog.html",
        {
            "form": form,
            "results": results,
            "enrolled": enrolled,
            "has_place": place is not None,
            "filter_query": query.urlencode(),
            "is_searching": bool(filters.query.strip()),
        },
    )


@public_view
def course_detail(request: HttpRequest, course_id: UUID) -> HttpResponse:
    course = selectors.course_get(public_id=course_id)
    if course is None or not course.is_published:
        raise Http404
    offerings = selectors.course_upcoming_offerings(course=course)
    now = timezone.now()
    enrolled = (
        selectors.open_enrollments_by_offering(
            learner_id=request.user.pk, offering_ids=[offering.pk for offering in offerings]
        )
        if request.user.is_authenticated
        else {}
    )
    return render(
        request,
        "courses/course_detail.html",
        {
            "course": course,
            "provider_name": course.provider_name,
            "offerings": [
                (
                    offering,
                    enrolled.get(offering.pk),
                    enrollment_services.enrollment_open_problem(offering, now=now),
                )
                for offering in offerings
            ],
        },
    )


@citizen_view
@require_POST
def enroll(request: HttpRequest, offering_id: UUID) -> HttpResponse:
    offering = selectors.offering_get(public_id=offering_id)
    if offering is None or not selectors.offering_is_listed(offering):
        raise Http404
    course_url = reverse("course_detail", kwargs={"course_id": offering.course.public_id})
    try:
        enrollment, created = enrollment_services.enrollment_create(
            actor=request.user, offering_id=offering.pk
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(course_url)
    if not created:
        messages.info(request, _("Bạn đã đăng ký lớp này rồi."))
    elif enrollment.status == EnrollmentStatus.ACTIVE:
        messages.success(
            request, _("Bạn đã đăng ký thành công. Email xác nhận đang được gửi đến bạn.")
        )
    else:
        messages.warning(
            request,
            _("Lớp đã hết chỗ. Bạn đang ở vị trí số %(position)d trong danh sách chờ.")
            % {"position": selectors.waitlist_positions([enrollment]).get(enrollment.pk, 1)},
        )
    return redirect("my_courses")


@citizen_view
def my_courses(request: HttpRequest) -> HttpResponse:
    enrollments = selectors.enrollments_of_learner(learner_id=request.user.pk)
    positions = selectors.waitlist_positions(enrollments)
    attendance = selectors.attendance_summaries(
        enrollment_ids=[e.pk for e in enrollments if e.status == "active"], until=timezone.now()
    )
    return render(
        request,
        "courses/my_courses.html",
        {
            "enrollments": [
                (enrollment, positions.get(enrollment.pk), attendance.get(enrollment.pk))
                for enrollment in enrollments
            ]
        },
    )


@citizen_view
@require_POST
def enrollment_cancel(request: HttpRequest, enrollment_id: UUID) -> HttpResponse:
    try:
        enrollment_services.enrollment_cancel(
            actor=request.user, enrollment_id=enrollment_id, reason=_("Người học tự hủy")
        )
    except DomainError as error:
        # The refusal is shown on the learner's courses, answered with its status (409).
        messages.error(request, str(error.message))
        refused = my_courses(request)
        refused.status_code = error.http_status
        return refused
    messages.success(request, _("Đã hủy đăng ký."))
    return redirect("my_courses")


@public_view
def offering_page(request: HttpRequest, offering_id: UUID) -> HttpResponse:
    """`/courses/offerings/<id>`: one class, public; the evidence URL signed into every
    credential earned in it, so it answers for as long as the credential lives, even after
    the class ended or its course left the catalog. A draft is not public (404)."""
    offering = selectors.offering_get(public_id=offering_id)
    if offering is None or offering.status == OfferingStatus.DRAFT:
        raise Http404
    return render(
        request,
        "courses/offering.html",
        {
            "offering": offering,
            "course": offering.course,
            "provider_name": offering.provider_name,
            "course_is_listed": offering.course.is_published,
        },
    )
