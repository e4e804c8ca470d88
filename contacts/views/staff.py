"""Staff pages for unit managers and coordinators: the list, one person's data
and clients, availability, and the bulk handover when a contact leaves or is
away for a long time (handbook 1.2, the provider routine)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import log
from audit.models import AccessKind
from contacts import access, lifecycle_selectors, services
from contacts.lifecycle_forms import (
    HandoverForm,
    HandoverRowForm,
    StaffAvailabilityForm,
    StaffDetailsForm,
)
from contacts.models import Staff, Unit
from omsorg.http import HtmxHttpRequest

logger = logging.getLogger(__name__)


def acting_user(request: HttpRequest) -> User | None:
    """The signed-in user for the services' ``by`` (views are @login_required)."""
    return request.user if isinstance(request.user, User) else None


def _units_filter(request: HtmxHttpRequest) -> tuple[QuerySet[Unit], Unit | None]:
    """The user's units, or the one chosen with ?enhet= (404 if not the user's)."""
    units = access.units_for_user(request.user)
    raw = request.GET.get("enhet", "")
    if raw.isdigit():
        chosen = access.get_unit_for_user(request.user, int(raw))
        return units.filter(pk=chosen.pk), chosen
    return units, None


# People on one page of the staff list.
STAFF_PAGE_SIZE = 100


