from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from contacts.models import CareContactChange

from .models import ImplementationPlan


@transaction.atomic
def plan_update_contacts(*, change: CareContactChange) -> ImplementationPlan | None:
    """Handbook 1.7: the active implementation plan shows the current contacts."""
    today = timezone.localdate()
    if change.effective > today:
        return None
    plan = (
        ImplementationPlan.objects.select_for_update()
        .filter(ImplementationPlan.active_q(today), client=change.client, unit=change.unit)
        .order_by("-period_start", "-id")
        .first()
    )
    if plan is None:
        return None
    plan.fok_ordinary = change.ordinary
    plan.fok_deputy = change.deputy
    plan.contacts_change = change
    plan.contacts_updated_at = timezone.now()
    plan.save(
        update_fields=[
            "fok_ordinary",
            "fok_deputy",
            "contacts_change",
            "contacts_updated_at",
            "updated_at",
        ]
    )
    return plan
