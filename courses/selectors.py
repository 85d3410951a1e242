"""Reads of the catalog, enrollments and rosters.

The catalog query fetches one page of ids first (cheap, index-driven), then the rows of that
page with their course, center and places: a page costs the same few queries whatever its
size. Counts stop at CATALOG_MAX_RESULTS: beyond that a citizen refines the search rather
than paging, and counting 200,000 matches would cost more than finding the first 20.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, QuerySet, Value, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from courses.models import (
    ENROLLMENT_OPEN_STATUSES,
    Course,
    Enrollment,
    Offering,
    OfferingStatus,
    Session,
)
from courses.search import search_terms

CATALOG_MAX_RESULTS = 1000
CATALOG_PAGE_SIZE = 20
SORT_RELEVANCE = "relevance"
SORT_NEAR = "near"
SORT_SOON = "soon"
SORTS = (SORT_RELEVANCE, SORT_NEAR, SORT_SOON)


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


@dataclass
class CatalogPage:
    offerings: list[Offering]
    total: int
    total_is_capped: bool
    page: int
    page_size: int
    sort: str
    is_approximate: bool = False  # no offering had every word; these have some
    words: tuple[str, ...] = field(default_factory=tuple)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def today() -> date:
    return timezone.localdate()


def _catalog_base(filters: CatalogFilters) -> QuerySet[Offering]:
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
    if filters.has_seats:
        offerings = offerings.filter(enrolled_count__lt=F("capacity"))
    if filters.course_id is not None:
        offerings = offerings.filter(course_id=filters.course_id)
    return offerings


def _text_query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="raw", config="simple")


def _page_ids(
    offerings: QuerySet[Offering],
    *,
    sort: str,
    query: SearchQuery | None,
    place: Place | None,
    start: int,
    stop: int,
) -> list[int]:
    if sort == SORT_NEAR and place is not None and place.province_id is not None:
        return _near_ids(offerings, place=place, start=start, stop=stop)
    if sort == SORT_RELEVANCE and query is not None:
        # Rank the soonest CATALOG_MAX_RESULTS matches, not every match: a common word can
        # match a fifth of the catalog, and ranking it all would cost a scan of it.
        candidates = offerings.order_by("starts_on", "id").values("pk")[:CATALOG_MAX_RESULTS]
        ranked = (
            Offering.objects.filter(pk__in=candidates)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "starts_on", "id")
        )
        return list(ranked.values_list("pk", flat=True)[start:stop])
    return list(offerings.order_by("starts_on", "id").values_list("pk", flat=True)[start:stop])


def _near_ids(offerings: QuerySet[Offering], *, place: Place, start: int, stop: int) -> list[int]:
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


def catalog_search(
    filters: CatalogFilters,
    *,
    page: int = 1,
    page_size: int = CATALOG_PAGE_SIZE,
    place: Place | None = None,
) -> CatalogPage:
    """One page of the catalog: published offerings that have not ended, filtered, searched
    (every word, the last as a prefix; if nothing has every word, any word, marked
    approximate) and sorted. Queries: a capped count, the page's ids, the page's rows."""
    terms = search_terms(filters.query)
    offerings = _catalog_base(filters)
    query: SearchQuery | None = None
    is_approximate = False
    sort = filters.sort if filters.sort in SORTS else ""
    if terms:
        query = _text_query(terms.all_words())
        matching = offerings.filter(search_vector=query)
        total = matching.values("pk")[: CATALOG_MAX_RESULTS + 1].count()
        if total == 0 and len(terms.words) > 1:
            query = _text_query(terms.any_word())
            matching = offerings.filter(search_vector=query)
            total = matching.values("pk")[: CATALOG_MAX_RESULTS + 1].count()
            is_approximate = total > 0
        offerings = matching
        sort = sort or SORT_RELEVANCE
    else:
        total = offerings.values("pk")[: CATALOG_MAX_RESULTS + 1].count()
        if sort == SORT_RELEVANCE:
            sort = ""
    if not sort:
        sort = SORT_NEAR if place is not None and place.province_id is not None else SORT_SOON
    total_is_capped = total > CATALOG_MAX_RESULTS
    total = min(total, CATALOG_MAX_RESULTS)
    last_page = max(1, -(-total // page_size))
    page = min(max(page, 1), last_page)
    start = (page - 1) * page_size
    ids = (
        _page_ids(
            offerings,
            sort=sort,
            query=query,
            place=place,
            start=start,
            stop=min(start + page_size, CATALOG_MAX_RESULTS),
        )
        if total
        else []
    )
    rows = Offering.objects.select_related("course__provider", "ward", "province").in_bulk(ids)
    return CatalogPage(
        offerings=[rows[pk] for pk in ids if pk in rows],
        total=total,
        total_is_capped=total_is_capped,
        page=page,
        page_size=page_size,
        sort=sort,
        is_approximate=is_approximate,
        words=terms.words,
    )


def course_get(*, public_id: Any) -> Course | None:
    return (
        Course.objects.select_related("provider__ward__parent").filter(public_id=public_id).first()
    )


def course_upcoming_offerings(*, course: Course) -> list[Offering]:
    """Published offerings of a course that have not ended, with their sessions."""
    return list(
        course.offerings.filter(status=OfferingStatus.PUBLISHED, ends_on__gte=today())
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
        Offering.objects.select_related("course__provider", "ward", "province")
        .filter(public_id=public_id)
        .first()
    )


def enrollments_of_learner(*, learner_id: int) -> list[Enrollment]:
    """A learner's enrollments: open ones by start date, then the cancelled ones."""
    enrollments = Enrollment.objects.filter(learner_id=learner_id).select_related(
        "offering__course__provider", "offering__ward", "offering__province"
    )
    return sorted(
        enrollments,
        key=lambda enrollment: (
            enrollment.status not in ENROLLMENT_OPEN_STATUSES,
            enrollment.offering.starts_on,
            enrollment.pk,
        ),
    )


