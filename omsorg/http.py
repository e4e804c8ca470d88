"""Typing for requests that went through django-htmx's middleware, and URLs
for many rows at once."""

from collections.abc import Callable

from django.http import HttpRequest
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

_SENTINEL = 918273645


def pk_url(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many pks with one reverse: a list of
    70 clients reversed two URLs per row, a fifth of the page's time. Call it
    once per request (the script prefix belongs to the request)."""
    head, found, tail = reverse(name, args=[_SENTINEL]).partition(str(_SENTINEL))
    assert found, name  # the pk is a segment of the URL

    def url(pk: int) -> str:
        return f"{head}{int(pk)}{tail}"

    return url


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
