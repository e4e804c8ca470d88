from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit import log
from audit.models import AccessKind
from contacts import access, history
from contacts.models import CareContact, Staff
from omsorg.output.pdf import pdf_response, render_pdf


@require_GET
@login_required
def contact_letter(request: HttpRequest, client_pk: int, unit_pk: int) -> HttpResponse:
    """ "Din fasta omsorgskontakt": the written information to the client
    (the Östra Göinge routine, the guidance for providers and the provider
    routine): who the contacts are, what the role means, that the client may
    ask for another contact, and whom to call."""
    client = access.get_client_for_user(request.user, client_pk)
    # Only through a unit where the user still reaches the client (need-to-know).
    unit = get_object_or_404(access.reachable_units_for_client(request.user, client), pk=unit_pk)
    today = timezone.localdate()
    state = history.state_on(client=client, unit=unit, on=today)
    if state.status != CareContact.Status.ACCEPTED:
        log.record(request, AccessKind.LETTER, clients=[client], parameters={"unit": unit.code})
        return render(
            request,
            "letters/not_available.html",
            {"client": client, "unit": unit, "status": CareContact.Status(state.status)},
        )
    staff = Staff.objects.in_bulk([i for i in (state.ordinary_id, state.deputy_id) if i])
    # Whom to call about the contact: the unit's manager, when registered as staff.
    managers = list(
        Staff.objects.filter(units=unit, title=Staff.Title.UNIT_MANAGER).order_by(
            "last_name", "first_name"
        )[:1]
    )
    context = {
        "client": client,
        "unit": unit,
        "ordinary": staff.get(state.ordinary_id),
        "deputy": staff.get(state.deputy_id) if state.deputy_id else None,
        "manager": managers[0] if managers else None,
        "today": today,
    }
    pdf = render_pdf("letters/contact_letter.html", context, request=request)
    log.record(request, AccessKind.LETTER, clients=[client], parameters={"unit": unit.code})
    return pdf_response(pdf, f"fast-omsorgskontakt-{client.customer_number}.pdf")