def waitlist_positions(enrollments: list[Enrollment]) -> dict[int, int]:
    """{enrollment id: place in its offering's waitlist (1 = next)} for the waitlisted ones
    among `enrollments`, in one query whatever their number."""
    waiting = [enrollment for enrollment in enrollments if enrollment.status == "waitlisted"]
    if not waiting:
        return {}
    ranked = (
        Enrollment.objects.filter(
            offering_id__in={enrollment.offering_id for enrollment in waiting},
            status="waitlisted",
        )
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("offering_id")], order_by=[F("waitlisted_at"), F("id")]
            )
        )
        .values_list("pk", "position")
    )
    # The window numbers the whole waitlist; a filter on pk would number only the kept rows.
    mine = {enrollment.pk for enrollment in waiting}
    return {pk: position for pk, position in ranked if pk in mine}


def open_enrollments_by_offering(
    *, learner_id: int, offering_ids: list[int]
) -> dict[int, Enrollment]:
    return {
        enrollment.offering_id: enrollment
        for enrollment in Enrollment.objects.filter(
            learner_id=learner_id,
            offering_id__in=offering_ids,
            status__in=ENROLLMENT_OPEN_STATUSES,
        )
    }


def roster(*, offering: Offering) -> list[Enrollment]:
    """Active learners, then the waitlist in order."""
    return list(
        offering.enrollments.filter(status__in=ENROLLMENT_OPEN_STATUSES).order_by(
            "status", "waitlisted_at", "created_at", "id"
        )
    )


def sessions_of(*, offering: Offering) -> QuerySet[Session]:
    return offering.sessions.order_by("starts_at", "id")


def courses_of_organizations(*, organization_ids: set[int]) -> QuerySet[Course]:
    return (
        Course.objects.filter(provider_id__in=organization_ids)
        .select_related("provider")
        .order_by("provider__name", "title")
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


def learner_is_enrolled_at(organization_ids: set[int], learner_id: int) -> bool:
    """profiles asks this (through learner_relation_register) before showing a learner's
    summary to center staff."""
    return Enrollment.objects.filter(
        learner_id=learner_id, offering__course__provider_id__in=organization_ids
    ).exists()
