"""PDF documents with Vietnamese text, the same on every machine.

fpdf2 is pure Python; the fonts are DejaVu Sans shipped in learnprofile/fonts (full
Vietnamese coverage), so no system font or library is needed.
"""

from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVuSans"


def pdf_document(*, title: str) -> FPDF:
    """An A4 document with the shipped fonts registered and automatic page breaks."""
    document = FPDF(orientation="portrait", unit="mm", format="A4")
    document.add_font(FONT_FAMILY, style="", fname=str(FONT_DIR / "DejaVuSans.ttf"))
    document.add_font(FONT_FAMILY, style="B", fname=str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    document.set_title(title)
    document.set_creator("LearnProfile")
    document.set_auto_page_break(auto=True, margin=15)
    document.set_font(FONT_FAMILY, size=10)
    return document
