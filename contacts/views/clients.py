from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from audit import log
from audit.models import AccessKind
from contacts import access, lifecycle_selectors, reading
from contacts.models import Client
from omsorg.http import HtmxHttpRequest

# Handbook 1.4: the tabs of "Brukare: Personuppgifter", in order, as (?flik=, label).
TABS = [
    ("person", _("Person")),
    ("narstaende", _("Närstående")),
    ("kontakter", _("Kontakter")),
    ("fok", _("Fast omsorgskontakt")),
    ("ovrigt", _("Övrig information")),
]
TAB_KEYS = {key for key, _label in TABS}
# The app exists for the care contact, so the record opens on that tab.
DEFAULT_TAB = "fok"


def _optional_url(name: str, *args: Any, query: str = "") -> str | None:
    """URLs of pages other apps may not have yet (journal search, plans)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def record_context(
    request: HtmxHttpRequest, client: Client, *, tab: str, editing: Any = None
) -> dict[str, Any]:
    """Everything client_detail.html needs; also used by the edit view, which
    shows the form inside the FOK tab."""
    today = timezone.localdate()
    user = request.user
    record = reading.client_record(client=client, user=user, on=today)
    base = client.get_absolute_url()
    tabs = [
        (key, label)
        for key, label in TABS
        if key != "narstaende" or access.may_read_relatives(user)
    ]
    log.record(request, AccessKind.CLIENT, clients=[client], parameters={"flik": tab})
    return {
        "client": client,
        "age": client.age_on(today),
        "today": today,
        "record": record,
        "tab": tab,
        "tabs": [
            {"key": key, "label": label, "url": f"{base}?flik={key}", "current": key == tab}
            for key, label in tabs
        ],
        "relatives": list(client.relatives.all()) if tab == "narstaende" else [],
        "editing": editing,
        "journal_url": (
            _optional_url("journal_search", query=f"client={client.pk}")
            if access.may_read_journal(user)
            else None
        ),
        "plans_url": _optional_url("plan_list", client.pk) if access.may_read_plans(user) else None,
        "history_url": (
            reverse("client_history", args=[client.pk])
            if access.may_read_contact_history(user)
            else None
        ),
        "can_move": any(uc.can_change for uc in record.unit_contacts),
        "changeable_unit_ids": {uc.unit.pk for uc in record.unit_contacts if uc.can_change},
        "change_requests": (
            lifecycle_selectors.change_requests(client, access.units_for_user(user))
            if tab == "fok"
            else None
        ),
    }


def render_record(request: HtmxHttpRequest, context: dict[str, Any]) -> HttpResponse:
    template = "contacts/client_detail.html"
    if request.htmx:
        template += "#record"
    response = render(request, template, context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@login_required
def client_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    client = access.get_client_for_user(request.user, pk)
    tab = request.GET.get("flik", DEFAULT_TAB)
    if tab not in TAB_KEYS or (tab == "narstaende" and not access.may_read_relatives(request.user)):
        tab = DEFAULT_TAB
    return render_record(request, record_context(request, client, tab=tab))
