"""The search planner: how a text search finds its soonest matches, by the covering index
walked in date order or by the GIN index, chosen from PostgreSQL's statistics of the words.

Its choices are pinned by courses/tests/test_search.py (the walk, the hand-over of a full
window to the GIN index, the statistics) and measured at scale by bench/catalog.py.
"""

import time
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F

from courses.models import Offering
from courses.search import SearchTerms
from courses.selectors.catalog import CatalogFilters, catalog_base

# How far a text search walks the catalog in date order before handing rare words to the
# GIN index (see soonest_matches): about 15 ms of index reading on a small server.
MATCH_WINDOW_ROWS = 40_000
WORD_STATISTICS_SECONDS = 600


def _text_query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="raw", config="simple")


@dataclass(frozen=True)
class SearchMatch:
    pk: int
    ward_id: int
    province_id: int
    rank: float


def soonest_matches(
    filters: CatalogFilters, terms: SearchTerms, *, any_word: bool, limit: int
) -> list[SearchMatch]:
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
        catalog_base(filters)
        .filter(search_vector=_text_query(text))
        .annotate(rank=SearchRank(F("search_vector"), _text_query(text)))
        .order_by("starts_on", "id")
        .values_list("pk", "ward_id", "province_id", "rank")[:limit]
    )
    return [SearchMatch(*row) for row in rows]


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
) -> list[SearchMatch] | None:
    """soonest_matches within the soonest MATCH_WINDOW_ROWS offerings under `filters`, or
    None if that window is full and holds fewer than `limit` matches.

    The window reads only the covering index (the seat filter, when asked, is checked in the
    table for matching rows only). Whether a window with too few matches was full is asked
    only then, by counting it.
    """
    window = (
        catalog_base(filters, seats=False)
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
        matches = [SearchMatch(*row) for row in cursor.fetchall()]
    if (
        len(matches) < limit
        and catalog_base(filters, seats=False).values("pk")[:MATCH_WINDOW_ROWS].count()
        == MATCH_WINDOW_ROWS
    ):
        return None
    return matches


def ranked(matches: list[SearchMatch]) -> list[int]:
    """Best rank first; equal ranks soonest first (`matches` come soonest first)."""
    return [match.pk for match in sorted(matches, key=lambda match: -match.rank)]
