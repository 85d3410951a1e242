"""The catalog API: public search and detail, enrollment for the signed-in citizen, and the
catalog of a center for its managers. Thin views; services decide, selectors read."""

from typing import Any
from uuid import UUID

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from courses import permissions, selectors
from courses.models import Course, Offering
from courses.rest.catalog_serializers import (
    CourseCreateInputSerializer,
    CourseDetailSerializer,
    CourseInputSerializer,
    EnrollmentOutputSerializer,
    OfferingCancelInputSerializer,
    OfferingDetailSerializer,
    OfferingFilter,
    OfferingInputSerializer,
    OfferingOutputSerializer,
)
from courses.selectors import CATALOG_PAGE_SIZE, CatalogFilters, Place
from courses.services import catalog as catalog_services
from courses.services import enrollment as enrollment_services
from learnprofile.access import CitizenApi, PublicApi, StaffApi
from learnprofile.api_schema import API_ERROR
from profiles import api as profiles_api

API_MAX_PAGE_SIZE = 100


# --- Public catalog -------------------------------------------------------------------------


def _unit_id(level: str, code: Any) -> int | None:
    if code is None:
        return None
    unit = profiles_api.administrative_unit_by_code(level=level, code=int(code))
    # An unknown code matches nothing rather than everything.
    return unit.id if unit is not None else -1


def _positive(value: str | None, default: int, maximum: int) -> int:
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 6:
        return default
    return max(1, min(int(value), maximum))