@require_GET
@login_required
@access.requires(access.may_view_staff)
def staff_list(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    units, chosen = _units_filter(request)
    # A page at a time: an administrator's list is a municipality's 6,000
    # people (3 MB of HTML and over a second at once).
    page_obj = Paginator(lifecycle_selectors.staff_list(units, today), STAFF_PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    staff = lifecycle_selectors.with_unit_names(page_obj.object_list, units)
    for person in staff:
        if not person.appointable:  # type: ignore[attr-defined]
            person.obstacles = person.appointment_obstacles(today)  # type: ignore[attr-defined]
    return render(
        request,
        "contacts/staff_list.html",
        {
            "staff": staff,
            "page_obj": page_obj,
            # The query string before sida= in the page links (_pager.html).
            "page_base": f"{urlencode({'enhet': chosen.pk})}&" if chosen else "",
            "today": today,
            "units": list(access.units_for_user(request.user)),
            "chosen": chosen,
        },
    )


def _managed_units(request: HtmxHttpRequest) -> QuerySet[Unit]:
    """Units on which the user may change contacts (access.can_change_contacts)."""
    if not access.may_change_contacts(request.user):
        return Unit.objects.none()
    return access.units_for_user(request.user)


def _may_manage(request: HtmxHttpRequest, staff: Staff) -> bool:
    return access.may_manage_staff(request.user, staff)


def _detail_context(
    request: HtmxHttpRequest, staff: Staff, form: StaffAvailabilityForm | None = None
) -> dict[str, Any]:
    today = timezone.localdate()
    units = access.units_for_user(request.user)
    assignments = lifecycle_selectors.assignments_on_units(staff, units, today)
    may_manage = _may_manage(request, staff)
    if form is None and may_manage:
        form = StaffAvailabilityForm(
            initial={
                "available": "1" if staff.available else "0",
                "employment_end": staff.employment_end,
            }
        )
    return {
        "person": staff,
        "today": today,
        "evidence": lifecycle_selectors.title_evidence(staff, today),
        "appointable": staff.may_be_appointed(today),
        "obstacles": staff.appointment_obstacles(today),
        "person_units": list(staff.units.filter(pk__in=units)),
        "as_ordinary": [cc for cc in assignments if cc.ordinary_id == staff.pk],
        "as_deputy": [cc for cc in assignments if cc.deputy_id == staff.pk],
        "assignment_count": len(assignments),
        "leaving": not staff.available or staff.employment_end is not None,
        "may_manage": may_manage,
        "form": form,
    }


@require_GET
@login_required
@access.requires(access.may_view_staff)
def staff_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    staff = access.get_staff_for_user(request.user, pk)
    context = _detail_context(request, staff)
    clients = [cc.client_id for cc in (*context["as_ordinary"], *context["as_deputy"])]
    log.record(request, AccessKind.LIST, clients=clients)
    return render(request, "contacts/staff_detail.html", context)


@require_POST
@login_required
def staff_availability(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    staff = access.get_staff_for_user(request.user, pk)
    if not _may_manage(request, staff):
        raise PermissionDenied
    form = StaffAvailabilityForm(request.POST)
    if form.is_valid():
        try:
            services.staff_update_availability(
                staff=staff,
                available=form.cleaned_data["available"],
                employment_end=form.cleaned_data["employment_end"],
                by=acting_user(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            text = _("Uppgifterna om %(person)s sparades.") % {"person": staff}
            url = reverse("staff_detail", args=[staff.pk])
            if not request.htmx:
                messages.success(request, text)
                return redirect(url)
            context = _detail_context(request, staff)
            context["notice"] = text
            return render(request, "contacts/staff_detail.html#staff-body", context)
    else:
        staff.refresh_from_db()
    context = _detail_context(request, staff, form)
    template = "contacts/staff_detail.html"
    if request.htmx:
        template += "#staff-body"
    return render(request, template, context)


# --- staff administration (handbook 1.2) -------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@access.requires(access.may_view_staff)
def staff_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Phone, e-mail, title evidence and "Fast omsorgskontakt" for the staff on
    the unit manager's units (404 for others' staff, 403 without the right)."""
    staff = access.get_staff_for_user(request.user, pk)
    access.require(access.may_manage_staff(request.user, staff))
    fields = list(services.STAFF_DETAIL_FIELDS)
    if request.method == "POST":
        form = StaffDetailsForm(request.POST)
        if form.is_valid():
            try:
                changed = services.staff_update_details(
                    staff=staff,
                    fields={name: form.cleaned_data[name] for name in fields},
                    by=acting_user(request),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if changed:
                    messages.success(
                        request, _("Uppgifterna om %(person)s sparades.") % {"person": staff}
                    )
                else:
                    messages.info(request, _("Inget ändrades: uppgifterna var redan sparade."))
                return redirect(reverse("staff_detail", args=[staff.pk]))
    else:
        form = StaffDetailsForm(initial=model_to_dict(staff, fields=fields))
    today = timezone.localdate()
    context = {
        "person": staff,
        "form": form,
        "evidence": lifecycle_selectors.title_evidence(staff, today),
        "obstacles": staff.appointment_obstacles(today),
    }
    return render(request, "contacts/staff_edit.html", context)


# --- bulk handover ----------------------------------------------------------------------


def _row_forms(
    rows: list[lifecycle_selectors.HandoverRow], data: Any = None
) -> list[tuple[lifecycle_selectors.HandoverRow, HandoverRowForm]]:
    pairs = []
    for row in rows:
        initial = {
            "ordinary": row.suggested_ordinary.pk if row.suggested_ordinary else "",
            "deputy": row.suggested_deputy.pk if row.suggested_deputy else "",
        }
        form = HandoverRowForm(
            data,
            initial=initial,
            candidates=row.candidates,
            labels=row.labels,
            prefix=f"r{row.contact.care_contact_id}",
            auto_id="id_%s",
        )
        pairs.append((row, form))
    return pairs


def _effective_from(data: Any, today: dt.date) -> dt.date:
    """The date the pickers are for: the posted one if it parses, else today."""
    probe = HandoverForm(data)
    probe.is_valid()
    return probe.cleaned_data.get("effective") or today


@require_http_methods(["GET", "POST"])
@login_required
def staff_handover(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    staff = access.get_staff_for_user(request.user, pk)
    if not _may_manage(request, staff):
        raise PermissionDenied
    today = timezone.localdate()
    units = _managed_units(request)
    if request.method != "POST":
        rows = lifecycle_selectors.handover_rows(staff, units, today, today=today)
        log.record(request, AccessKind.LIST, clients=[r.contact.client_id for r in rows])
        form = HandoverForm(initial={"effective": today})
        return _render_handover(request, staff, form, _row_forms(rows))

    effective = _effective_from(request.POST, today)
    rows = lifecycle_selectors.handover_rows(staff, units, effective, today=today)
    form = HandoverForm(request.POST)
    pairs = _row_forms(rows, request.POST)
    # Validate every row (no short-circuit), so each row shows its own errors.
    rows_valid = [row_form.is_valid() for _row, row_form in pairs]
    if form.is_valid() and all(rows_valid):
        try:
            changes = services.care_contacts_reassign(
                reassignments=[
                    services.Reassignment(
                        contact=row.contact,
                        ordinary=row_form.cleaned_data["ordinary"],
                        deputy=row_form.cleaned_data["deputy"],
                    )
                    for row, row_form in pairs
                ],
                effective=form.cleaned_data["effective"],
                handover_note=form.cleaned_data["handover_note"],
                by=acting_user(request),
            )
        except ValidationError as error:
            by_row = {str(row.contact.care_contact_id): row_form for row, row_form in pairs}
            for key, texts in error.message_dict.items():
                if key in by_row:
                    by_row[key].add_error(None, texts)
                elif key in form.fields:
                    form.add_error(key, texts)
                else:
                    form.add_error(None, texts)
        except Exception:
            # The whole reassignment (with its journal notes) has been rolled back.
            logger.exception("Bulk reassignment for staff %s failed", staff.pk)
            form.add_error(None, _("Överlämningen kunde inte sparas. Inget har ändrats."))
        else:
            messages.success(
                request,
                ngettext(
                    "Överlämningen är sparad: %(n)s brukare har fått ny fast omsorgskontakt.",
                    "Överlämningen är sparad: %(n)s brukare har fått ny fast omsorgskontakt.",
                    len(changes),
                )
                % {"n": len(changes)}
                + (" " + _("Journalanteckningar skapade.") if changes else ""),
            )
            url = reverse("staff_detail", args=[staff.pk])
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    return _render_handover(request, staff, form, pairs, failed=True)


def _render_handover(
    request: HtmxHttpRequest,
    staff: Staff,
    form: HandoverForm,
    pairs: list[tuple[lifecycle_selectors.HandoverRow, HandoverRowForm]],
    failed: bool = False,
) -> HttpResponse:
    context = {
        "person": staff,
        "form": form,
        "pairs": pairs,
        "failed": failed,
        "row_errors": sum(1 for _row, row_form in pairs if row_form.errors),
    }
    template = "contacts/staff_handover.html"
    if request.htmx:
        template += "#handover-form"
    return render(request, template, context)
