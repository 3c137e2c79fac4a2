"""PDF rendering with WeasyPrint, shared by every app that prints an administrative document.

The documents use the vendored Liberation Serif 2.1.5 (config/fonts/: Times New Roman metrics and every
Vietnamese letter), declared here so that a PDF never depends on the fonts of the server. They are written
as PDF/A-2b (archival: fonts embedded, colours declared), which stays valid when a PAdES signature is
added as an incremental update.
"""

from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR_FONT = FONTS / "LiberationSerif-Regular.ttf"
PDF_VARIANT = "pdf/a-2b"
# The element of the signer block where a visible digital signature goes (templates/documents/base.html).
SIGNATURE_ANCHOR = "signature-box"
_FACES = (("Regular", "normal", "normal"), ("Bold", "bold", "normal"), ("Italic", "normal", "italic"))
FONT_FACES = "\n".join(
    f'@font-face {{ font-family: "Liberation Serif"; src: url("{(FONTS / f"LiberationSerif-{name}.ttf").as_uri()}"); '
    f"font-weight: {weight}; font-style: {style}; }}"
    for name, weight, style in (*_FACES, ("BoldItalic", "bold", "italic"))
)
_PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels (96 per inch); PDF user space is in points (72)


@dataclass(frozen=True)
class RenderedPdf:
    """A rendered document: its bytes, its page count, and where the signer block's signature box lies
    (page index from 0 and a rectangle x1, y1, x2, y2 in PDF points), or None when it has none."""

    content: bytes
    pages: int
    signature_box: dict | None


def render_document(template_name: str, context: dict) -> RenderedPdf:
    """Render an HTML template to a PDF; official documents are always in Vietnamese."""
    from weasyprint import CSS, HTML  # imported late: Pango loads only when a PDF is asked for
    from weasyprint.text.fonts import FontConfiguration

    with translation.override("vi"):
        html = render_to_string(template_name, context)
    fonts = FontConfiguration()
    document = HTML(string=html).render(font_config=fonts, stylesheets=[CSS(string=FONT_FACES, font_config=fonts)])
    content = document.write_pdf(pdf_variant=PDF_VARIANT)
    return RenderedPdf(content, len(document.pages), _signature_box(document))


def render_pdf(template_name: str, context: dict) -> bytes:
    return render_document(template_name, context).content


def _signature_box(document) -> dict | None:
    for index, page in enumerate(document.pages):
        if SIGNATURE_ANCHOR in page.anchors:
            left, top, right, bottom = page.anchors[SIGNATURE_ANCHOR]  # CSS pixels from the page's top left
            box = [
                left * _PX_TO_PT,
                (page.height - bottom) * _PX_TO_PT,
                right * _PX_TO_PT,
                (page.height - top) * _PX_TO_PT,
            ]
            return {"page": index, "box": [round(value, 2) for value in box]}
    return None
