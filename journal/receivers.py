from typing import Any

from .services import journal_note_for_contact_change


def on_contact_change(sender: Any, *, change: Any, **kwargs: Any) -> None:
    journal_note_for_contact_change(change=change)
