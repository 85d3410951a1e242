"""Reads of the catalog, enrollments and rosters.

The catalog query fetches one page of ids first (cheap, index-driven), then the rows of that
page with their course, center and places: a page costs the same few queries whatever its
size. Counts stop at CATALOG_MAX_RESULTS: beyond that a citizen refines the search rather
than paging, and counting 200,000 matches would cost more than finding the first 20.
"""

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Model, Q, QuerySet, Value, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from courses.data import CompletionData
from courses.models import (
    ENROLLMENT_OPEN_STATUSES,
    AttendanceMark,
    CompletionStatus,
    Course,
    Enrollment,
    EnrollmentStatus,
    Offering,
    OfferingStatus,
    Session,
)
from courses.search import SearchTerms, search_terms
from learnprofile.text import fold
from profiles import api as profiles_api
from profiles.data import PersonData

CATALOG_MAX_RESULTS = 1000
# How far a text search walks the catalog in date order before handing rare words to the
# GIN index (see _soonest_matches): about 15 ms of index reading on a small server.
MATCH_WINDOW_ROWS = 40_000
WORD_STATISTICS_SECONDS = 600
CATALOG_PAGE_SIZE = 20
SORT_RELEVANCE = "relevance"
SORT_NEAR = "near"
SORT_SOON = "soon"
SORTS = (SORT_RELEVANCE, SORT_NEAR, SORT_SOON)

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


def _catalog_base(filters: CatalogFilters, *, seats: bool = True) -> QuerySet[Offering]:
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


def _text_query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="raw", config="simple")


@dataclass(frozen=True)
class _Match:
    pk: int
    ward_id: int
    province_id: int
    rank: float


def _soonest_matches(
    filters: CatalogFilters, terms: SearchTerms, *, any_word: bool, limit: int
) -> list[_Match]:
    """The soonest `limit` offerings under `filters` that match `terms` (every word, or any
    word), soonest first, with their rank.

    The GIN index finds rare words at once, but for a common one it must collect every match
    and visit each in the table: 50,000 visits for a word in a twentieth of the catalog, to
    keep the soonest 1,000. So, when the words may be common (by PostgreSQL's own statistics
    of the words), the search first walks a covering index (offering_catalog_idx, or
    offering_province_idx for one province) in date order, checking the words on each entry
    without visiting the table, and stops at `limit` matches. If the first
    MATCH_WINDOW_ROWS offerings hold fewer, the words are rare after all and the GIN index
    takes over. One ward or one course is small: the GIN index with its index is cheap.
    """
    text = terms.any_word() if any_word else terms.all_words()
    if (
        filters.ward_id is None
        and filters.course_id is None
        and _may_be_common(terms, any_word=any_word, limit=limit)
    ):
        matches = _soonest_matches_in_window(filters, text, limit=limit)
        if matches is not None:
            return matches
    rows = (
        _catalog_base(filters)
        .filter(search_vector=_text_query(text))
        .annotate(rank=SearchRank(F("search_vector"), _text_query(text)))
        .order_by("starts_on", "id")
        .values_list("pk", "ward_id", "province_id", "rank")[:limit]
    )
    return [_Match(*row) for row in rows]


def _may_be_common(terms: SearchTerms, *, any_word: bool, limit: int) -> bool:
    """Could the window hold `limit` matches? An upper bound from the word frequencies that
    ANALYZE keeps for the search column: every word's at most, any word's at most their sum.
    A word under the statistics' floor is rarer than the floor; a prefix may be anything."""
    frequencies, floor = _word_frequencies()
    if not frequencies:
        return True
    shares = [
        1.0 if is_prefix else frequencies.get(term, floor) for term, is_prefix in terms.terms()
    ]
    share = min(1.0, sum(shares)) if any_word else min(shares)
    return share * MATCH_WINDOW_ROWS >= limit


# Never read: -inf, not 0 (time.monotonic() may count from boot, minutes ago).
_frequencies_cache: tuple[float, dict[str, float], float] = (float("-inf"), {}, 0.0)


def _word_frequencies() -> tuple[dict[str, float], float]:
    """({word: share of offerings containing it}, floor) for the most common words, as the
    last ANALYZE saw them (pg_stats), read at most every WORD_STATISTICS_SECONDS."""
    global _frequencies_cache
    read_at, frequencies, floor = _frequencies_cache
    if time.monotonic() - read_at < WORD_STATISTICS_SECONDS:
        return frequencies, floor
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
            " WHERE schemaname = current_schema() AND tablename = %s AND attname = %s",
            [Offering._meta.db_table, "search_vector"],
        )
        row = cursor.fetchone()
    frequencies, floor = {}, 0.0
    if row and row[0] and row[1]:
        words, shares = row
        # After one share per word come the minimum, the maximum and the null share.
        frequencies = dict(zip(words, shares, strict=False))
        floor = shares[len(words)]
    _frequencies_cache = (time.monotonic(), frequencies, floor)
    return frequencies, floor


