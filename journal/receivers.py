from typing import Any

from .services import (
    journal_note_for_change_request,
    journal_note_for_contact_change,
    journal_note_for_move,
    journal_notes_for_contact_changes,
)


def on_contact_change(sender: Any, *, change: Any, **kwargs: Any) -> None:
    journal_note_for_contact_change(change=change)


def on_contact_changes(sender: Any, *, changes: Any, **kwargs: Any) -> None:
    journal_notes_for_contact_changes(changes=changes)


def on_client_moved(
    sender: Any,
    *,
    client: Any,
    from_unit: Any,
    to_unit: Any,
    on: Any,
    by: Any = None,
    **kwargs: Any,
) -> None:
    journal_note_for_move(client=client, from_unit=from_unit, to_unit=to_unit, on=on, by=by)


def on_contact_change_requested(sender: Any, *, request: Any, **kwargs: Any) -> None:
    journal_note_for_change_request(request=request)
