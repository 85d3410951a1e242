"""The printable certificate: every text at the longest length the forms allow stays in its
own box on the page; names typed with combining marks print like their precomposed form; the
signed name wins over the one on file; dates in Vietnam's time; the revoked mark; and
certificates built at once in several threads each embed only their own glyphs."""

import io
import re
import unicodedata
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from itertools import combinations
from typing import Any

import pdfplumber
import pypdfium2
from django.apps import apps
from django.utils.translation import override
from PIL import Image, ImageChops, ImageDraw

from credentials import documents
from credentials.certificate import certificate_pdf
from credentials.models import Achievement
from learnprofile.pdf import pdf_document

# By label: credentials may not import profiles.models (import-linter).
CitizenProfile = apps.get_model("profiles", "CitizenProfile")
Organization = apps.get_model("profiles", "Organization")
PAGE_URL = "https://hoctap.gov.vn/credentials/0d8f3c1e-6a7b-4c2d-9e10-1234567890ab"
MM = 72 / 25.4  # points per millimetre
INNER_FRAME = 10.5 * MM  # the inner frame of the certificate, from each edge


def _document(
    *,
    name: str = "Nguyễn Thị Hồng Nhung",
    achievement_name: str = "Chứng nhận hoàn thành: Tin học cơ bản",
    description: str = "Hoàn thành khóa Tin học cơ bản của trung tâm học tập cộng đồng.",
    issuer_name: str = "Trung tâm học tập cộng đồng phường Bến Nghé",
    valid_from: datetime = datetime(2026, 11, 29, 22, 19, tzinfo=UTC),
    valid_until: datetime | None = datetime(2031, 11, 29, 22, 19, tzinfo=UTC),
) -> dict[str, Any]:
    return documents.credential_build(
        credential_id=PAGE_URL,
        issuer=documents.IssuerInfo(
            id="did:web:hoctap.gov.vn:issuers:ben-nghe",
            name=issuer_name,
            url="https://hoctap.gov.vn/",
        ),
        achievement=documents.AchievementInfo(
            id=f"https://hoctap.gov.vn/achievements/{uuid.UUID(int=1)}",
            name=achievement_name,
            description=description,
            criteria="Chuyên cần từ 80%.",
            hours=Decimal(30),
        ),
        subject=documents.SubjectInfo(
            identity_kind="email",
            identity="nhung@example.vn",
            salt="00" * 16,
            attendance_percent=Decimal("95.5"),
            name=name,
        ),
        valid_from=valid_from,
        valid_until=valid_until,
    )


def _max_length(model: Any, field: str) -> int:
    return int(model._meta.get_field(field).max_length)


def _text_of_length(words: str, length: int) -> str:
    """The words repeated up to the length, ending with a full stop."""
    return ((words + " ") * (length // len(words) + 1))[: length - 1] + "."


def _seal_png() -> bytes:
    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, 116, 116), fill=(178, 141, 62, 255))
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def _page_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return document.pages[0].extract_text()


def _lines(chars: list[dict[str, Any]]) -> list[dict[str, float]]:
    """The bounding box of each printed line: the characters sharing a baseline and size."""
    boxes: dict[tuple[float, float], dict[str, float]] = {}
    for char in chars:
        key = (round(char["bottom"], 2), round(char["size"], 2))
        box = boxes.setdefault(key, dict(char))
        box["x0"], box["x1"] = min(box["x0"], char["x0"]), max(box["x1"], char["x1"])
        box["top"], box["bottom"] = min(box["top"], char["top"]), max(box["bottom"], char["bottom"])
    return list(boxes.values())


def _overlap(first: dict[str, Any], second: dict[str, Any]) -> bool:
    return (
        first["x0"] < second["x1"]
        and second["x0"] < first["x1"]
        and first["top"] < second["bottom"]
        and second["top"] < first["bottom"]
    )


def _pixels(pdf: bytes) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=2).to_pil().convert("RGB")
    finally:
        document.close()


