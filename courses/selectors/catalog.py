"""Reads of the catalog: its filters, the base query of published offerings, "near me",
a course's and an offering's page, and a center's catalog for its staff."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db.models import F, Model, Q, QuerySet, Value
from django.utils import timezone

from courses.models import Course, Offering, OfferingStatus
from profiles import api as profiles_api

_Row = TypeVar("_Row", bound=Model)


@dataclass(frozen=True)
class CatalogFilters:
    query: str = ""
    province_id: int | None = None
    ward_id: int | None = None
    category: str = ""
    mode: str = ""
    free_only: bool = False
    starts_within_days: int | None = None
    has_seats: bool = False
    sort: str = ""
    course_id: int | None = None


@dataclass(frozen=True)
class Place:
    """Where the citizen lives, for "near me"."""

    ward_id: int | None
    province_id: int | None


def today() -> date:
    return timezone.localdate()


def catalog_base(filters: CatalogFilters, *, seats: bool = True) -> QuerySet[Offering]:
    """Published offerings that have not ended, under `filters` (the seat filter left out
    when `seats` is false: it reads the table, not the covering index)."""
    offerings = Offering.objects.filter(status=OfferingStatus.PUBLISHED, ends_on__gte=today())
    if filters.province_id is not None:
        offerings = offerings.filter(province_id=filters.province_id)
    if filters.ward_id is not None:
        offerings = offerings.filter(ward_id=filters.ward_id)
    if filters.category:
        offerings = offerings.filter(category=filters.category)
    if filters.mode:
        offerings = offerings.filter(mode=filters.mode)
    if filters.free_only:
        offerings = offerings.filter(is_free=True)
    if filters.starts_within_days is not None:
        offerings = offerings.filter(
            starts_on__lte=today() + timedelta(days=filters.starts_within_days)
        )
    if filters.has_seats and seats:
        offerings = offerings.filter(enrolled_count__lt=F("capacity"))
    if filters.course_id is not None:
        offerings = offerings.filter(course_id=filters.course_id)
    return offerings


def near_ids(offerings: QuerySet[Offering], *, place: Place, start: int, stop: int) -> list[int]:
    """The citizen's ward first, then the rest of the province, then everywhere else, each
    soonest first. One UNION ALL of three index scans, each limited to the page's end."""
    tiers: list[QuerySet[Any]] = []
    province_id = place.province_id
    if place.ward_id is not None:
        tiers.append(offerings.filter(ward_id=place.ward_id).annotate(tier=Value(0)))
        tiers.append(
            offerings.filter(province_id=province_id)
            .exclude(ward_id=place.ward_id)
            .annotate(tier=Value(1))
        )
    else:
        tiers.append(offerings.filter(province_id=province_id).annotate(tier=Value(1)))
    tiers.append(offerings.exclude(province_id=province_id).annotate(tier=Value(2)))
    parts = [
        tier.order_by("starts_on", "id").values_list("pk", "tier", "starts_on")[:stop]
        for tier in tiers
    ]
    union = parts[0].union(*parts[1:], all=True).order_by("tier", "starts_on", "pk")
    return [row[0] for row in union[start:stop]]


def open_offerings_near(
    *, place: Place, limit: int = 3, course_ids: set[int] | None = None
) -> list[Offering]:
    """Published classes that have not started and still take enrollments, with a free seat
    (of `course_ids`, if given): the person's ward first, then their province, then
    elsewhere, each soonest first."""
    now = timezone.now()
    offerings = (
        catalog_base(CatalogFilters(has_seats=True))
        .filter(starts_on__gt=today())
        .filter(Q(enrollment_closes_at__isnull=True) | Q(enrollment_closes_at__gt=now))
    )
    if course_ids is not None:
        offerings = offerings.filter(course_id__in=course_ids)
    if place.province_id is None:
        ids = list(offerings.order_by("starts_on", "id").values_list("pk", flat=True)[:limit])
    else:
        ids = near_ids(offerings, place=place, start=0, stop=limit)
    found = Offering.objects.select_related("course").in_bulk(ids)
    return [found[pk] for pk in ids]


def offerings_named(offerings: QuerySet[_Row], *, via: str = "") -> QuerySet[_Row]:
    """`offerings` (or rows reaching an offering through `via`, e.g. "offering__") with the
    names of profiles' rows they refer to, read through profiles.api in the same query:
    `provider_name` (the course's center), `ward_name` and `province_name` ("" when none).
    Pages show these, never a path across the foreign key (decision 0011)."""
    named: QuerySet[_Row] = offerings.annotate(
        provider_name=profiles_api.organization_name_expression(
            organization_id_field=f"{via}course__provider_id"
        ),
        ward_name=profiles_api.administrative_unit_name_expression(unit_id_field=f"{via}ward_id"),
        province_name=profiles_api.administrative_unit_name_expression(
            unit_id_field=f"{via}province_id"
        ),
    )
    return named


def course_get(*, public_id: Any) -> Course | None:
    """The course, with `provider_name` and `provider_ward_id` (its center's name and ward,
    read through profiles.api)."""
    return (
        Course.objects.select_related("provider__ward__parent")
        .annotate(
            provider_name=profiles_api.organization_name_expression(
                organization_id_field="provider_id"
            ),
            provider_ward_id=profiles_api.organization_ward_id_expression(
                organization_id_field="provider_id"
            ),
        )
        .filter(public_id=public_id)
        .first()
    )


def course_upcoming_offerings(*, course: Course) -> list[Offering]:
    """Published offerings of a course that have not ended, with their sessions."""
    return list(
        offerings_named(
            course.offerings.filter(status=OfferingStatus.PUBLISHED, ends_on__gte=today())
        )
        .select_related("ward", "province")
        .prefetch_related("sessions")
        .order_by("starts_on", "id")
    )


def offering_is_listed(offering: Offering) -> bool:
    """May the public see this offering? Not a draft, and its course is published (a
    cancelled one stays visible, so links in emails explain themselves)."""
    return offering.status != OfferingStatus.DRAFT and offering.course.is_published


def offering_get(*, public_id: Any) -> Offering | None:
    return (
        offerings_named(Offering.objects.select_related("course__provider", "ward", "province"))
        .filter(public_id=public_id)
        .first()
    )


def courses_of_organizations(*, organization_ids: set[int]) -> QuerySet[Course]:
    return (
        Course.objects.filter(provider_id__in=organization_ids)
        .select_related("provider")
        .annotate(
            provider_name=profiles_api.organization_name_expression(
                organization_id_field="provider_id"
            )
        )
        .order_by("provider_name", "title")
    )


def current_offerings_of_organizations(
    *, organization_ids: set[int], limit: int = 100
) -> list[Offering]:
    """Offerings of these centers that have not ended, soonest first (staff's start page)."""
    return list(
        Offering.objects.filter(course__provider_id__in=organization_ids, ends_on__gte=today())
        .exclude(status=OfferingStatus.CANCELLED)
        .select_related("course", "ward")
        .order_by("starts_on", "id")[:limit]
    )