def _soonest_matches_in_window(
    filters: CatalogFilters, text: str, *, limit: int
) -> list[_Match] | None:
    """_soonest_matches within the soonest MATCH_WINDOW_ROWS offerings under `filters`, or
    None if that window is full and holds fewer than `limit` matches.

    The window reads only the covering index (the seat filter, when asked, is checked in the
    table for matching rows only). Whether a window with too few matches was full is asked
    only then, by counting it.
    """
    window = (
        _catalog_base(filters, seats=False)
        .order_by("starts_on", "id")
        .values_list("pk", "starts_on", "ward_id", "province_id", "search_vector")[
            :MATCH_WINDOW_ROWS
        ]
    )
    window_sql, window_params = window.query.sql_with_params()
    seats = (
        " AND EXISTS (SELECT 1 FROM courses_offering seat WHERE seat.id = w.pk"
        " AND seat.enrolled_count < seat.capacity)"
        if filters.has_seats
        else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w.pk, w.ward_id, w.province_id, ts_rank(w.search_vector, q.query)"  # noqa: S608
            f" FROM ({window_sql}) w, to_tsquery('simple'::regconfig, %s) q(query)"
            f" WHERE w.search_vector @@ q.query{seats} ORDER BY w.starts_on, w.pk LIMIT %s",
            [*window_params, text, limit],
        )
        matches = [_Match(*row) for row in cursor.fetchall()]
    if (
        len(matches) < limit
        and _catalog_base(filters, seats=False).values("pk")[:MATCH_WINDOW_ROWS].count()
        == MATCH_WINDOW_ROWS
    ):
        return None
    return matches


def _ranked(matches: list[_Match]) -> list[int]:
    """Best rank first; equal ranks soonest first (`matches` come soonest first)."""
    return [match.pk for match in sorted(matches, key=lambda match: -match.rank)]


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


def _near_matches(
    filters: CatalogFilters,
    terms: SearchTerms,
    *,
    any_word: bool,
    place: Place,
    matches: list[_Match],
    start: int,
    stop: int,
) -> list[int]:
    """_near_ids for a text search. The soonest matches already hold the third tier, most of
    the results; the ward's and the province's come from their own small searches."""
    if filters.ward_id is not None or filters.province_id not in (None, place.province_id):
        return [match.pk for match in matches[start:stop]]  # one place: soonest first
    ward: list[_Match] = []
    if place.ward_id is not None:
        ward = _soonest_matches(
            replace(filters, ward_id=place.ward_id), terms, any_word=any_word, limit=stop
        )
    province = [
        match
        for match in _soonest_matches(
            replace(filters, province_id=place.province_id),
            terms,
            any_word=any_word,
            limit=stop + len(ward),
        )
        if match.ward_id != place.ward_id
    ]
    near = [match.pk for match in [*ward, *province][:stop]]
    # Enough for any page: if the province has fewer than `stop` matches, `near` holds them
    # all, so near and elsewhere together hold at least every match at hand.
    elsewhere = [match.pk for match in matches if match.province_id != place.province_id]
    return [*near, *elsewhere][start:stop]


def open_offerings_near(
    *, place: Place, limit: int = 3, course_ids: set[int] | None = None
) -> list[Offering]:
    """Published classes that have not started and still take enrollments, with a free seat
    (of `course_ids`, if given): the person's ward first, then their province, then
    elsewhere, each soonest first."""
    now = timezone.now()
    offerings = (
        _catalog_base(CatalogFilters(has_seats=True))
        .filter(starts_on__gt=today())
        .filter(Q(enrollment_closes_at__isnull=True) | Q(enrollment_closes_at__gt=now))
    )
    if course_ids is not None:
        offerings = offerings.filter(course_id__in=course_ids)
    if place.province_id is None:
        ids = list(offerings.order_by("starts_on", "id").values_list("pk", flat=True)[:limit])
    else:
        ids = _near_ids(offerings, place=place, start=0, stop=limit)
    found = Offering.objects.select_related("course").in_bulk(ids)
    return [found[pk] for pk in ids]


