"""PDF rendering with WeasyPrint, shared by every app that prints an administrative document."""

from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render an HTML template to PDF bytes; official documents are always in Vietnamese."""
    from weasyprint import HTML  # imported late: Pango loads only when a PDF is asked for

    with translation.override("vi"):
        html = render_to_string(template_name, context)
    return HTML(string=html).write_pdf()
