from typing import Any

from .services import (
    plan_update_contacts,
    plans_end_after_execution,
    plans_update_contacts_bulk,
    updates_plans,
)


def on_care_contact_changed(sender: Any, *, change: Any, **kwargs: Any) -> None:
    if updates_plans(change):
        plan_update_contacts(change=change)


def on_care_contacts_changed(sender: Any, *, changes: Any, **kwargs: Any) -> None:
    plans_update_contacts_bulk(changes=changes)


def on_execution_ended(
    sender: Any, *, client: Any, unit: Any, last_day: Any, by: Any = None, **kwargs: Any
) -> None:
    plans_end_after_execution(client=client, unit=unit, last_day=last_day, by=by)
