from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit import log
from audit.models import AccessKind
from contacts import access
from contacts.models import Client, Unit
from omsorg.http import HtmxHttpRequest

from . import selectors, services
from .forms import NoteForm, NoteSearchForm

PAGE_SIZE = 25


def _note_units(request: HttpRequest, client: Client) -> QuerySet[Unit]:
    """The user's units through which the user reaches the client (ongoing
    service, or ended within the grace period): where a note can be filed."""
    return access.reachable_units_for_client(request.user, client)


def _user(request: HttpRequest) -> User:
    # Behind @login_required the user is never anonymous.
    return cast(User, request.user)


@require_GET
@login_required
@access.requires(access.may_read_journal)
def journal_search(request: HtmxHttpRequest) -> HttpResponse:
    """Handbook 1.9: Sök dokumentation, per client or per unit, FOK filter."""
    units = access.units_for_user(request.user)
    unit_param = request.GET.get("unit", "")
    if unit_param.isdigit():
        # Another unit's id gives 404, as for every object outside the user's units.
        access.get_unit_for_user(request.user, int(unit_param))
    form = NoteSearchForm(request.GET, units=units)
    client = None
    page_obj = None
    # Handbook 1.9: with nothing chosen, the notes of the clients whose journal
    # the user read last ("senast lästa"); a new user sees the units' notes.
    recent = [] if request.GET else selectors.recently_read_client_ids(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["client"]:
            client = access.get_client_for_user(request.user, data["client"])
        notes = selectors.search_notes(
            request.user,
            client=client,
            unit=data["unit"],
            kind=data["kind"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
        if recent:
            notes = notes.filter(client_id__in=recent)
        page_obj = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
        shown = [client] if client else {note.client_id for note in page_obj}
        log.record(request, AccessKind.JOURNAL, clients=shown)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "client": client,
        "page_obj": page_obj,
        "query": query.urlencode(),
        "recent": bool(recent),
        "can_write": (
            client is not None
            and access.may_write_journal(request.user)
            and _note_units(request, client).exists()
        ),
    }
    if request.htmx:
        return render(request, "journal/search.html#search", context)
    return render(request, "journal/search.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@access.requires(access.may_write_journal)
def journal_note_create(request: HtmxHttpRequest, client_pk: int) -> HttpResponse:
    """A hand-written note, by the roles that document (contacts.access): the
    staff on the unit document the care they give (the Växjö guidance: the contact
    writes that the meeting took place and who attended)."""
    client = access.get_client_for_user(request.user, client_pk)
    units = _note_units(request, client)
    # An empty POST is bound too, so it shows what is missing.
    form = NoteForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.journal_note_create(
                client=client,
                unit=data["unit"],
                kind=data["kind"],
                event_date=data["event_date"],
                text=data["text"],
                by=_user(request),
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Anteckningen har sparats."))
            return redirect(f"{reverse('journal_search')}?client={client.pk}")
    log.record(request, AccessKind.JOURNAL, clients=[client])
    return render(request, "journal/note_form.html", {"client": client, "form": form})
