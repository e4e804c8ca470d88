from typing import Any

from .services import plan_update_contacts


def on_care_contact_appointed(sender: Any, *, change: Any, **kwargs: Any) -> None:
    plan_update_contacts(change=change)
