"""The printable certificate: an A4 landscape PDF drawn from the signed credential (names,
dates and status position come from the signed document, never from the database rows that
may have changed since), with the holder's name and a QR code of the verification page."""

import io
from datetime import datetime
from typing import Any

import segno
from django.utils import formats
from django.utils.translation import gettext as _

from credentials import documents
from learnprofile.pdf import FONT_FAMILY, pdf_document


def _date(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    try:
        return formats.date_format(datetime.fromisoformat(value), "SHORT_DATE_FORMAT")
    except ValueError:
        return ""


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
    credential that signs none (issued before names were signed)."""
    holder_name = documents.holder_name(document) or holder_name_on_file
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    issuer = document.get("issuer") or {}
    title = str(achievement.get("name", ""))
    pdf = pdf_document(title=title)
    pdf.set_auto_page_break(auto=False)
    pdf.add_page(orientation="landscape")
    width = pdf.w - 2 * pdf.l_margin
    pdf.set_draw_color(30, 80, 140)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)

    pdf.set_y(22)
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(width, 8, str(issuer.get("name", "")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, style="B", size=24)
    pdf.multi_cell(width, 11, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(width, 8, _("Chứng nhận"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, style="B", size=20)
    pdf.cell(width, 12, holder_name or "—", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=11)
    description = str(achievement.get("description", ""))
    if description:
        pdf.multi_cell(width, 6, description, align="C", new_x="LMARGIN", new_y="NEXT")
    results = subject.get("result") or []
    if results and isinstance(results[0], dict) and results[0].get("value"):
        pdf.cell(
            width,
            7,
            _("Tỷ lệ chuyên cần: %(value)s%%") % {"value": results[0]["value"]},
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(3)
    dates = _("Ngày cấp: %(date)s") % {"date": _date(document.get("validFrom"))}
    if document.get("validUntil"):
        dates += " · " + _("Hiệu lực đến: %(date)s") % {"date": _date(document["validUntil"])}
    pdf.cell(width, 7, dates, align="C", new_x="LMARGIN", new_y="NEXT")
    if revoked:
        pdf.set_text_color(170, 0, 0)
        pdf.set_font(FONT_FAMILY, style="B", size=14)
        pdf.cell(width, 9, _("CHỨNG CHỈ ĐÃ BỊ THU HỒI"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)

    qr_size = 38
    qr = io.BytesIO()
    segno.make(page_url, error="m").save(qr, kind="png", scale=8, border=2)
    qr.seek(0)
    pdf.image(qr, x=pdf.w - 18 - qr_size, y=pdf.h - 20 - qr_size, w=qr_size, h=qr_size)
    pdf.set_font(FONT_FAMILY, size=8)
    pdf.set_xy(18, pdf.h - 34)
    pdf.multi_cell(
        pdf.w - 60 - qr_size,
        4.5,
        _(
            "Chứng chỉ số theo chuẩn Open Badges 3.0, có chữ ký số của đơn vị cấp. "
            "Quét mã QR hoặc mở địa chỉ dưới đây để kiểm tra chứng chỉ còn hiệu lực:"
        )
        + f"\n{page_url}\n"
        + _("Mã chứng chỉ: %(id)s") % {"id": document.get("id", "")},
    )
    return bytes(pdf.output())
