"""Changing a client's status and care contacts on one unit (handbook 1.4–1.6)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contacts import access, history, services
from contacts.forms import CareContactForm
from contacts.models import (
    CareContact,
    CareContactChange,
    Client,
    ContactChangeRequest,
    Staff,
    Unit,
)
from omsorg.http import HtmxHttpRequest

from .clients import record_context, render_record

logger = logging.getLogger(__name__)

Status = CareContact.Status


def _get_client_and_unit(request: HtmxHttpRequest, pk: int, unit_pk: int) -> tuple[Client, Unit]:
    """404 for a client or unit outside the user's units (or a unit the client
    has no ongoing service on), 403 for a user who may not change contacts."""
    client = access.get_client_for_user(request.user, pk)
    units = access.client_units_for_user(request.user, client, timezone.localdate())
    unit = get_object_or_404(units, pk=unit_pk)
    access.require_change_contacts(request.user, unit)
    return client, unit


def _initial(client: Client, unit: Unit) -> dict[str, Any]:
    current = history.state_on(client=client, unit=unit, on=timezone.localdate())
    return {
        "version": history.version(client=client, unit=unit),
        "status": current.status,
        "ordinary": current.ordinary_id,
        "deputy": current.deputy_id,
        "reason": current.reason if current.status == Status.DECLINED else "",
        "no_need_reason": current.reason if current.status == Status.NO_NEED else "",
    }


def _describe(change: CareContactChange) -> str:
    """The success message: what this save changed, in words."""
    parts = []
    if change.status_changed:
        parts.append(_("status ”%(status)s”") % {"status": change.get_status_display()})
    if change.ordinary_changed:
        parts.append(
            _("ordinarie %(person)s") % {"person": change.ordinary}
            if change.ordinary
            else _("ordinarie borttagen")
        )
    if change.deputy_changed:
        parts.append(
            _("vice %(person)s") % {"person": change.deputy}
            if change.deputy
            else _("vice borttagen")
        )
    if not parts:
        parts.append(_("ny anledning"))
    text = _("Fast omsorgskontakt på %(unit)s sparad: %(what)s.") % {
        "unit": change.unit.name,
        "what": ", ".join(parts),
    }
    if hasattr(change, "journal_note"):
        text += " " + _("Journalanteckning skapad.")
    return text


def _open_request(client: Client, unit: Unit, value: str | None) -> ContactChangeRequest | None:
    """The client's open request for another contact (the guidance for providers) that this edit
    resolves, from ?begaran= / the hidden field; ignored when not open here."""
    if not value or not value.isdigit():
        return None
    return ContactChangeRequest.objects.filter(
        pk=int(value), client=client, unit=unit, resolved_by_change__isnull=True
    ).first()


def _render_form(
    request: HtmxHttpRequest,
    client: Client,
    unit: Unit,
    form: CareContactForm,
    change_request: ContactChangeRequest | None = None,
) -> HttpResponse:
    # The form replaces the unit's section; the rest of the tab (handbook 1.5:
    # the contacts on the client's other units) stays visible around it.
    editing: dict[str, Any] = {"unit": unit, "form": form, "change_request": change_request}
    context = record_context(request, client, tab="fok", editing=editing)
    if request.htmx:
        context.update(form=form, unit=unit, change_request=change_request)
        return render(request, "contacts/_fok_form.html", context)
    return render(request, "contacts/client_detail.html", context)


def _done(request: HtmxHttpRequest, client: Client) -> HttpResponse:
    """POST-redirect-GET for the plain form; the record fragment for htmx."""
    url = f"{client.get_absolute_url()}?flik=fok"
    if not request.htmx:
        return redirect(url)
    response = render_record(request, record_context(request, client, tab="fok"))
    response["HX-Retarget"] = "#client-record"
    response["HX-Reswap"] = "outerHTML"
    response["HX-Push-Url"] = url
    return response


def _conflicting_form(
    request: HtmxHttpRequest,
    client: Client,
    unit: Unit,
    today: dt.date,
    conflict: services.EditConflict,
) -> CareContactForm:
    data = request.POST.copy()
    data["version"] = str(history.version(client=client, unit=unit))
    form = CareContactForm(data, client=client, unit=unit, on=today)
    form.is_valid()
    now = history.state_on(client=client, unit=unit, on=today)
    saved = [str(CareContact.Status(now.status).label)]
    people = Staff.objects.in_bulk([i for i in (now.ordinary_id, now.deputy_id) if i])
    if now.ordinary_id:
        saved.append(_("ordinarie %(person)s") % {"person": people[now.ordinary_id]})
    if now.deputy_id:
        saved.append(_("vice %(person)s") % {"person": people[now.deputy_id]})
    form.add_error(None, conflict.messages)
    form.add_error(None, _("Sparat nu: %(state)s.") % {"state": ", ".join(saved)})
    return form


@require_http_methods(["GET", "POST"])
@login_required
def fok_edit(request: HtmxHttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    client, unit = _get_client_and_unit(request, pk, unit_pk)
    today: dt.date = timezone.localdate()
    if request.method != "POST":
        change_request = _open_request(client, unit, request.GET.get("begaran"))
        form = CareContactForm(initial=_initial(client, unit), client=client, unit=unit, on=today)
        return _render_form(request, client, unit, form, change_request)

    change_request = _open_request(client, unit, request.POST.get("begaran"))
    form = CareContactForm(request.POST, client=client, unit=unit, on=today)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                change = services.care_contact_change(
                    client=client,
                    unit=unit,
                    status=data["status"],
                    ordinary=data["ordinary"],
                    deputy=data["deputy"],
                    reason=data["reason"],
                    effective=today,
                    by=request.user,  # type: ignore[arg-type]  # login_required
                    expected_version=data.get("version"),
                    overridden_warnings=data["overridden_warnings"],
                )
                if change is not None and change_request is not None:
                    services.contact_change_request_resolve(request=change_request, change=change)
        except services.EditConflict as conflict:
            # Keep what the user chose; the next save is based on what is saved now.
            form = _conflicting_form(request, client, unit, today, conflict)
        except ValidationError as error:
            form.add_service_errors(error)
        except Exception:
            # The service's transaction (with the journal note and plan update
            # written by the signal receivers) has been rolled back as a whole.
            logger.exception(
                "Saving the care contact of client %s on unit %s failed", client.pk, unit.pk
            )
            form.add_error(None, _("Ändringen kunde inte sparas. Inget har ändrats."))
        else:
            if change is None:
                messages.info(request, _("Inget ändrades: uppgifterna var redan sparade."))
            else:
                messages.success(request, _describe(change))
            return _done(request, client)
    return _render_form(request, client, unit, form, change_request)
