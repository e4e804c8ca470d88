"""A client's lifecycle: moving to another unit (handbook 1.10), ending a
service (1.11), the client's request for another contact (the guidance for providers), and the
history of every status and contact change."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Min
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit import log
from audit.models import AccessKind
from contacts import access, history, lifecycle_selectors, selectors, services
from contacts.lifecycle_forms import AsOfForm, ChangeRequestForm, ClientMoveForm, ServiceEndForm
from contacts.models import CareContact, Client, Service
from contacts.views.staff import acting_user
from omsorg.http import HtmxHttpRequest

logger = logging.getLogger(__name__)


def _fok_url(client: Client) -> str:
    return f"{client.get_absolute_url()}?flik=fok"


def _done(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """POST-redirect-GET; htmx follows with a full page load of ``url``."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _render(request: HtmxHttpRequest, template: str, partial: str, context: Any) -> HttpResponse:
    if request.htmx and request.method == "POST":
        template = f"{template}#{partial}"
    return render(request, template, context)


# --- move (handbook 1.10) ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def client_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    client = access.get_client_for_user(request.user, pk)
    access.require(access.may_change_contacts(request.user))
    today = timezone.localdate()
    # Only units where the user may change contacts and the client has a
    # service now or later; to any unit of the organisation (contacts.access).
    from_units = access.move_source_units(request.user, client, today).order_by("name")
    refresh_url = reverse("client_move", args=[client.pk])
    raw = (request.POST if request.method == "POST" else request.GET).get("from_unit", "")
    chosen = from_units.filter(pk=raw).first() if raw.isdigit() else None
    source = chosen or from_units.first()
    to_units = access.move_target_units(request.user, source).order_by("name")
    if request.method == "POST":
        form = ClientMoveForm(
            request.POST, from_units=from_units, to_units=to_units, refresh_url=refresh_url
        )
        if form.is_valid():
            data = form.cleaned_data
            access.require(access.may_move(request.user, data["from_unit"], data["to_unit"]))
            try:
                services.client_move(
                    client=client,
                    from_unit=data["from_unit"],
                    to_unit=data["to_unit"],
                    on=data["on"],
                    by=acting_user(request),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                text = _("%(client)s flyttas från %(from)s till %(to)s från och med %(date)s.")
                if history.state_on(client=client, unit=data["to_unit"], on=data["on"]).status == (
                    CareContact.Status.NOT_ASKED
                ):
                    text += " " + _("Brukaren är ej tillfrågad på %(to)s.")
                messages.success(
                    request,
                    text
                    % {
                        "client": client.full_name,
                        "from": data["from_unit"].name,
                        "to": data["to_unit"].name,
                        "date": data["on"].isoformat(),
                    },
                )
                if not access.clients_for_user(request.user).filter(pk=client.pk).exists():
                    # Moved to a unit that is not the user's, far enough back that
                    # the old unit no longer reaches the client (need-to-know).
                    return _done(request, reverse("home"))
                return _done(request, _fok_url(client))
    else:
        try:
            on = parse_date(request.GET.get("on", ""))
        except ValueError:
            on = None
        form = ClientMoveForm(
            initial={"on": on or today, "from_unit": source.pk if source else None},
            from_units=from_units,
            to_units=to_units,
            refresh_url=refresh_url,
        )
    contacts = {
        change.unit_id: change
        for change in selectors.client_contacts_on(client, today).filter(unit__in=from_units)
    }
    current = [(unit, contacts.get(unit.pk)) for unit in from_units]
    context = {"client": client, "form": form, "current": current, "today": today}
    log.record(request, AccessKind.CLIENT, clients=[client])
    if request.htmx and request.method == "GET" and "from_unit" in request.GET:
        return render(request, "contacts/client_move.html#move-form", context)
    return _render(request, "contacts/client_move.html", "move-form", context)


# --- end a service (handbook 1.11) ------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def service_end(request: HtmxHttpRequest, pk: int, service_pk: int) -> HttpResponse:
    client = access.get_client_for_user(request.user, pk)
    service = get_object_or_404(
        Service.objects.select_related("unit").filter(
            client=client, unit__in=access.units_for_user(request.user)
        ),
        pk=service_pk,
    )
    service.client = client
    access.require_change_contacts(request.user, service.unit)
    today = timezone.localdate()
    if request.method == "POST":
        form = ServiceEndForm(request.POST, start=service.start)
        if form.is_valid():
            end = form.cleaned_data["end"]
            try:
                services.service_end(service=service, end=end, by=acting_user(request))
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                last_day = services.execution_end(client=client, unit=service.unit)
                text = _("Insatsen %(service)s avslutas %(date)s.") % {
                    "service": service.get_kind_display(),
                    "date": end.isoformat(),
                }
                if last_day is not None:
                    text += " " + _(
                        "Verkställigheten på %(unit)s avslutas: den fasta omsorgskontakten "
                        "där upphör från och med %(after)s."
                    ) % {
                        "unit": service.unit.name,
                        "after": (last_day + dt.timedelta(days=1)).isoformat(),
                    }
                if not access.clients_for_user(request.user).filter(pk=client.pk).exists():
                    # Ended further back than the grace period: the record is
                    # closed to the unit now (need-to-know), so go to the start page.
                    text += " " + _(
                        "Insatsen slutade för mer än %(days)s dagar sedan, så brukaren "
                        "visas inte längre för enheten."
                    ) % {"days": access.grace_days()}
                    messages.success(request, text)
                    return _done(request, reverse("home"))
                messages.success(request, text)
                return _done(request, _fok_url(client))
            service.refresh_from_db()
            service.client = client
    else:
        form = ServiceEndForm(initial={"end": service.end or today}, start=service.start)
    others = list(
        Service.objects.filter(client=client, unit=service.unit)
        .exclude(pk=service.pk)
        .order_by("start")
    )
    # Other services on the unit that go on after today keep the execution alive.
    continuing = [s for s in others if s.end is None or s.end >= today]
    contact = selectors.client_contacts_on(client, today).filter(unit=service.unit).first()
    context = {
        "client": client,
        "service": service,
        "form": form,
        "others": others,
        "is_last": not continuing,
        "contact": contact,
        "today": today,
    }
    log.record(request, AccessKind.CLIENT, clients=[client])
    return _render(request, "contacts/service_end.html", "end-form", context)


# --- the client asks for another contact (the guidance for providers) -----------------


@require_http_methods(["GET", "POST"])
@login_required
def contact_change_request(request: HtmxHttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    client = access.get_client_for_user(request.user, pk)
    today = timezone.localdate()
    unit = get_object_or_404(access.client_units_for_user(request.user, client, today), pk=unit_pk)
    access.require_change_contacts(request.user, unit)
    first_start = Service.objects.filter(client=client, unit=unit).aggregate(Min("start"))
    bounds = {"earliest": first_start["start__min"], "latest": today}
    if request.method == "POST":
        form = ChangeRequestForm(request.POST, **bounds)
        if form.is_valid():
            try:
                change_request = services.contact_change_request_record(
                    client=client,
                    unit=unit,
                    reason=form.cleaned_data["reason"],
                    requested_on=form.cleaned_data["requested_on"],
                    by=acting_user(request),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("Önskemålet om byte är registrerat. Välj ny fast omsorgskontakt nedan."),
                )
                url = reverse("fok_edit", args=[client.pk, unit.pk])
                return _done(request, f"{url}?begaran={change_request.pk}")
    else:
        form = ChangeRequestForm(initial={"requested_on": today}, **bounds)
    context = {
        "client": client,
        "unit": unit,
        "form": form,
        "contact": selectors.client_contacts_on(client, today).filter(unit=unit).first(),
        "change_requests": lifecycle_selectors.change_requests(
            client, access.units_for_user(request.user)
        ),
    }
    log.record(request, AccessKind.CLIENT, clients=[client])
    return _render(request, "contacts/change_request.html", "request-form", context)


# --- history ----------------------------------------------------------------------------


@require_GET
@login_required
@access.requires(access.may_read_contact_history)
def client_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The changes on the user's own units only: handbook 1.5 shows another
    unit's current contacts (on the record), not its history or who changed it."""
    client = access.get_client_for_user(request.user, pk)
    my_units = set(access.units_for_user(request.user).values_list("pk", flat=True))
    today = timezone.localdate()
    as_of_form = AsOfForm(request.GET if "per" in request.GET else None, initial={"per": today})
    on = today
    if as_of_form.is_bound and as_of_form.is_valid():
        on = as_of_form.cleaned_data["per"]
    context = {
        "client": client,
        "changes": list(selectors.contact_history(client).filter(unit_id__in=my_units)),
        "as_of_form": as_of_form,
        "on": on,
        "today": today,
        "states": [
            state
            for state in lifecycle_selectors.states_as_of(client, on)
            if state.unit.pk in my_units
        ],
        "as_of_valid": not as_of_form.is_bound or as_of_form.is_valid(),
    }
    log.record(request, AccessKind.HISTORY, clients=[client])
    template = "contacts/history.html"
    if request.htmx:
        template += "#as-of"
    return render(request, template, context)
