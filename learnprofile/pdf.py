"""PDF documents with Vietnamese text, the same on every machine.

fpdf2 is pure Python; the fonts are DejaVu Sans shipped in learnprofile/fonts (full
Vietnamese coverage), so no system font or library is needed. Text is shaped with HarfBuzz
(uharfbuzz), so combining marks sit where the font's tables put them.

Each font file is parsed once per process, not once per document (parsing DejaVu was half of
a certificate's time, and reading its six thousand glyphs again to subset them most of the
rest). What fpdf2 keeps per font splits in two:
- read only once parsed, shared by every document: the character map, glyph ids and widths,
  the fontTools font used to read glyph names and advances while laying out text, the
  HarfBuzz face, and the raw glyph outlines;
- per document, fresh each time: the subset map (which glyphs this document uses), the
  missing-glyph list, the width table (a defaultdict that grows on lookups), the font
  descriptor (a PDF object the output numbers), the HarfBuzz font (shaping sets its size),
  and the fontTools font that output() subsets in place: for each document a small TrueType
  font of only the glyphs it uses, cut from the shared bytes (`_font_with_only`).
So one document's glyphs never reach another's subset, nothing grows from one document to the
next, and documents can be built in several threads at once (the shared parts are only read).
"""

import copy
import struct
import threading
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import uharfbuzz
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import HarfBuzzFont, SubsetMap, TTFFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVuSans"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

# The tables a TrueType font embedded in a PDF as a CIDFontType2 needs (PDF 2.0, 9.9
# "Embedded font programs": glyf, head, hhea, hmtx, loca, maxp, and cvt, fpgm, prep for the
# hinting), plus post and gasp. No OS/2 (Cairo's subsets have none either): fontTools
# would recompute its Unicode ranges from a cmap, and the PDF maps codes to glyphs itself.
_TABLES_COPIED = ("cvt ", "fpgm", "prep", "gasp")

# TrueType composite glyphs (OpenType spec, "glyf": Composite Glyph Description).
_ARG_1_AND_2_ARE_WORDS = 0x0001
_WE_HAVE_A_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_WE_HAVE_AN_X_AND_Y_SCALE = 0x0040
_WE_HAVE_A_TWO_BY_TWO = 0x0080


@dataclass(frozen=True)
class _ParsedFont:
    template: TTFFont  # never handed to a document; copies of it are
    face: uharfbuzz.Face
    glyph_order: list[str]
    glyph_ids: dict[str, int]
    glyf: bytes
    loca: tuple[int, ...]
    metrics: tuple[tuple[int, int], ...]  # (advance, left side bearing) per glyph id
    tables: dict[str, bytes]  # raw head, hhea, maxp, post and _TABLES_COPIED

    def __deepcopy__(self, memo: dict[int, Any]) -> "_ParsedFont":
        # Shared and only read: fpdf2's unbreakable() and offset_rendering() deep-copy the
        # document, which must not copy (nor fail on) the HarfBuzz face.
        return self


_parsed_fonts: dict[str, _ParsedFont] = {}
_parsing = threading.Lock()


def _parse(fontkey: str, style: str, path: Path) -> _ParsedFont:
    """Parse one font file and load every table that laying out text reads, so that the
    shared objects are only read afterwards (fontTools loads tables lazily, on first use)."""
    template = TTFFont(FPDF(), path, fontkey, style)
    if template.color_font is not None or template.is_cff:
        raise ValueError(f"{path.name}: only TrueType outline fonts are shared")
    font = template.ttfont
    glyph_order = font.getGlyphOrder()
    for tag in ("head", "hhea", "hmtx", "maxp", "OS/2", "post", "name", "cmap"):
        font[tag]
    hmtx = font["hmtx"].metrics
    return _ParsedFont(
        template=template,
        face=uharfbuzz.Face(uharfbuzz.Blob.from_file_path(path)),
        glyph_order=glyph_order,
        glyph_ids=dict(font.getReverseGlyphMap()),
        glyf=font.reader["glyf"],
        loca=tuple(int(offset) for offset in font["loca"]),
        metrics=tuple(hmtx[name] for name in glyph_order),
        tables={
            tag: font.reader[tag]
            for tag in ("head", "hhea", "maxp", "post", *_TABLES_COPIED)
            if tag in font.reader
        },
    )


def _parsed(fontkey: str, style: str, path: Path) -> _ParsedFont:
    parsed = _parsed_fonts.get(fontkey)
    if parsed is None:
        with _parsing:
            parsed = _parsed_fonts.get(fontkey)
            if parsed is None:
                parsed = _parsed_fonts[fontkey] = _parse(fontkey, style, path)
    return parsed


