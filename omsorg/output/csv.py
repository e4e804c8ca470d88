"""CSV for Swedish Excel, safe to open: every CSV the app or its commands write
goes through ``csv_text`` (and, for downloads, ``csv_response``).

Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return before one) as a formula: a client named
``=HYPERLINK("http://x","y")`` would become a link in the coordinator's
spreadsheet. Following OWASP's advice on CSV injection, such a text cell gets a
leading apostrophe, which the spreadsheet shows as text. Numbers are left as
they are: Python numbers are never touched, and a text that is only a number
(``-3``, ``0,25``) stays one."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def safe_cell(value: Any) -> Any:
    """The value, with a text that a spreadsheet would run as a formula
    turned into plain text; None becomes an empty cell."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class _Line:
    def write(self, value: str) -> str:
        return value


_LINE_WRITER = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")


def csv_line(cells: Iterable[Any]) -> str:
    """One line of ``csv_text``, for CSV streamed a row at a time."""
    return str(_LINE_WRITER.writerow([safe_cell(cell) for cell in cells]))


def csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]], *, bom: bool = False) -> str:
    """Semicolon-separated, CRLF line ends (what Swedish Excel writes and reads),
    every cell through ``safe_cell``; with ``bom``, a byte order mark first."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def csv_response(text: str, filename: str) -> HttpResponse:
    """A CSV download for Swedish Excel: UTF-8 with a byte order mark (without
    it Excel reads the file as Windows-1252 and breaks å, ä and ö)."""
    if not text.startswith("\ufeff"):
        text = "\ufeff" + text
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
