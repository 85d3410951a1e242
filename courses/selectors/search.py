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
    catalog_base,
    near_ids,
    offerings_named,
)
from courses.selectors.search_planner import SearchMatch, ranked, soonest_matches

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
    matches: list[SearchMatch],
    start: int,
    stop: int,
) -> list[int]:
    """near_ids for a text search. The soonest matches already hold the third tier, most of
    the results; the ward's and the province's come from their own small searches."""
    if filters.ward_id is not None or filters.province_id not in (None, place.province_id):
        return [match.pk for match in matches[start:stop]]  # one place: soonest first
    ward: list[SearchMatch] = []
    if place.ward_id is not None:
        ward = soonest_matches(
            replace(filters, ward_id=place.ward_id), terms, any_word=any_word, limit=stop
        )
    province = [
        match
        for match in soonest_matches(
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


@dataclass(frozen=True)
class _TextMatches:
    """What a text search found: its soonest matches (at most CATALOG_MAX_RESULTS, soonest
    first) and how many it counted (one more than CATALOG_MAX_RESULTS says there are more)."""

    matches: list[SearchMatch]
    counted: int
    any_word: bool
    is_approximate: bool  # no offering had every word; these have some


def _text_matches(filters: CatalogFilters, terms: SearchTerms) -> _TextMatches:
    """The soonest CATALOG_MAX_RESULTS + 1 offerings with every word of `terms`; if none has
    every word and there are several, those with any word (approximate)."""
    limit = CATALOG_MAX_RESULTS + 1
    matches = soonest_matches(filters, terms, any_word=False, limit=limit)
    any_word = is_approximate = False
    if not matches and len(terms.words) > 1:
        any_word = True
        matches = soonest_matches(filters, terms, any_word=True, limit=limit)
        is_approximate = bool(matches)
    return _TextMatches(
        matches=matches[:CATALOG_MAX_RESULTS],
        counted=len(matches),
        any_word=any_word,
        is_approximate=is_approximate,
    )


def _sort_of(requested: str, *, is_text: bool, has_place: bool) -> str:
    """The sort the page uses: the one asked for where it applies (relevance needs words,
    near needs a home), else relevance for a text search, near for a person with a home
    place, else soonest first."""
    sort = requested if requested in SORTS else ""
    if is_text:
        sort = sort or SORT_RELEVANCE
    elif sort == SORT_RELEVANCE:
        sort = ""
    if sort == SORT_NEAR and not has_place:
        sort = ""
    return sort or (SORT_NEAR if has_place else SORT_SOON)


def _page_ids(
    filters: CatalogFilters,
    terms: SearchTerms,
    text: _TextMatches | None,
    *,
    sort: str,
    place: Place | None,
    start: int,
    stop: int,
) -> list[int]:
    """The ids of the offerings from `start` to `stop` in the order of `sort`: from the text
    search's matches when there is one, else from the filtered catalog."""
    if text is None:
        offerings = catalog_base(filters)
        if sort == SORT_NEAR and place is not None:
            return near_ids(offerings, place=place, start=start, stop=stop)
        return list(offerings.order_by("starts_on", "id").values_list("pk", flat=True)[start:stop])
    if sort == SORT_NEAR and place is not None:
        return _near_matches(
            filters,
            terms,
            any_word=text.any_word,
            place=place,
            matches=text.matches,
            start=start,
            stop=stop,
        )
    if sort == SORT_RELEVANCE:
        return ranked(text.matches)[start:stop]
    return [match.pk for match in text.matches[start:stop]]


def _page_rows(ids: list[int]) -> list[Offering]:
    """The offerings of `ids`, in that order, with their course and the names pages show (one
    query; none for no ids)."""
    rows = (
        offerings_named(Offering.objects.select_related("course__provider", "ward", "province"))
        .defer("search_title", "search_text", "search_vector")
        .in_bulk(ids)
    )
    return [rows[pk] for pk in ids if pk in rows]


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
    text = _text_matches(filters, terms) if terms else None
    if text is not None:
        counted = text.counted
    else:
        counted = catalog_base(filters).values("pk")[: CATALOG_MAX_RESULTS + 1].count()
    sort = _sort_of(
        filters.sort,
        is_text=text is not None,
        has_place=place is not None and place.province_id is not None,
    )
    total = min(counted, CATALOG_MAX_RESULTS)
    page = min(max(page, 1), max(1, -(-total // page_size)))
    start = (page - 1) * page_size
    stop = min(start + page_size, CATALOG_MAX_RESULTS)
    ids = (
        _page_ids(filters, terms, text, sort=sort, place=place, start=start, stop=stop)
        if total
        else []
    )
    return CatalogPage(
        offerings=_page_rows(ids),
        total=total,
        total_is_capped=counted > CATALOG_MAX_RESULTS,
        page=page,
        page_size=page_size,
        sort=sort,
        is_approximate=text is not None and text.is_approximate,
        words=terms.words,
    )
