"""Text helpers shared by every app: Unicode NFC at the boundary, Vietnamese accent folding for
search, person names, spreadsheet cells."""

import unicodedata

_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "d"})


#: Unicode's explicit bidirectional formatting characters (UAX #9, section 2): the embeddings
#: and overrides LRE, RLE, PDF, LRO, RLO (U+202A-U+202E) and the isolates LRI, RLI, FSI, PDI
#: (U+2066-U+2069). Invisible, they reorder what is shown after them: "Nguyễn \u202eauq"
#: reads "Nguyễn qua", a link "https://x.vn/\u202efdp.exe" reads ".../exe.pdf" ("Trojan
#: Source", CVE-2021-42574). Vietnamese text and URLs never need them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_WITHOUT_BIDI_CONTROLS = {ord(char): None for char in BIDI_CONTROLS}


def text_without_bidi_controls(value: str) -> str:
    """`value` with every character of BIDI_CONTROLS removed; the same string when it has none.
    Other format characters (zero-width joiners, the left-to-right and right-to-left marks
    U+200E/U+200F) stay: they cannot override the direction of letters."""
    if BIDI_CONTROLS.isdisjoint(value):
        return value
    return value.translate(_WITHOUT_BIDI_CONTROLS)


def text_input(value: str) -> str:
    """A text a person sent, as it is kept (decision 0009): without bidirectional embedding,
    override and isolate controls (BIDI_CONTROLS), then in NFC (`text_nfc`; removing a control
    may bring a letter and its combining mark together: "e\u202e\u0301" -> "é"). Nothing else
    changes. Called once per text by the hooks at the boundary (forms, API bodies, spreadsheet
    cells); passwords get `text_nfc` only (learnprofile.middleware)."""
    return text_nfc(text_without_bidi_controls(value))


def text_nfc(value: str) -> str:
    """`value` in Unicode Normalization Form C (UAX #15): the one form every text is stored,
    compared and signed in. Input typed decomposed (NFD: macOS, Unikey in "composite" mode)
    becomes its precomposed form: "Nguye\u0302\u0303n" -> "Nguyễn". Nothing else changes (no
    trimming, no case folding); already-NFC text is returned as is (a fast check first).
    Called once per text at the boundary (forms, JSON bodies, imports)."""
    if unicodedata.is_normalized("NFC", value):
        return value
    return unicodedata.normalize("NFC", value)


def email_canonical(address: str) -> str:
    """The one form an e-mail address is stored, compared and looked up in (decision 0009):
    NFC, surrounding spaces dropped, lower-cased (as allauth stores addresses), and the domain
    as Unicode labels (U-labels), whichever form was typed. A punycode label (A-label) is
    decoded, a Unicode one mapped (nameprep: case folding, NFKC), with the IDNA codec Django
    uses to send mail, so what is stored encodes back to the ASCII domain it is sent to:
    "An@XN--TRNG-RIB8295B.VN" and "an@Trường.vn" -> "an@trường.vn". The local part is only
    lower-cased. A domain that is not a valid IDN (an empty label, a label over 63 characters,
    a malformed A-label) is kept lower-cased as typed: the e-mail validator refuses it, this
    function never raises."""
    text = text_nfc(address).strip().lower()
    local_part, at, domain = text.rpartition("@")
    if not at or not domain:
        return text
    try:
        # Python's "idna" codec (IDNA 2003, as django.utils.encoding.punycode): encoding maps
        # and checks each Unicode label, decoding turns each xn-- label back into Unicode.
        domain = domain.encode("idna").decode("idna")
    except UnicodeError:
        return text
    return f"{local_part}@{domain}"


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


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DIGITS = frozenset("0123456789")


def _is_plain_number(text: str) -> bool:
    """A sign, then ASCII digits in groups separated by one space or dot: "+84912345678",
    "+84 912 345 678", "-12", "-3.5". Nothing in it can call a function or reach another
    program (DDE needs letters, "|" or "!"), so a spreadsheet computes at most a number."""
    groups = text[1:].replace(".", " ").split(" ")
    return text[:1] in ("+", "-") and all(group and set(group) <= _DIGITS for group in groups)


def spreadsheet_cell(value: object) -> str:
    """A value for a CSV cell that a spreadsheet will not run (OWASP, CSV injection): text
    starting with =, +, -, @, a tab or a carriage return is prefixed with an apostrophe,
    except a plain signed number such as the phone number "+84912345678", which is not a
    formula and is left readable. For .xlsx every string is written as a text cell instead
    (learnprofile.spreadsheets.xlsx_write; numbers and dates as number and date cells): no
    apostrophe is needed there."""
    text = "" if value is None else str(value)
    if text[:1] in _FORMULA_STARTS and not _is_plain_number(text):
        return "'" + text
    return text


def person_name_normalise(name: str) -> str:
    """A person's name as stored and signed: Unicode NFC (a name typed with combining marks,
    NFD, is the same name as its precomposed form and must compare equal), control characters
    dropped, whitespace collapsed. "Nguye\u0302\u0303n  Va\u0306n An" -> "Nguyễn Văn An"."""
    visible = "".join(
        " " if unicodedata.category(char)[0] == "C" else char
        for char in unicodedata.normalize("NFC", name)
    )
    return " ".join(visible.split())


def typed_code_normalise(code: str) -> str:
    """A code a person types (a check-in code, a claim code, a household invitation code, a
    second-factor code) as it is compared: in NFKC (UAX #15), so full-width and other
    compatibility forms are their plain letters and digits ("\uff54\uff18" -> "t8"),
    every decimal digit of any script as its ASCII digit (Arabic-Indic "٤٥٦" -> "456"), then
    without separators a person or a phone keyboard may add: whitespace (Unicode category Z
    and the ASCII controls), dashes (category Pd, the minus sign U+2212, the hyphen-minus),
    dots, underscores and invisible format characters (category Cf: soft hyphen, zero-width
    spaces). Case is kept: callers whose codes ignore case upper-case the result. Never
    raises; an empty or all-separator text gives ""."""
    kept = []
    for char in unicodedata.normalize("NFKC", code):
        category = unicodedata.category(char)
        if category[0] == "Z" or category in ("Pd", "Cf", "Cc") or char in "\u2212._":
            continue
        digit = unicodedata.decimal(char, None)
        kept.append(str(digit) if digit is not None else char)
    return "".join(kept)