def test_every_text_at_the_longest_the_forms_allow_stays_inside_the_page_and_in_its_box() -> None:
    name_length = _max_length(CitizenProfile, "full_name")
    # Half the name in words with diacritics, half one long word with no space to break at.
    name = (
        _text_of_length("Nguyễn Thị Hồng Nhung Trần Văn Ẩn", name_length // 2)
        + ("Ẩưữỹ" * name_length)[: name_length - name_length // 2]
    )
    achievement_name = _text_of_length(
        "Chứng nhận hoàn thành khóa bồi dưỡng ứng dụng công nghệ thông tin cơ bản",
        _max_length(Achievement, "name_vi"),
    )
    description = _text_of_length(
        "Người học đã hoàn thành đầy đủ chương trình, tham gia các buổi thực hành và đạt yêu "
        "cầu đánh giá cuối khóa.",
        _max_length(Achievement, "description_vi"),
    )
    issuer_name = _text_of_length(
        "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên quận Hoàn Kiếm",
        _max_length(Organization, "name"),
    )
    assert (len(name), len(achievement_name), len(description)) == (150, 200, 2000)
    assert len(issuer_name) == 200

    pdf = certificate_pdf(
        document=_document(
            name=name,
            achievement_name=achievement_name,
            description=description,
            issuer_name=issuer_name,
        ),
        page_url=PAGE_URL,
        revoked=True,
        achievement_image_png=_seal_png(),
    )

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        chars = [char for char in page.chars if char["text"].strip()]
        images = [dict(image) for image in page.images]
        width, height = page.width, page.height
    printed = "".join(char["text"] for char in chars)
    for text in (name, achievement_name, description, issuer_name):
        assert text.replace(" ", "") in printed  # printed whole, not cut
    qr_code = max(images, key=lambda image: image["x0"])
    assert round(qr_code["x1"] - qr_code["x0"]) == round(36 * MM)
    assert len(images) == 2  # the QR code and the seal
    for char in chars:
        assert INNER_FRAME < char["x0"] < char["x1"] < width - INNER_FRAME, char
        assert INNER_FRAME < char["top"] < char["bottom"] < height - INNER_FRAME, char
        for image in images:
            assert not _overlap(char, image), (char, image)
    for first, second in combinations(_lines(chars), 2):
        assert not _overlap(first, second), (first, second)


def test_text_typed_with_combining_marks_prints_like_its_precomposed_form() -> None:
    # The signed name is NFC by construction; the other texts and the name on file are
    # printed as given.
    texts = {
        "issuer_name": "Trung tâm Ẩm thực Hữu Nghị",
        "achievement_name": "Chứng nhận: Kỹ năng sử dụng ứng dụng",
        "description": "Ẩ ư ữ ỹ — người học đã hoàn thành khóa học.",
    }
    name_on_file = "Nguyễn Thị Ẩn Hữu Mỹ"

    def rendered(form: str) -> Image.Image:
        normal = {key: unicodedata.normalize(form, value) for key, value in texts.items()}
        return _pixels(
            certificate_pdf(
                document=_document(name="", **normal),
                page_url=PAGE_URL,
                revoked=False,
                holder_name_on_file=unicodedata.normalize(form, name_on_file),
            )
        )

    assert unicodedata.normalize("NFD", "Ẩưữỹ") != "Ẩưữỹ"
    # Identical pixels: the same glyphs at the same places, no tolerance needed.
    assert ImageChops.difference(rendered("NFD"), rendered("NFC")).getbbox() is None


def test_the_signed_name_is_printed_rather_than_the_name_on_file() -> None:
    pdf = certificate_pdf(
        document=_document(name="Trần Thị Bích Ngọc"),
        page_url=PAGE_URL,
        revoked=False,
        holder_name_on_file="Trần Bích Ngọc",
    )

    lines = _page_text(pdf).splitlines()
    assert "Trần Thị Bích Ngọc" in lines
    assert "Trần Bích Ngọc" not in lines
    assert "Tên theo hồ sơ hiện tại, không nằm trong nội dung đã ký số" not in lines


def test_a_credential_that_signs_no_name_prints_the_name_on_file_with_a_note() -> None:
    document = _document(name="")
    assert documents.holder_name(document) is None

    pdf = certificate_pdf(
        document=document, page_url=PAGE_URL, revoked=False, holder_name_on_file="Trần Bích Ngọc"
    )

    lines = _page_text(pdf).splitlines()
    assert lines[lines.index("Trần Bích Ngọc") + 1] == (
        "Tên theo hồ sơ hiện tại, không nằm trong nội dung đã ký số"
    )


def test_dates_hours_and_attendance_are_printed_in_vietnamese_in_vietnam_s_time() -> None:
    # 22:19 UTC on the 29th is 05:19 on the 30th in Vietnam.
    pdf = certificate_pdf(document=_document(), page_url=PAGE_URL, revoked=False)

    lines = _page_text(pdf).splitlines()
    assert "Số giờ học Tỷ lệ chuyên cần Ngày cấp Hiệu lực đến" in lines
    # percent_for_people puts a no-break space before the sign; DejaVu draws it with the
    # space glyph, which the PDF's text maps back to a plain space.
    assert "30 giờ 95,5 % 30/11/2026 30/11/2031" in lines


def test_dates_and_attendance_are_printed_in_english_in_vietnam_s_time() -> None:
    with override("en"):
        pdf = certificate_pdf(document=_document(), page_url=PAGE_URL, revoked=False)

    text = _page_text(pdf)
    assert "95.5% 30 Nov 2026 30 Nov 2031" in text
    assert "29 Nov 2026" not in text


def test_a_revoked_credential_carries_the_revoked_mark_in_a_red_band() -> None:
    revoked = certificate_pdf(document=_document(), page_url=PAGE_URL, revoked=True)
    valid = certificate_pdf(document=_document(), page_url=PAGE_URL, revoked=False)

    assert "CHỨNG CHỈ ĐÃ BỊ THU HỒI" in _page_text(revoked).splitlines()
    assert "THU HỒI" not in _page_text(valid)
    with pdfplumber.open(io.BytesIO(revoked)) as document:
        page = document.pages[0]
        red = (0.6902, 0.0784, 0.0784)
        bands = [rect for rect in page.rects if rect["stroking_color"] == red and rect["fill"]]
        mark = [char for char in page.chars if char["non_stroking_color"] == red]
    assert "".join(char["text"] for char in mark) == "CHỨNG CHỈ ĐÃ BỊ THU HỒI"
    assert len(bands) == 1
    for char in mark:
        assert bands[0]["x0"] < char["x0"] < char["x1"] < bands[0]["x1"]
        assert bands[0]["top"] < char["top"] < char["bottom"] < bands[0]["bottom"]


def test_certificates_built_at_once_in_threads_each_embed_only_their_own_glyphs() -> None:
    # The fonts are parsed once per process and shared: a certificate's PDF must not change
    # with what other certificates, built before or at the same time, printed.
    greek = _document(name="Ελένη Παπαδοπούλου")
    cyrillic = _document(name="Иван Петрович Сидоров")

    def built(document: dict[str, Any]) -> bytes:
        pdf = certificate_pdf(document=document, page_url=PAGE_URL, revoked=False)
        # Only the creation time and the file identifier derived from it differ.
        return re.sub(rb"/CreationDate \(D:\d+Z\)|/ID \[<\w+><\w+>\]", b"", pdf)

    alone = built(greek)
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(built, [greek, cyrillic] * 6))

    assert together[0::2] == [alone] * 6
    assert "Ελένη Παπαδοπούλου" in _page_text(alone)


def test_a_pdf_document_with_the_shared_fonts_can_hold_an_unbreakable_block() -> None:
    # fpdf2's unbreakable() deep-copies the document, shared fonts included.
    document = pdf_document(title="Bảng ghi")
    document.add_page()
    with document.unbreakable() as block:
        block.cell(text="Nguyễn Thị Ẩn")

    assert _page_text(bytes(document.output())) == "Nguyễn Thị Ẩn"
