"""Text helpers shared by every app: Unicode NFC at the boundary, Vietnamese accent folding for
search, person names, spreadsheet cells."""

import unicodedata

_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "d"})


def text_nfc(value: str) -> str:
    """`value` in Unicode Normalization Form C (UAX #15): the one form every text is stored,
    compared and signed in. Input typed decomposed (NFD: macOS, Unikey in "composite" mode)
    becomes its precomposed form: "Nguye\u0302\u0303n" -> "Nguyễn". Nothing else changes (no
    trimming, no case folding); already-NFC text is returned as is (a fast check first).
    Called once per text at the boundary (forms, JSON bodies, imports)."""
    if unicodedata.is_normalized("NFC", value):
        return value
    return unicodedata.normalize("NFC", value)


def fold(text: str) -> str:
    """Lower-case, strip diacritics, fold đ/Đ to d, collapse whitespace.

    "Phường Đắk Lắk" -> "phuong dak lak"; control characters become spaces. Used on both the stored column and the query, so
    searches work without PostgreSQL's unaccent extension.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA_FOLDS))
    # Drop combining marks (the accents) and control characters (a NUL would make
    # PostgreSQL refuse the query).
    stripped = "".join(
        char if unicodedata.category(char)[0] != "C" else " "
        for char in decomposed
        if unicodedata.category(char) != "Mn"
    )
    return " ".join(stripped.lower().split())


def spreadsheet_cell(value: object) -> str:
    """A value for a CSV cell that a spreadsheet will not run: text starting with =, +, -, @,
    a tab or a carriage return is prefixed with an apostrophe (OWASP, CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def person_name_normalise(name: str) -> str:
    """A person's name as stored and signed: Unicode NFC (a name typed with combining marks,
    NFD, is the same name as its precomposed form and must compare equal), control characters
    dropped, whitespace collapsed. "Nguye\u0302\u0303n  Va\u0306n An" -> "Nguyễn Văn An"."""
    visible = "".join(
        " " if unicodedata.category(char)[0] == "C" else char
        for char in unicodedata.normalize("NFC", name)
    )
    return " ".join(visible.split())
