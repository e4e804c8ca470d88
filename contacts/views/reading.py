"""Reading views: "Mina brukare" for care staff (handbook 1.14) and the
coordinator's visit planning list (handbook 1.13)."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit import log
from audit.models import AccessKind
from contacts import access, reading
from contacts.models import Staff
from omsorg.http import HtmxHttpRequest


def _client_items(rows: list[reading.ClientRow]) -> SafeString:
    """One <li> per client of "Alla brukare" (a manager's unit has 70 and
    more): built here rather than in a template loop, whose per-row variable
    lookups and translations were most of the page's time
    (docs/performance.md, "Pages"). Every text is escaped; the markup is what
    the template had."""
    number, ask, week = _("kundnr"), _("Brukaren ej tillfrågad"), _("Vem kommer?")
    contact_label, deputy_label = _("Fast omsorgskontakt"), _("Vice")

    def person(label: str, who: Staff) -> str:
        phone = (
            f' <a class="fok-mc-call" href="tel:{escape(who.phone)}">{escape(who.phone)}</a>'
            if who.phone
            else ""
        )
        return f'<span class="fok-mc-contact">{label}: {escape(who.full_name)}{phone}</span>'

    out = []
    for row in rows:
        client, cc = row.client, row.contact
        if cc is not None and cc.ordinary is not None:
            contact = person(escape(contact_label), cc.ordinary)
            if cc.deputy is not None:
                contact += person(escape(deputy_label), cc.deputy)
        else:
            status = cc.get_status_display() if cc is not None else ask
            contact = f'<span class="muted small">{escape(str(status))}</span>'
        out.append(
            f'<li class="fok-mc-item"><a class="fok-mc-name" href="{escape(row.url)}">'
            f"{escape(client.full_name)}</a>"
            f'<span class="muted small">{escape(client.personal_id)} · {escape(number)} '
            f"{escape(client.customer_number)}</span>{contact}"
            f'<a class="fok-mc-call" href="{escape(row.week_url)}">{escape(week)}</a></li>\n'
        )
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def _unit_groups(rows: list[reading.ClientRow]) -> list[dict[str, Any]]:
    """The rows by unit (they come sorted by unit): the unit, how many, and
    the items' markup."""
    groups: list[dict[str, Any]] = []
    for row in rows:
        if not groups or groups[-1]["unit"] != row.unit:
            groups.append({"unit": row.unit, "rows": []})
        groups[-1]["rows"].append(row)
    for group in groups:
        group["count"] = len(group["rows"])
        group["items"] = _client_items(group.pop("rows"))
    return groups


VIEW_DAY = "dag"
VIEW_WEEK = "vecka"


@require_GET
@login_required
@access.requires(access.may_read_clients)
def my_clients(request: HtmxHttpRequest) -> HttpResponse:
    # A NUL character cannot be stored in or compared with PostgreSQL text.
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    today = timezone.localdate()
    units = list(access.units_for_user(request.user).order_by("name"))
    raw = request.GET.get("enhet", "")
    unit = next((u for u in units if str(u.pk) == raw), None)
    context = {
        "q": q,
        "today": today,
        "units": units,
        "chosen_unit": unit,
        **reading.my_clients(user=request.user, on=today, q=q, unit=unit),
    }
    context["groups"] = _unit_groups(context["rows"])
    log.record(request, AccessKind.LIST, clients=[row.client for row in context["rows"]])
    template = "contacts/my_clients.html"
    if request.htmx:
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# The page steps a week back and forth from the chosen day; dates near year 1 or
# 9999 would overflow, and no visit is planned outside these years anyway.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@require_GET
@login_required
@access.requires(access.may_view_continuity_reports)
def planning(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    units = list(access.units_for_user(request.user))
    errors: list[str] = []

    raw_unit = request.GET.get("enhet", "")
    unit = None
    if raw_unit:
        unit = next((u for u in units if str(u.pk) == raw_unit), None)
        if unit is None:
            errors.append(_("Enheten finns inte bland dina enheter. Visar din första enhet."))
    if unit is None and units:
        unit = units[0]

    raw_date = request.GET.get("datum", "")
    day = _parse_date(raw_date) if raw_date else today
    if day is None:
        errors.append(
            _("”%(value)s” är inget datum (ÅÅÅÅ-MM-DD). Visar i dag.") % {"value": raw_date[:20]}
        )
        day = today
    elif not FIRST_DAY <= day <= LAST_DAY:
        errors.append(
            _("Välj ett datum mellan %(first)s och %(last)s. Visar i dag.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
        )
        day = today
    view = VIEW_WEEK if request.GET.get("vy") == VIEW_WEEK else VIEW_DAY

    if view == VIEW_WEEK:
        start = day - dt.timedelta(days=day.weekday())
        end = start + dt.timedelta(days=6)
        step = dt.timedelta(days=7)
    else:
        start = end = day
        step = dt.timedelta(days=1)

    def link(on: dt.date, vy: str = view) -> str:
        params = {"datum": on.isoformat(), "vy": vy}
        if unit is not None:
            params["enhet"] = str(unit.pk)
        return f"?{urlencode(params)}"

    rows = reading.planning(unit=unit, start=start, end=end) if unit is not None else []
    log.record(request, AccessKind.LIST, clients=[row.client for row in rows])
    return render(
        request,
        "contacts/planning.html",
        {
            "units": units,
            "unit": unit,
            "day": day,
            "start": start,
            "end": end,
            "view": view,
            "rows": rows,
            "errors": errors,
            "visit_count": sum(len(r.visits) for r in rows),
            "prev_url": link(day - step),
            "next_url": link(day + step),
            "today_url": link(today),
            "day_url": link(day, VIEW_DAY),
            "week_url": link(day, VIEW_WEEK),
        },
    )