class OfferingListApi(PublicApi, GenericAPIView[Offering]):
    """Published offerings that have not ended: search and filters. At most 1,000 results;
    `count_is_capped` says there are more (refine the search)."""

    queryset = Offering.objects.none()
    filterset_class = OfferingFilter
    serializer_class = OfferingOutputSerializer

    @extend_schema(
        operation_id="offerings_search",
        responses=inline_serializer(
            "OfferingPage",
            {
                "count": serializers.IntegerField(),
                "count_is_capped": serializers.BooleanField(),
                "page": serializers.IntegerField(),
                "pages": serializers.IntegerField(),
                "approximate": serializers.BooleanField(),
                "sort": serializers.CharField(),
                "results": OfferingOutputSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        filterset = OfferingFilter(request.query_params, queryset=self.queryset)
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        data = filterset.form.cleaned_data
        filters = CatalogFilters(
            query=data.get("q") or "",
            province_id=_unit_id("province", data.get("province")),
            ward_id=_unit_id("ward", data.get("ward")),
            category=data.get("category") or "",
            mode=data.get("mode") or "",
            free_only=bool(data.get("free")),
            starts_within_days=int(data["starts_within_days"])
            if data.get("starts_within_days") is not None
            else None,
            has_seats=bool(data.get("has_seats")),
            sort=data.get("sort") or "",
        )
        place = None
        if request.user.is_authenticated:
            person = profiles_api.person_get(user_id=request.user.pk)
            if person is not None and person.residence_province_id is not None:
                place = Place(person.residence_ward_id, person.residence_province_id)
        page = selectors.catalog_search(
            filters,
            page=_positive(request.query_params.get("page"), 1, 10_000),
            page_size=_positive(
                request.query_params.get("page_size"), CATALOG_PAGE_SIZE, API_MAX_PAGE_SIZE
            ),
            place=place,
        )
        return Response(
            {
                "count": page.total,
                "count_is_capped": page.total_is_capped,
                "page": page.page,
                "pages": page.pages,
                "approximate": page.is_approximate,
                "sort": page.sort,
                "results": OfferingOutputSerializer(page.offerings, many=True).data,
            }
        )


class OfferingDetailApi(PublicApi):
    @extend_schema(responses=OfferingDetailSerializer)
    def get(self, request: Request, offering_id: UUID) -> Response:
        offering = selectors.offering_get(public_id=offering_id)
        if offering is None or not selectors.offering_is_listed(offering):
            raise Http404
        return Response(OfferingDetailSerializer(offering).data)


class CourseDetailApi(PublicApi):
    @extend_schema(
        responses=inline_serializer(
            "CourseWithOfferings",
            {
                "course": CourseDetailSerializer(),
                "offerings": OfferingOutputSerializer(many=True),
            },
        )
    )
    def get(self, request: Request, course_id: UUID) -> Response:
        course = selectors.course_get(public_id=course_id)
        if course is None or not course.is_published:
            raise Http404
        offerings = selectors.course_upcoming_offerings(course=course)
        return Response(
            {
                "course": CourseDetailSerializer(course).data,
                "offerings": OfferingOutputSerializer(offerings, many=True).data,
            }
        )


# --- The citizen's enrollments --------------------------------------------------------------


class EnrollApi(CitizenApi):
    @extend_schema(
        request=None, responses={200: EnrollmentOutputSerializer, 201: EnrollmentOutputSerializer}
    )
    def post(self, request: Request, offering_id: UUID) -> Response:
        """Enroll (or join the waitlist). 201 when created, 200 when already enrolled."""
        offering = selectors.offering_get(public_id=offering_id)
        if offering is None or not selectors.offering_is_listed(offering):
            raise Http404
        enrollment, created = enrollment_services.enrollment_create(
            actor=request.user, offering_id=offering.pk
        )
        return Response(
            EnrollmentOutputSerializer(enrollment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MyEnrollmentListApi(CitizenApi):
    @extend_schema(responses=EnrollmentOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        enrollments = selectors.enrollments_of_learner(learner_id=request.user.pk)
        context = {"waitlist_positions": selectors.waitlist_positions(enrollments)}
        return Response(EnrollmentOutputSerializer(enrollments, many=True, context=context).data)


class EnrollmentCancelApi(CitizenApi):
    @extend_schema(request=None, responses=EnrollmentOutputSerializer)
    def post(self, request: Request, enrollment_id: UUID) -> Response:
        enrollment = enrollment_services.enrollment_cancel(
            actor=request.user, enrollment_id=enrollment_id, reason=str(_("Người học tự hủy"))
        )
        return Response(EnrollmentOutputSerializer(enrollment).data)


# --- A center's catalog, for its managers ---------------------------------------------------
class ManagedCourseListApi(StaffApi):
    @extend_schema(responses=CourseDetailSerializer(many=True))
    def get(self, request: Request) -> Response:
        courses = selectors.courses_of_organizations(
            organization_ids=permissions.managed_organization_ids(request.user)
        )
        return Response(CourseDetailSerializer(courses, many=True).data)

    @extend_schema(
        request=CourseCreateInputSerializer,
        responses={201: CourseDetailSerializer, 404: API_ERROR},
    )
    def post(self, request: Request) -> Response:
        serializer = CourseCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        organization = profiles_api.organization_get(public_id=fields.pop("provider"))
        if organization is None:
            raise Http404
        course = catalog_services.course_create(
            actor=request.user, provider_id=organization.id, **fields
        )
        return Response(CourseDetailSerializer(course).data, status=status.HTTP_201_CREATED)


def _managed_course(request: Request, course_id: UUID) -> Course:
    course = selectors.course_get(public_id=course_id)
    if course is None or not permissions.may_manage_course(request.user, course):
        raise Http404
    return course


def _managed_offering(request: Request, offering_id: UUID) -> Offering:
    offering = selectors.offering_get(public_id=offering_id)
    if offering is None or not permissions.may_manage_offering(request.user, offering):
        raise Http404
    return offering


class ManagedCourseDetailApi(StaffApi):
    @extend_schema(responses=CourseDetailSerializer)
    def get(self, request: Request, course_id: UUID) -> Response:
        return Response(CourseDetailSerializer(_managed_course(request, course_id)).data)

    @extend_schema(request=CourseInputSerializer, responses=CourseDetailSerializer)
    def patch(self, request: Request, course_id: UUID) -> Response:
        course = _managed_course(request, course_id)
        serializer = CourseInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        course = catalog_services.course_update(
            actor=request.user, course=course, **serializer.validated_data
        )
        return Response(CourseDetailSerializer(course).data)


def _ward_id(code: int | None) -> int | None:
    if code is None:
        return None
    unit = profiles_api.administrative_unit_by_code(level="ward", code=code)
    if unit is None:
        raise serializers.ValidationError({"ward": [_("Không có xã/phường mã này.")]})
    return unit.id


class ManagedOfferingListApi(StaffApi):
    @extend_schema(responses=OfferingOutputSerializer(many=True))
    def get(self, request: Request, course_id: UUID) -> Response:
        course = _managed_course(request, course_id)
        offerings = course.offerings.select_related(
            "course__provider", "ward", "province"
        ).order_by("-starts_on")
        return Response(OfferingOutputSerializer(offerings, many=True).data)

    @extend_schema(request=OfferingInputSerializer, responses={201: OfferingOutputSerializer})
    def post(self, request: Request, course_id: UUID) -> Response:
        course = _managed_course(request, course_id)
        serializer = OfferingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        ward_id = _ward_id(fields.pop("ward"))
        offering = catalog_services.offering_create(
            actor=request.user, course=course, ward_id=ward_id, **fields
        )
        offering = selectors.offering_get(public_id=offering.public_id)
        return Response(OfferingOutputSerializer(offering).data, status=status.HTTP_201_CREATED)


class ManagedOfferingDetailApi(StaffApi):
    @extend_schema(responses=OfferingDetailSerializer)
    def get(self, request: Request, offering_id: UUID) -> Response:
        return Response(OfferingDetailSerializer(_managed_offering(request, offering_id)).data)

    @extend_schema(request=OfferingInputSerializer, responses=OfferingOutputSerializer)
    def patch(self, request: Request, offering_id: UUID) -> Response:
        offering = _managed_offering(request, offering_id)
        serializer = OfferingInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        ward_id = _ward_id(fields.pop("ward", None))
        catalog_services.offering_update(
            actor=request.user, offering=offering, ward_id=ward_id, **fields
        )
        return Response(
            OfferingOutputSerializer(selectors.offering_get(public_id=offering_id)).data
        )


class ManagedOfferingPublishApi(StaffApi):
    @extend_schema(request=None, responses=OfferingOutputSerializer)
    def post(self, request: Request, offering_id: UUID) -> Response:
        offering = _managed_offering(request, offering_id)
        catalog_services.offering_publish(actor=request.user, offering=offering)
        return Response(
            OfferingOutputSerializer(selectors.offering_get(public_id=offering_id)).data
        )


class ManagedOfferingCancelApi(StaffApi):
    @extend_schema(request=OfferingCancelInputSerializer, responses=OfferingOutputSerializer)
    def post(self, request: Request, offering_id: UUID) -> Response:
        offering = _managed_offering(request, offering_id)
        serializer = OfferingCancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrollment_services.offering_cancel(
            actor=request.user, offering_id=offering.pk, reason=serializer.validated_data["reason"]
        )
        return Response(
            OfferingOutputSerializer(selectors.offering_get(public_id=offering_id)).data
        )
