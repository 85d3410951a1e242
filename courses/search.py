"""Vietnamese catalog search without PostgreSQL extensions.

Both sides are folded in Python (`learnprofile.text.fold`: no accents, lower case, đ -> d):
the offering's search columns when it is written, and the citizen's query when it is read.
PostgreSQL only sees plain ASCII words, indexed by a `simple` tsvector (no stemming, no
stop words: Vietnamese syllables are words) in a GIN index. Works on any PostgreSQL build.
"""

import re
from dataclasses import dataclass

from learnprofile.text import fold

MAX_QUERY_WORDS = 8
# A shorter last word is taken whole: "ho" as a prefix would also match hoa, hoc, hong, ...
# hundreds of words, and a Vietnamese syllable of one or two letters is usually complete.
MIN_PREFIX_LETTERS = 3
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class SearchTerms:
    words: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.words)

    def all_words(self) -> str:
        """tsquery text matching every word, the last one (of 3+ letters) as a prefix."""
        return " & ".join(self._terms())

    def any_word(self) -> str:
        """tsquery text matching any word: the fallback when every word finds nothing."""
        return " | ".join(self._terms())

    def terms(self) -> list[tuple[str, bool]]:
        """(word, is a prefix) for each word: the last one, if it has 3+ letters."""
        last = len(self.words) - 1
        return [
            (word, index == last and len(word) >= MIN_PREFIX_LETTERS)
            for index, word in enumerate(self.words)
        ]

    def _terms(self) -> list[str]:
        return [f"{word}:*" if is_prefix else word for word, is_prefix in self.terms()]


def search_terms(query: str) -> SearchTerms:
    """The words of a typed query, folded, limited, safe to put in a tsquery.

    Only [a-z0-9] survive folding into the query text, so no tsquery operator can be
    injected; duplicate words are dropped.
    """
    words: list[str] = []
    for word in _WORD.findall(fold(query)):
        if word not in words:
            words.append(word)
    return SearchTerms(words=tuple(words[:MAX_QUERY_WORDS]))


def search_columns(
    *,
    title: str,
    summary: str,
    tags: list[str],
    provider_name: str,
    venue: str,
    ward_name: str,
    province_name: str,
) -> tuple[str, str]:
    """(search_title, search_text) of an offering, folded."""
    rest = " ".join([summary, " ".join(tags), provider_name, venue, ward_name, province_name])
    return fold(title), fold(rest)
