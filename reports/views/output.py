"""One view per report, three formats: the page, CSV and PDF come from the
same form and the same selector; ``?format=csv`` or ``format=pdf`` chooses.

A PDF is never laid out inside a web request: POST with ``format=pdf`` (a
button on the page, the form's values in hidden fields) starts a background
job (jobs app) that checks the same form again and runs the same selector in
the task worker; the page shows its progress and the download. A GET with
``format=pdf`` (the old /pdf/ addresses) shows that button. The old /csv/
and /pdf/ URL names stay, served by the same view with the format preset."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from contacts import access
from jobs.services import job_start
from jobs.views import job_started_response

HTML, CSV, PDF = "html", "csv", "pdf"

FORMATS = (HTML, CSV, PDF)

View = Callable[..., HttpResponse]

# "All my units" over more units than this is not computed in a request (an
# administrator's or a district's whole organisation: thousands of clients,
# seconds of queries, megabytes of lists): the continuity report and KKiK
# come as PDFs and the Kolada figures as a CSV file from the task worker,
# and the FOK statistics page gives its counts with the lists in the files.
PAGE_UNITS = 12


def too_many_units(count: int) -> bool:
    """Does "all my units" of ``count`` units go past what a page shows?"""
    return count > PAGE_UNITS


def output_format(request: HttpRequest, preset: str | None = None) -> str:
    """The format asked for: preset by an old URL, else ``format`` of the query
    (or of the POST, which only ever starts a PDF)."""
    if request.method == "POST":
        return PDF
    value = preset or request.GET.get("format", HTML)
    return value if value in FORMATS else HTML


def form_data(request: HttpRequest) -> QueryDict:
    """The report's parameters: the query string, or the POSTed hidden fields."""
    return request.POST if request.method == "POST" else request.GET


def hidden_fields(query: Mapping[str, Any], names: Iterable[str]) -> list[tuple[str, str]]:
    """(name, value) pairs of the form's parameters, for the PDF button."""
    pairs: list[tuple[str, str]] = []
    for name in names:
        if isinstance(query, QueryDict):
            pairs.extend((name, value) for value in query.getlist(name))
        elif query.get(name) not in (None, ""):
            pairs.append((name, str(query[name])))
    return pairs


def report_views(
    check: Callable[[access.AnyUser], bool], body: Callable[[HttpRequest, str | None], HttpResponse]
) -> tuple[View, View]:
    """The report's view (GET: page or CSV or the PDF button; POST: start the
    PDF) and its alias for the old /csv/ and /pdf/ URLs (GET, format preset)."""

    @require_http_methods(["GET", "POST"])
    @login_required
    @access.requires(check)
    def view(request: HttpRequest) -> HttpResponse:
        return body(request, None)

    @require_GET
    @login_required
    @access.requires(check)
    def alias(request: HttpRequest, format: str) -> HttpResponse:
        return body(request, format)

    return view, alias


def start_pdf(
    request: HttpRequest, *, kind: str, title: str, params: dict[str, Any]
) -> HttpResponse:
    """POST: the form was valid; record the job and show its progress."""
    job = job_start(user=request.user, kind=kind, title=title, params=params)  # type: ignore[arg-type]
    return job_started_response(request, job)


def pdf_response(
    request: HttpRequest,
    *,
    kind: str,
    title: str,
    url_name: str,
    fields: list[tuple[str, str]],
    back_query: str,
) -> HttpResponse:
    """A report's PDF from a valid form: a POST starts the job, a GET (which
    never starts work) shows the button that does."""
    if request.method == "POST":
        return start_pdf(request, kind=kind, title=title, params=dict(fields))
    action = reverse(url_name)
    return pdf_button_page(
        request, title=title, action=action, fields=fields, back=f"{action}?{back_query}"
    )


def pdf_button_page(
    request: HttpRequest, *, title: str, action: str, fields: list[tuple[str, str]], back: str
) -> HttpResponse:
    """GET with format=pdf: what will be printed, and the button that starts it."""
    return render(
        request,
        "reports/pdf_start.html",
        {"title": title, "pdf_action": action, "pdf_fields": fields, "back": back},
    )
