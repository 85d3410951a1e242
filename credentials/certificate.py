"""The printable certificate: an A4 landscape PDF drawn from the signed credential.

Everything printed comes from the signed document, never from database rows that may have
changed since: the issuer's and the achievement's names, the description, the holder's name
(`documents.holder_name`), the signed results (attendance, hours), the dates (`validFrom`,
`validUntil`, shown in Vietnam's time by learnprofile.formatting) and the credential's id.
Two things come from the caller: the verification page's address (printed and in the QR
code) with the revocation mark, and, only for a credential issued before names were signed,
the name on file, printed with a note saying it is not part of the signed credential.

The page is a fixed grid of boxes (`_LAYOUT`) that never overlap. Each text goes in its own box
at the largest size, from its design size down to a minimum, at which it wraps into the box;
a text still too long at the minimum (longer than any form allows) is cut with an ellipsis.
Text is NFC and shaped with HarfBuzz (learnprofile.pdf), so a name typed with combining marks
prints exactly like its precomposed form.
"""

import io
import math
import unicodedata
from dataclasses import dataclass
from typing import Any

import segno
from django.utils.translation import gettext as _
from fpdf import FPDF

from credentials import documents
from learnprofile.formatting import date_for_people, number_for_people, percent_for_people
from learnprofile.pdf import FONT_FAMILY, pdf_document

POINT = 25.4 / 72  # mm
LINE_SPACING = 1.25  # line height, in font sizes
ELLIPSIS = "…"

NAVY = (22, 52, 96)
GOLD = (178, 141, 62)
INK = (40, 40, 40)
MUTED = (95, 95, 95)
RED = (176, 20, 20)


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in millimetres from the top left corner."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Style:
    size: float  # the design size, in points
    min_size: float  # the smallest it may shrink to
    bold: bool = False
    color: tuple[int, int, int] = INK
    align: str = "C"


# A4 landscape is 297 by 210 mm. Frames at 7 and 10.5 mm; everything printed stays within
# 22 mm of the sides and 19 mm of the top and bottom.
PAGE_WIDTH, PAGE_HEIGHT = 297.0, 210.0
LEFT, RIGHT = 22.0, 275.0
WIDTH = RIGHT - LEFT
QR_SIZE = 36.0
SEAL_SIZE = 30.0


@dataclass(frozen=True)
class Layout:
    """The boxes of the page, top to bottom, in millimetres; no two overlap."""

    issuer: Box = Box(LEFT, 19, WIDTH, 13)
    rule_y: float = 34.5
    title: Box = Box(LEFT, 37, WIDTH, 21)
    certifies: Box = Box(LEFT, 60, WIDTH, 6)
    holder: Box = Box(LEFT, 67, WIDTH, 17)
    holder_note: Box = Box(LEFT, 84, WIDTH, 4.5)
    rule_under_holder_y: float = 90.5
    description: Box = Box(LEFT, 92.5, WIDTH, 25)
    facts: Box = Box(LEFT, 120, WIDTH, 14)
    revoked: Box = Box(LEFT + 40, 137, WIDTH - 80, 9)
    footer_y: float = 150.0
    qr: Box = Box(RIGHT - QR_SIZE, 155, QR_SIZE, QR_SIZE)
    seal: Box = Box(LEFT, 157, SEAL_SIZE, SEAL_SIZE)
    # The footer's texts, right of the seal when there is one, left of the QR code.
    footer_note_y: float = 155
    footer_url_y: float = 167
    footer_code_y: float = 180
    footer_text_height: float = 11


_LAYOUT = Layout()

ISSUER = Style(size=14, min_size=7, bold=True, color=NAVY)
TITLE = Style(size=26, min_size=9, bold=True, color=NAVY)
CERTIFIES = Style(size=11, min_size=8, color=MUTED)
HOLDER = Style(size=30, min_size=9, bold=True, color=INK)
HOLDER_NOTE = Style(size=8, min_size=6, color=MUTED)
DESCRIPTION = Style(size=11, min_size=5.5, color=INK)
FACT_LABEL = Style(size=8, min_size=6, color=MUTED)
FACT_VALUE = Style(size=13, min_size=7, bold=True, color=NAVY)
REVOKED = Style(size=15, min_size=8, bold=True, color=RED)
FOOTER = Style(size=8, min_size=5.5, color=MUTED, align="L")
FOOTER_URL = Style(size=9, min_size=5.5, bold=True, color=NAVY, align="L")


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


def _line_height(size: float) -> float:
    return size * LINE_SPACING * POINT


def _lines(pdf: FPDF, text: str, width: float, style: Style, size: float) -> list[str]:
    pdf.set_font(FONT_FAMILY, style="B" if style.bold else "", size=size)
    lines = pdf.multi_cell(width, _line_height(size), text, dry_run=True, output="LINES")
    return [str(line) for line in lines] if isinstance(lines, list) else []


