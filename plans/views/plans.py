from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from audit import log
from audit.models import AccessKind
from contacts import access, history
from contacts.models import CareContact, Client, Staff, Unit
from contacts.services import EditConflict
from omsorg.http import HtmxHttpRequest
from omsorg.output.pdf import pdf_response, render_pdf

from .. import selectors, services
from ..access import get_plan_for_user
from ..forms import PlanEndForm, PlanForm
from ..models import ImplementationPlan


def _user(request: HttpRequest) -> User:
    # Behind @login_required the user is never anonymous.
    return cast(User, request.user)


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST, also when empty (then every required field says
    so; ``request.POST or None`` would show an untouched form instead)."""
    return request.POST if request.method == "POST" else None


def _form_errors(form: PlanForm | PlanEndForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_errors in error.message_dict.items():
        for message in field_errors:
            form.add_error(field if field in form.fields else None, message)


def _with_version(form_class: Any, request: HttpRequest, version: int, **kwargs: Any) -> Any:
    """The posted form again, carrying the stored plan's version, so that a
    second save after reviewing goes through."""
    data = request.POST.copy()
    data["version"] = str(version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


def _done(request: HtmxHttpRequest, url: str) -> HttpResponse:
    # htmx posts get a client-side redirect; plain posts a normal one.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _render_form(request: HtmxHttpRequest, context: dict[str, Any]) -> HttpResponse:
    template = "plans/plan_form.html#form" if request.htmx else "plans/plan_form.html"
    return render(request, template, context)


def _editable_units(request: HtmxHttpRequest, client: Client) -> QuerySet[Unit]:
    """Units where the user may write the client's plan today."""
    if not access.may_write_plans(request.user):
        return Unit.objects.none()
    return access.client_units_for_user(request.user, client, timezone.localdate())


def _current_contacts(client: Client, units: list[Unit]) -> list[dict[str, Any]]:
    """Per unit, the contacts a new plan will show (the state in force today)."""
    today = timezone.localdate()
    states = [(unit, history.state_on(client=client, unit=unit, on=today)) for unit in units]
    ids = {i for _unit, s in states for i in (s.ordinary_id, s.deputy_id) if i}
    staff = Staff.objects.in_bulk(ids)
    return [
        {
            "unit": unit,
            "status": CareContact.Status(state.status),
            "ordinary": staff.get(state.ordinary_id) if state.ordinary_id else None,
            "deputy": staff.get(state.deputy_id) if state.deputy_id else None,
        }
        for unit, state in states
    ]


@require_GET
@login_required
@access.requires(access.may_read_plans)
def plan_list(request: HtmxHttpRequest, client_pk: int) -> HttpResponse:
    client = access.get_client_for_user(request.user, client_pk)
    today = timezone.localdate()
    user_units = access.reachable_units_for_client(request.user, client)
    plans = selectors.client_plans(client, user_units, today)
    ongoing = list(access.client_units_for_user(request.user, client, today))
    editable = {u.pk for u in ongoing} if access.may_write_plans(request.user) else set()
    units = sorted({*ongoing, *(p.unit for p in plans)}, key=lambda u: u.name)
    statuses = dict(
        history.in_force(today, units=units, clients=[client]).values_list("unit_id", "status")
    )
    sections = []
    for unit in units:
        unit_plans = [p for p in plans if p.unit_id == unit.pk]
        active = next((p for p in unit_plans if p.active_on(today)), None)
        sections.append(
            {
                "unit": unit,
                "plans": unit_plans,
                "active": active,
                "can_edit": unit.pk in editable,
                "ongoing": unit in ongoing,
                "accepted": statuses.get(unit.pk) == CareContact.Status.ACCEPTED,
            }
        )
    log.record(request, AccessKind.PLAN, clients=[client])
    return render(
        request,
        "plans/plan_list.html",
        {
            "client": client,
            "sections": sections,
            "today": today,
            "flags": selectors.plan_flags_for_client(client, today, units=user_units),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def plan_create(request: HtmxHttpRequest, client_pk: int) -> HttpResponse:
    client = access.get_client_for_user(request.user, client_pk)
    access.require(access.may_write_plans(request.user))
    units = _editable_units(request, client)
    posted_unit = request.POST.get("unit", "")
    if request.method == "POST" and posted_unit.isdigit():
        # A forged unit: another unit's id is 404, one of mine without the right 403.
        access.require_edit_plans(
            request.user, access.get_unit_for_user(request.user, int(posted_unit))
        )
    form = PlanForm(_posted(request), units=units)
    wanted = request.GET.get("unit", "")
    if request.method == "GET" and wanted.isdigit():
        form.fields["unit"].initial = int(wanted)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                client=client,
                unit=form.cleaned_data["unit"],
                by=_user(request),
                **form.service_fields(),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Genomförandeplanen har sparats."))
            return _done(request, plan.get_absolute_url())
    unit_list = list(units)
    log.record(request, AccessKind.PLAN, clients=[client])
    return _render_form(
        request,
        {
            "client": client,
            "form": form,
            "plan": None,
            "no_units": not unit_list,
            "contacts": _current_contacts(client, unit_list),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def plan_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    access.require_edit_plans(request.user, plan.unit)
    form = PlanForm(_posted(request), plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_update(
                plan=plan,
                by=_user(request),
                expected_version=form.cleaned_data.get("version"),
                **form.service_fields(),
            )
        except EditConflict as conflict:
            # The user's text stays in the form; the next save is based on the stored plan.
            plan.refresh_from_db()
            form = _with_version(PlanForm, request, plan.version, plan=plan)
            _form_errors(form, conflict)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Genomförandeplanen har sparats."))
            return _done(request, plan.get_absolute_url())
    log.record(request, AccessKind.PLAN, clients=[plan.client_id])
    return _render_form(request, {"client": plan.client, "form": form, "plan": plan})


@require_http_methods(["GET", "POST"])
@login_required
def plan_end(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    access.require_edit_plans(request.user, plan.unit)
    form = PlanEndForm(_posted(request), initial={"version": plan.version})
    if plan.period_end is None and request.method == "POST" and form.is_valid():
        try:
            services.plan_end(
                plan=plan,
                end=form.cleaned_data["end"],
                by=_user(request),
                expected_version=form.cleaned_data.get("version"),
            )
        except EditConflict as conflict:
            plan.refresh_from_db()
            form = _with_version(PlanEndForm, request, plan.version)
            _form_errors(form, conflict)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Genomförandeplanen har avslutats."))
            return redirect(plan.get_absolute_url())
    log.record(request, AccessKind.PLAN, clients=[plan.client_id])
    return render(
        request, "plans/plan_end.html", {"plan": plan, "client": plan.client, "form": form}
    )


@require_GET
@login_required
def plan_print(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The plan on paper, laid out like handbook 1.7."""
    plan = get_plan_for_user(request.user, pk)
    plan = ImplementationPlan.objects.select_related("client", "unit").get(pk=plan.pk)
    selectors.with_contacts([plan], timezone.localdate())
    pdf = render_pdf("plans/plan_pdf.html", {"plan": plan, "client": plan.client}, request=request)
    log.record(request, AccessKind.PLAN, clients=[plan.client_id], parameters={"plan": plan.pk})
    return pdf_response(pdf, f"genomforandeplan-{plan.client.customer_number}-{plan.pk}.pdf")
