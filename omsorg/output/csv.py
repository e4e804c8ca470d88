from django.http import HttpResponse


def csv_response(text: str, filename: str) -> HttpResponse:
    """A CSV download for Swedish Excel: UTF-8 with a byte order mark (without
    it Excel reads the file as Windows-1252 and breaks å, ä and ö)."""
    if not text.startswith("\ufeff"):
        text = "\ufeff" + text
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
