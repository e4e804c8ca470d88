"""PDF output through WeasyPrint: A4, Swedish, the font shipped in static/fonts.

Every printable document (reports, implementation plans, letters) extends
templates/pdf/base.html and is rendered with ``render_pdf``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    request: HttpRequest | None = None,
    printed_by: str = "",
) -> bytes:
    from weasyprint import HTML  # imported lazily: loading Pango takes time

    context = {
        "font_dir": settings.PDF_FONT_DIR.as_uri(),
        "printed_at": timezone.localtime(),
        "printed_by": printed_by or _printed_by(request),
        **context,
    }
    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def printed_by(user: Any) -> str:
    """The name printed in a PDF's footer (a job's owner in the worker)."""
    return user.get_full_name() or user.get_username()


def _printed_by(request: HttpRequest | None) -> str:
    if request is None or not request.user.is_authenticated:
        return ""
    user = request.user
    return user.get_full_name() or user.get_username()  # type: ignore[union-attr]