def _cut(pdf: FPDF, line: str, width: float) -> str:
    """The line shortened until it and an ellipsis fit the width."""
    room = width - 2 * pdf.c_margin
    while line and pdf.get_string_width(line.rstrip() + ELLIPSIS) > room:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def _fit(pdf: FPDF, text: str, box: Box, style: Style) -> tuple[float, list[str]]:
    """The largest size (in steps of half a point) at which the text, wrapped to the box's
    width, fits its height, and its lines at that size."""
    sizes = [style.size - step / 2 for step in range(int((style.size - style.min_size) * 2) + 1)]
    # Wrapping a long text is the costly part (each size is a HarfBuzz pass over it), so the
    # sizes at which even perfectly filled lines would overflow the box are left out: at a
    # size s the text needs at least (its width on one line at s) / (the box's width) lines.
    pdf.set_font(FONT_FAMILY, style="B" if style.bold else "", size=1)
    width_at_one_point = pdf.get_string_width(text.replace("\n", ""))
    room = box.w - 2 * pdf.c_margin
    sizes = [
        size
        for size in sizes
        if max(1, math.ceil(width_at_one_point * size / room)) * _line_height(size) <= box.h
    ]
    # The largest size left usually fits; if not, a binary search over the others (a smaller
    # size never needs more lines).
    fitting: tuple[float, list[str]] | None = None
    if sizes:
        lines = _lines(pdf, text, box.w, style, sizes[0])
        if len(lines) * _line_height(sizes[0]) <= box.h:
            return sizes[0], lines
    low, high = 1, len(sizes) - 1
    while low <= high:
        middle = (low + high) // 2
        lines = _lines(pdf, text, box.w, style, sizes[middle])
        if len(lines) * _line_height(sizes[middle]) <= box.h:
            fitting = (sizes[middle], lines)
            high = middle - 1
        else:
            low = middle + 1
    if fitting is not None:
        return fitting
    # The last resort, for a text longer than any form allows: the minimum size, as many
    # lines as the box holds, the last one cut with an ellipsis.
    size = style.min_size
    lines = _lines(pdf, text, box.w, style, size)
    room = max(1, int(box.h // _line_height(size)))
    return size, [*lines[: room - 1], _cut(pdf, lines[room - 1], box.w)]


def _text(pdf: FPDF, text: str, box: Box, style: Style, valign: str = "middle") -> None:
    """The text, wrapped and shrunk to fit the box (see _fit), centred vertically in it."""
    text = _nfc(text)
    if not text:
        return
    size, lines = _fit(pdf, text, box, style)
    height = _line_height(size)
    top = box.y + (box.h - len(lines) * height) / 2 if valign == "middle" else box.y
    pdf.set_font(FONT_FAMILY, style="B" if style.bold else "", size=size)
    pdf.set_text_color(*style.color)
    for number, line in enumerate(lines):
        pdf.set_xy(box.x, top + number * height)
        pdf.cell(box.w, height, line, align=style.align)


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.6)
    pdf.rect(7, 7, PAGE_WIDTH - 14, PAGE_HEIGHT - 14)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.rect(10.5, 10.5, PAGE_WIDTH - 21, PAGE_HEIGHT - 21)
    pdf.set_fill_color(*GOLD)
    for x in (10.5, PAGE_WIDTH - 10.5):
        for y in (10.5, PAGE_HEIGHT - 10.5):
            _diamond(pdf, x, y)


def _diamond(pdf: FPDF, x: float, y: float, radius: float = 2.2) -> None:
    pdf.polygon([(x, y - radius), (x + radius, y), (x, y + radius), (x - radius, y)], style="F")


def _rule(pdf: FPDF, y: float, half_width: float) -> None:
    middle = PAGE_WIDTH / 2
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.line(middle - half_width, y, middle - 3, y)
    pdf.line(middle + 3, y, middle + half_width, y)
    pdf.set_fill_color(*GOLD)
    _diamond(pdf, middle, y, 1.4)


def _facts(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of the signed results and dates, in the active language."""
    facts = []
    hours = documents.result_value(document, documents.HOURS_RESULT)
    if hours and number_for_people(hours):
        facts.append((_("Số giờ học"), _("%(hours)s giờ") % {"hours": number_for_people(hours)}))
    attendance = documents.result_value(document, documents.ATTENDANCE_RESULT)
    if attendance and percent_for_people(attendance):
        facts.append((_("Tỷ lệ chuyên cần"), percent_for_people(attendance)))
    if date_for_people(document.get("validFrom")):
        facts.append((_("Ngày cấp"), date_for_people(document.get("validFrom"))))
    if date_for_people(document.get("validUntil")):
        facts.append((_("Hiệu lực đến"), date_for_people(document.get("validUntil"))))
    return facts


def _qr_png(page_url: str) -> io.BytesIO:
    qr = io.BytesIO()
    segno.make(page_url, error="m").save(qr, kind="png", scale=8, border=0)
    qr.seek(0)
    return qr


def _credential_code(document: dict[str, Any], page_url: str) -> str:
    """The credential's id; for this platform's credentials, whose id is the page's address
    (printed just above), its last part, the code a person reads out."""
    credential_id = _nfc(document.get("id"))
    if credential_id and credential_id == _nfc(page_url):
        return credential_id.rstrip("/").rsplit("/", 1)[-1]
    return credential_id


def certificate_pdf(
    *,
    document: dict[str, Any],
    page_url: str,
    revoked: bool,
    holder_name_on_file: str = "",
    achievement_image_png: bytes | None = None,
) -> bytes:
    """The certificate of one credential, in the active language. The holder's name is the
    one signed in the document; `holder_name_on_file` is printed, marked as such, only for a
    credential that signs none (issued before names were signed). `achievement_image_png`,
    when given, is printed as the certificate's seal.

    The page is drawn top to bottom, one step per band of `_LAYOUT`."""
    layout = _LAYOUT
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    achievement = achievement if isinstance(achievement, dict) else {}
    issuer = document.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {}
    title = _nfc(achievement.get("name") or document.get("name"))

    pdf = pdf_document(title=title)
    pdf.set_auto_page_break(auto=False)
    pdf.add_page(orientation="landscape")
    _frame(pdf)

    _text(pdf, issuer.get("name", ""), layout.issuer, ISSUER)
    _rule(pdf, layout.rule_y, 60)
    _text(pdf, title, layout.title, TITLE)
    _text(pdf, _("Chứng nhận"), layout.certifies, CERTIFIES)
    _holder(pdf, documents.holder_name(document), holder_name_on_file=holder_name_on_file)
    _rule(pdf, layout.rule_under_holder_y, 80)
    _text(pdf, achievement.get("description", ""), layout.description, DESCRIPTION)
    _facts_row(pdf, _facts(document))
    if revoked:
        _revoked_mark(pdf)
    _footer(pdf, document=document, page_url=page_url, seal_png=achievement_image_png)
    return bytes(pdf.output())


def _holder(pdf: FPDF, signed_name: str | None, *, holder_name_on_file: str) -> None:
    """The signed name; for a credential that signs none, the name on file with a note
    saying it is not part of what was signed."""
    layout = _LAYOUT
    if signed_name is not None:
        _text(pdf, signed_name, layout.holder, HOLDER)
        return
    _text(pdf, holder_name_on_file or "—", layout.holder, HOLDER)
    _text(
        pdf,
        _("Tên theo hồ sơ hiện tại, không nằm trong nội dung đã ký số"),
        layout.holder_note,
        HOLDER_NOTE,
    )


def _facts_row(pdf: FPDF, facts: list[tuple[str, str]]) -> None:
    """The facts side by side in equal columns, each a label over its value."""
    if not facts:
        return
    box = _LAYOUT.facts
    column = box.w / len(facts)
    for number, (label, value) in enumerate(facts):
        x = box.x + number * column
        _text(pdf, label, Box(x, box.y, column, 5), FACT_LABEL)
        _text(pdf, value, Box(x, box.y + 5, column, 9), FACT_VALUE)


def _revoked_mark(pdf: FPDF) -> None:
    box = _LAYOUT.revoked
    pdf.set_draw_color(*RED)
    pdf.set_fill_color(253, 236, 236)
    pdf.set_line_width(0.8)
    pdf.rect(box.x, box.y, box.w, box.h, style="DF")
    _text(pdf, _("CHỨNG CHỈ ĐÃ BỊ THU HỒI"), Box(box.x + 2, box.y, box.w - 4, box.h), REVOKED)


def _footer(pdf: FPDF, *, document: dict[str, Any], page_url: str, seal_png: bytes | None) -> None:
    """Under a rule: the seal (when there is one) on the left, the QR code of the page on
    the right, and between them what the certificate is, the page's address and its code."""
    layout = _LAYOUT
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.3)
    pdf.line(LEFT, layout.footer_y, RIGHT, layout.footer_y)
    text_left = LEFT
    if seal_png:
        seal = layout.seal
        pdf.image(
            io.BytesIO(seal_png), x=seal.x, y=seal.y, w=seal.w, h=seal.h, keep_aspect_ratio=True
        )
        text_left = seal.x + seal.w + 6
    pdf.image(_qr_png(page_url), x=layout.qr.x, y=layout.qr.y, w=layout.qr.w, h=layout.qr.h)
    footer_width = layout.qr.x - 6 - text_left
    _text(
        pdf,
        _(
            "Chứng chỉ số theo chuẩn Open Badges 3.0, có chữ ký số của đơn vị cấp. "
            "Quét mã QR hoặc mở địa chỉ dưới đây để kiểm tra chứng chỉ còn hiệu lực:"
        ),
        Box(text_left, layout.footer_note_y, footer_width, layout.footer_text_height),
        FOOTER,
        valign="top",
    )
    _text(
        pdf,
        page_url,
        Box(text_left, layout.footer_url_y, footer_width, layout.footer_text_height),
        FOOTER_URL,
        valign="top",
    )
    _text(
        pdf,
        _("Mã chứng chỉ: %(id)s") % {"id": _credential_code(document, page_url)},
        Box(text_left, layout.footer_code_y, footer_width, layout.footer_text_height),
        FOOTER,
        valign="top",
    )