def _font_for_document(parsed: _ParsedFont, number: int) -> TTFFont:
    """A TTFFont for one document: the parsed parts shared, what a document changes fresh."""
    template = parsed.template
    font: Any = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(template, name):
            setattr(font, name, getattr(template, name))
    font.i = number
    font.cw = copy.copy(template.cw)
    font.desc = copy.copy(template.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = HarfBuzzFont(parsed.face)
    font.subset = SubsetMap(font)
    return font  # type: ignore[no-any-return]


def _components(data: bytes) -> list[int]:
    """Where the component glyph ids sit in a composite glyph's data (none in a simple one)."""
    if len(data) < 10 or struct.unpack_from(">h", data)[0] >= 0:
        return []
    positions, position, flags = [], 10, _MORE_COMPONENTS
    while flags & _MORE_COMPONENTS:
        flags = struct.unpack_from(">H", data, position)[0]
        positions.append(position + 2)
        position += 4 + (4 if flags & _ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _WE_HAVE_A_SCALE:
            position += 2
        elif flags & _WE_HAVE_AN_X_AND_Y_SCALE:
            position += 4
        elif flags & _WE_HAVE_A_TWO_BY_TWO:
            position += 8
    return positions


def _glyph_data(parsed: _ParsedFont, glyph_id: int) -> bytes:
    return parsed.glyf[parsed.loca[glyph_id] : parsed.loca[glyph_id + 1]]


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}I", padded)
    return sum(words) & 0xFFFFFFFF


def _sfnt(tables: dict[str, bytes]) -> bytes:
    """A TrueType file of these tables (OpenType spec, "Organization of an OpenType font")."""
    count = len(tables)
    search_range = 2 ** (count.bit_length() - 1) * 16
    header = struct.pack(
        ">IHHHH", 0x00010000, count, search_range, count.bit_length() - 1, count * 16 - search_range
    )
    offset = 12 + 16 * count
    directory, bodies = b"", b""
    for tag in sorted(tables):
        data = tables[tag]
        directory += struct.pack(">4sIII", tag.encode(), _checksum(data), offset, len(data))
        body = data + b"\0" * (-len(data) % 4)
        bodies += body
        offset += len(body)
    return header + directory + bodies


def _font_with_only(parsed: _ParsedFont, glyph_names: list[str]) -> ttLib.TTFont:
    """A TrueType font of just these glyphs (with .notdef and the other three glyphs a
    TrueType font should start with, and the components of composite glyphs), their names
    kept: output() subsets it as it would the whole font, in a fraction of the time (reading
    and subsetting DejaVu's six thousand glyphs was most of a certificate's output). Only
    the shared bytes are read."""
    wanted = {0, 1, 2, 3} | {parsed.glyph_ids[name] for name in glyph_names}
    pending = list(wanted)
    while pending:
        data = _glyph_data(parsed, pending.pop())
        for position in _components(data):
            component = struct.unpack_from(">H", data, position)[0]
            if component not in wanted:
                wanted.add(component)
                pending.append(component)
    kept = sorted(wanted)
    new_id = {old: new for new, old in enumerate(kept)}
    glyf, loca = bytearray(), []
    for old in kept:
        original = _glyph_data(parsed, old)
        renumbered = bytearray(original)
        for position in _components(original):
            component = struct.unpack_from(">H", original, position)[0]
            struct.pack_into(">H", renumbered, position, new_id[component])
        loca.append(len(glyf))
        glyf += renumbered + b"\0" * (-len(renumbered) % 4)
    loca.append(len(glyf))
    tables = dict(parsed.tables)
    head = bytearray(tables["head"])
    struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment, recomputed when saved
    struct.pack_into(">h", head, 50, 1)  # indexToLocFormat: 32-bit offsets
    hhea = bytearray(tables["hhea"])
    struct.pack_into(">H", hhea, 34, len(kept))  # numberOfHMetrics
    maxp = bytearray(tables["maxp"])
    struct.pack_into(">H", maxp, 4, len(kept))  # numGlyphs
    post = bytearray(tables["post"][:32])
    struct.pack_into(">I", post, 0, 0x00030000)  # format 3: no glyph names
    tables.update(
        head=bytes(head),
        hhea=bytes(hhea),
        maxp=bytes(maxp),
        post=bytes(post),
        hmtx=b"".join(struct.pack(">Hh", *parsed.metrics[old]) for old in kept),
        loca=struct.pack(f">{len(loca)}I", *loca),
        glyf=bytes(glyf),
    )
    # The glyphs are copied as they are, so their bounding boxes need no recomputing.
    font = ttLib.TTFont(
        BytesIO(_sfnt(tables)), lazy=True, recalcTimestamp=False, recalcBBoxes=False
    )
    font.setGlyphOrder([parsed.glyph_order[old] for old in kept])
    return font


class PdfDocument(FPDF):
    """An FPDF whose shipped fonts are parsed once per process (see the module's docstring)."""

    def add_shipped_fonts(self) -> None:
        self._shared_fonts: list[tuple[TTFFont, _ParsedFont]] = []
        for style, file_name in FONT_FILES.items():
            fontkey = f"{FONT_FAMILY.lower()}{style}"
            parsed = _parsed(fontkey, style, FONT_DIR / file_name)
            font = _font_for_document(parsed, len(self.fonts) + 1)
            self.fonts[fontkey] = font
            self._shared_fonts.append((font, parsed))

    def output(self, *args: Any, **kwargs: Any) -> Any:
        # output() subsets each font's fontTools object in place and closes it: give it one
        # of its own, never the shared one used for layout.
        for font, parsed in getattr(self, "_shared_fonts", []):
            font.ttfont = _font_with_only(parsed, list(font.subset.get_all_glyph_names()))
        return super().output(*args, **kwargs)


def pdf_document(*, title: str) -> PdfDocument:
    """An A4 document with the shipped fonts registered, text shaping on and automatic page
    breaks."""
    document = PdfDocument(orientation="portrait", unit="mm", format="A4")
    document.add_shipped_fonts()
    document.set_text_shaping(True)
    document.set_title(title)
    document.set_creator("LearnProfile")
    document.set_auto_page_break(auto=True, margin=15)
    document.set_font(FONT_FAMILY, size=10)
    return document