def catalog_search(
    filters: CatalogFilters,
    *,
    page: int = 1,
    page_size: int = CATALOG_PAGE_SIZE,
    place: Place | None = None,
) -> CatalogPage:
    """One page of the catalog: published offerings that have not ended, filtered, searched
    (every word, the last as a prefix; if nothing has every word, any word, marked
    approximate) and sorted.

    A text search finds its soonest CATALOG_MAX_RESULTS + 1 matches with their rank in one
    query (count, candidates and relevance at once) and ranks those: a common word can match
    a fifth of the catalog, and ranking it all would cost a scan of it. Without text: a
    capped count, then the page's ids. Then the page's rows.
    """
    terms = search_terms(filters.query)
    is_approximate = any_word = False
    sort = filters.sort if filters.sort in SORTS else ""
    has_place = place is not None and place.province_id is not None
    offerings = _catalog_base(filters)
    matches: list[_Match] | None = None
    if terms:
        matches = _soonest_matches(filters, terms, any_word=False, limit=CATALOG_MAX_RESULTS + 1)
        if not matches and len(terms.words) > 1:
            any_word = True
            matches = _soonest_matches(filters, terms, any_word=True, limit=CATALOG_MAX_RESULTS + 1)
            is_approximate = bool(matches)
        total = len(matches)
        matches = matches[:CATALOG_MAX_RESULTS]
        sort = sort or SORT_RELEVANCE
    else:
        total = offerings.values("pk")[: CATALOG_MAX_RESULTS + 1].count()
        if sort == SORT_RELEVANCE:
            sort = ""
    if sort == SORT_NEAR and not has_place:
        sort = ""
    sort = sort or (SORT_NEAR if has_place else SORT_SOON)
    total_is_capped = total > CATALOG_MAX_RESULTS
    total = min(total, CATALOG_MAX_RESULTS)
    last_page = max(1, -(-total // page_size))
    page = min(max(page, 1), last_page)
    start = (page - 1) * page_size
    stop = min(start + page_size, CATALOG_MAX_RESULTS)
    ids: list[int] = []
    if not total:
        pass
    elif matches is None:
        if sort == SORT_NEAR and place is not None:
            ids = _near_ids(offerings, place=place, start=start, stop=stop)
        else:
            ids = list(
                offerings.order_by("starts_on", "id").values_list("pk", flat=True)[start:stop]
            )
    elif sort == SORT_NEAR and place is not None:
        ids = _near_matches(
            filters,
            terms,
            any_word=any_word,
            place=place,
            matches=matches,
            start=start,
            stop=stop,
        )
    elif sort == SORT_RELEVANCE:
        ids = _ranked(matches)[start:stop]
    else:
        ids = [match.pk for match in matches[start:stop]]
    rows = (
        offerings_named(Offering.objects.select_related("course__provider", "ward", "province"))
        .defer("search_title", "search_text", "search_vector")
        .in_bulk(ids)
    )
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


def enrollments_of_learner(*, learner_id: int) -> list[Enrollment]:
    """A learner's enrollments: open ones by start date, then the cancelled ones."""
    enrollments = offerings_named(
        Enrollment.objects.filter(learner_id=learner_id),
        via="offering__",
    ).select_related("offering__course__provider", "offering__ward", "offering__province")
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


def learner_is_enrolled_at(organization_ids: set[int], learner_id: int) -> bool:
    """profiles asks this (through learner_relation_register) before showing a learner's
    summary to center staff."""
    return Enrollment.objects.filter(
        learner_id=learner_id, offering__course__provider_id__in=organization_ids
    ).exists()


# --- Attendance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceSummary:
    held: int
    attended: int
    excused: int
    hours: Decimal

    @property
    def counted(self) -> int:
        """Sessions that count: those held, less excused absences."""
        return self.held - self.excused

    def is_below(self, minimum_percent: int) -> bool:
        """Is the rate below `minimum_percent`? Exact (no rounding at the edge); False when
        no session counts."""
        return self.counted > 0 and self.attended * 100 < minimum_percent * self.counted

    @property
    def percent(self) -> Decimal | None:
        if self.counted <= 0:
            return None
        return (Decimal(self.attended * 100) / self.counted).quantize(Decimal("0.1"))


def attendance_summaries(
    *, enrollment_ids: Iterable[int], until: datetime
) -> dict[int, AttendanceSummary]:
    """Per enrollment: sessions held by `until`, attended (present or late), excused, and
    the hours of the sessions attended. One query.

    A session counts as held once it has started and its attendance was taken (anyone in it
    has a mark): a learner without a mark there was absent, but a session whose roster nobody
    filled in counts against no one."""
    ids = list(enrollment_ids)
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT e.id,
                   count(s.id),
                   count(m.id) FILTER (WHERE m.status IN ('present', 'late')),
                   count(m.id) FILTER (WHERE m.status = 'excused'),
                   coalesce(sum(extract(epoch FROM s.ends_at - s.starts_at))
                            FILTER (WHERE m.status IN ('present', 'late')), 0) / 3600.0
              FROM courses_enrollment e
              JOIN courses_session s
                ON s.offering_id = e.offering_id AND s.starts_at <= %s
               AND EXISTS (SELECT 1 FROM courses_attendancemark taken WHERE taken.session_id = s.id)
              LEFT JOIN courses_attendancemark m
                ON m.session_id = s.id AND m.enrollment_id = e.id
             WHERE e.id = ANY(%s)
             GROUP BY e.id
            """,
            [until, ids],
        )
        rows = cursor.fetchall()
    summaries = {enrollment_id: AttendanceSummary(0, 0, 0, Decimal(0)) for enrollment_id in ids}
    for enrollment_id, held, attended, excused, hours in rows:
        summaries[enrollment_id] = AttendanceSummary(
            held=held,
            attended=attended,
            excused=excused,
            hours=Decimal(hours).quantize(Decimal("0.01")),
        )
    return summaries


def staff_sessions(
    *, organization_ids: set[int], now: datetime, days_ahead: int = 7, limit: int = 200
) -> list[Session]:
    """Sessions of these centers' running offerings from the start of today to `days_ahead`
    days on, soonest first (the staff's attendance page)."""
    start = datetime.combine(
        timezone.localdate(now), datetime.min.time(), tzinfo=timezone.get_current_timezone()
    )
    return list(
        Session.objects.filter(
            offering__course__provider_id__in=organization_ids,
            offering__status=OfferingStatus.PUBLISHED,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=days_ahead + 1),
        )
        .select_related("offering__course")
        .order_by("starts_at", "id")[:limit]
    )


@dataclass(frozen=True)
class RosterRow:
    enrollment: Enrollment
    person: PersonData | None
    mark: AttendanceMark | None


def session_seat_ids(*, session: Session) -> set[uuid.UUID]:
    """The public ids of the enrollments holding a seat (active) in the session's offering:
    the codes a session's attendance file may name. One query."""
    return set(
        Enrollment.objects.filter(
            offering_id=session.offering_id, status=EnrollmentStatus.ACTIVE
        ).values_list("public_id", flat=True)
    )


def session_roster(*, session: Session) -> list[RosterRow]:
    """The learners holding a seat in the session's offering, by name, with their mark for
    this session. Four queries whatever the class size."""
    enrollments = list(
        Enrollment.objects.filter(offering_id=session.offering_id, status=EnrollmentStatus.ACTIVE)
    )
    marks = {
        mark.enrollment_id: mark
        for mark in AttendanceMark.objects.filter(
            session=session, enrollment_id__in=[enrollment.pk for enrollment in enrollments]
        )
    }
    people = profiles_api.persons_get(
        user_ids={enrollment.learner_id for enrollment in enrollments}
    )
    rows = [
        RosterRow(enrollment, people.get(enrollment.learner_id), marks.get(enrollment.pk))
        for enrollment in enrollments
    ]
    rows.sort(key=lambda row: (fold(row.person.full_name) if row.person else "", row.enrollment.pk))
    return rows


def offering_attendance(
    *, offering: Offering
) -> tuple[list[Session], list[RosterRow], dict[tuple[int, int], str]]:
    """Every session and seat holder of an offering, with {(session id, enrollment id):
    status} (the offering's CSV export). Four queries."""
    sessions = list(offering.sessions.order_by("starts_at", "id"))
    enrollments = list(
        Enrollment.objects.filter(offering=offering, status=EnrollmentStatus.ACTIVE).order_by("id")
    )
    marks = {
        (session_id, enrollment_id): status
        for session_id, enrollment_id, status in AttendanceMark.objects.filter(
            session__offering=offering
        ).values_list("session_id", "enrollment_id", "status")
    }
    people = profiles_api.persons_get(
        user_ids={enrollment.learner_id for enrollment in enrollments}
    )
    rows = [
        RosterRow(enrollment, people.get(enrollment.learner_id), None) for enrollment in enrollments
    ]
    rows.sort(key=lambda row: (fold(row.person.full_name) if row.person else "", row.enrollment.pk))
    return sessions, rows, marks


# --- Completions (for courses.api) ------------------------------------------------------------


def completion_data(enrollment: Enrollment) -> CompletionData:
    offering = enrollment.offering
    return CompletionData(
        enrollment_id=enrollment.public_id,
        offering_id=offering.public_id,
        course_id=offering.course.public_id,
        course_title=offering.course.title,
        provider_organization_id=offering.course.provider_id,
        learner_id=enrollment.learner_id,
        is_completed=enrollment.completion == CompletionStatus.COMPLETED,
        reason=enrollment.completion_reason,
        attendance_percent=enrollment.attendance_percent,
        attended_hours=enrollment.attended_hours,
        completed_at=enrollment.completed_at,
        starts_on=offering.starts_on,
        ends_on=offering.ends_on,
    )


def completions_of_enrollments(*, enrollment_ids: list[int]) -> list[CompletionData]:
    """Decided completions of these enrollments (internal ids: for courses' own listeners)."""
    enrollments = (
        Enrollment.objects.select_related("offering__course")
        .filter(pk__in=enrollment_ids)
        .exclude(completion="")
        .order_by("id")
    )
    return [completion_data(enrollment) for enrollment in enrollments]
