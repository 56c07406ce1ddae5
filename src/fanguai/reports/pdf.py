"""PDF documents (WeasyPrint) with the Chinese font that travels with the project: Noto Sans SC, vendored as
woff2 slices under static/vendor/noto-sans-sc/, so a PDF shows Chinese on any machine without system fonts.
WeasyPrint needs Pango from the operating system (Debian: libpango-1.0-0 libpangoft2-1.0-0)."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


class PdfUnavailable(RuntimeError):
    """The system lacks what WeasyPrint needs; the message says what to install."""


def _static_root() -> Path:
    font_css = finders.find("vendor/noto-sans-sc/pdf.css")
    return Path(font_css).parent.parent.parent


def render_pdf(template: str, context: dict) -> bytes:
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango is missing
        raise PdfUnavailable(
            _("PDF export needs the system packages libpango-1.0-0 and libpangoft2-1.0-0.")
        ) from exc
    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(_static_root())).write_pdf()
