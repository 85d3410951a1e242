"""The catalog search: one page of published offerings, filtered, searched and sorted.

The catalog query fetches one page of ids first (cheap, index-driven), then the rows of that
page with their course, center and places: a page costs the same few queries whatever its
size. Counts stop at CATALOG_MAX_RESULTS: beyond that a citizen refines the search rather
than paging, and counting 200,000 matches would cost more than finding the first 20.
"""

from dataclasses import dataclass, field, replace

from courses.models import Offering
from courses.search import SearchTerms, search_terms
from courses.selectors.catalog import (
    CatalogFilters,
    Place,
    _catalog_base,
    _near_ids,
    offerings_named,
)
from courses.selectors.search_planner import _Match, _ranked, _soonest_matches

CATALOG_MAX_RESULTS = 1000

CATALOG_PAGE_SIZE = 20
SORT_RELEVANCE = "relevance"
SORT_NEAR = "near"
SORT_SOON = "soon"
SORTS = (SORT_RELEVANCE, SORT_NEAR, SORT_SOON)


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
