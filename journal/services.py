from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import bulk, history
from contacts.models import (
    CareContact,
    CareContactChange,
    Client,
    ContactChangeRequest,
    Staff,
    Unit,
)

from .models import JournalNote

# Handbook 1.6: statuses that get an automatic note when they are registered.
NOTED_STATUSES = {
    CareContact.Status.NO_NEED,
    CareContact.Status.DECLINED,
    CareContact.Status.ACCEPTED,
}


class _Remembered:
    """gettext for the notes of one import: each message and choice label is
    looked up once (the language does not change within it). Nine look-ups
    a note were a fifth of a contact import's Python time."""

    __slots__ = ("_texts",)

    def __init__(self) -> None:
        self._texts: dict[Any, str] = {}

    def __call__(self, message: str) -> str:
        text = self._texts.get(message)
        if text is None:
            text = self._texts[message] = _(message)
        return text

    def label(self, choices: type[models.TextChoices], value: str) -> str:
        key = (choices, value)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = str(choices(value).label)
        return text


def _user_label(user: AbstractBaseUser | None, _: Callable[[str], str] = _) -> str:
    if user is None:
        return _("systemet")
    staff = getattr(user, "staff", None)
    if staff is not None:
        return str(staff)
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


def _staff_label(staff: Staff | None, _: Callable[[str], str] = _) -> str:
    return str(staff) if staff is not None else _("ingen")


def contact_change_text(change: CareContactChange, _: _Remembered | None = None) -> str:
    """The note's text. ``_``: the texts of a batch of notes (one is made
    for a single note); named so, the messages below stay marked for
    translation."""
    if _ is None:
        _ = _Remembered()
    Status = CareContact.Status
    lines = [
        _("Fast omsorgskontakt, %(unit)s, gäller från %(date)s.")
        % {"unit": change.unit.name, "date": change.effective.isoformat()}
    ]
    if change.status_changed:
        lines.append(
            _("Status ändrad från ”%(old)s” till ”%(new)s”.")
            % {
                "old": _.label(Status, change.old_status),
                "new": _.label(Status, change.status),
            }
        )
    if change.status == Status.DECLINED and change.reason:
        lines.append(_("Anledning: %(reason)s") % {"reason": change.reason})
    elif change.overridden_warnings:
        lines.append(
            _(
                "Undantag: registrerat trots varning om att fast omsorgskontakt ska "
                "erbjudas (%(warnings)s)."
            )
            % {"warnings": " ".join(change.overridden_warnings.splitlines())}
        )
        lines.append(
            _("Motivering till att en fast omsorgskontakt är uppenbart obehövlig: %(reason)s")
            % {"reason": change.reason}
        )
    elif change.reason:
        lines.append(_("Kommentar: %(reason)s") % {"reason": change.reason})
    if change.ordinary_changed:
        lines.append(
            _("Ordinarie fast omsorgskontakt: %(new)s (tidigare: %(old)s).")
            % {
                "new": _staff_label(change.ordinary, _),
                "old": _staff_label(change.old_ordinary, _),
            }
        )
    if change.deputy_changed:
        lines.append(
            _("Vice fast omsorgskontakt: %(new)s (tidigare: %(old)s).")
            % {"new": _staff_label(change.deputy, _), "old": _staff_label(change.old_deputy, _)}
        )
    who = _user_label(change.changed_by, _)
    if change.source != CareContactChange.Source.BROWSER:
        # Imports and automatic changes: say how, so nobody looks for a person.
        who = f"{who} ({_.label(CareContactChange.Source, change.source).lower()})"
    lines.append(_("Registrerat av %(user)s.") % {"user": who})
    return "\n".join(lines)


def needs_note(change: CareContactChange) -> bool:
    return (change.status_changed and change.status in NOTED_STATUSES) or (
        change.ordinary_changed or change.deputy_changed
    )


@transaction.atomic
def journal_note_for_contact_change(*, change: CareContactChange) -> JournalNote | None:
    """The automatic journal note of handbook 1.6 (one per change)."""
    if not needs_note(change):
        return None
    return JournalNote.objects.create(
        client=change.client,
        unit=change.unit,
        kind=JournalNote.Kind.FOK,
        event_date=change.effective,
        text=contact_change_text(change),
        automatic=True,
        contact_change=change,
        written_by=change.changed_by,
    )


@transaction.atomic
def journal_notes_for_contact_changes(*, changes: list[CareContactChange]) -> int:
    """journal_note_for_contact_change for many changes at once (a contact
    import): the same notes, in the order of the changes, in one insert.
    Returns how many notes were written."""
    written_at = bulk.db_datetime(timezone.now())
    texts = _Remembered()
    rows = [
        (
            change.client_id,
            change.unit_id,
            str(JournalNote.Kind.FOK),
            change.effective,
            contact_change_text(change, texts),
            True,
            change.pk,
            change.changed_by_id,
            written_at,
        )
        for change in changes
        if needs_note(change)
    ]
    with connection.cursor() as cursor:
        bulk.insert_rows(cursor, JournalNote._meta.db_table, _NOTE_COLUMNS, rows)
    return len(rows)


# The columns of an automatic note written by journal_notes_for_contact_changes.
_NOTE_COLUMNS = (
    "client_id", "unit_id", "kind", "event_date", "text", "automatic", "contact_change_id",
    "written_by_id", "written_at",
)  # fmt: skip


@transaction.atomic
def journal_note_create(
    *,
    client: Client,
    unit: Unit | None,
    text: str,
    kind: str = JournalNote.Kind.GENERAL,
    event_date: dt.date,
    by: User | None,
    today: dt.date | None = None,
) -> JournalNote:
    """A hand-written note. Notes are never edited or deleted afterwards (see
    JournalNote), so everything is checked here, before the note exists."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if kind not in JournalNote.Kind.values:
        errors["kind"] = [_("Välj ett sökurval.")]
    if event_date > today:
        errors["event_date"] = [_("Händelsedatum kan inte vara i framtiden.")]
    if not (text or "").strip():
        errors["text"] = [_("Skriv en anteckning.")]
    if errors:
        raise ValidationError(errors)
    note = JournalNote(
        client=client,
        unit=unit,
        kind=kind,
        text=text.strip(),
        event_date=event_date,
        written_by=by,
    )
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def journal_note_for_move(
    *, client: Client, from_unit: Unit, to_unit: Unit, on: dt.date, by: User | None
) -> JournalNote:
    """Handbook 1.10: the move is recorded on the new unit (the end of the old
    contact has its own note, on the old unit, from the contact change)."""
    lines = [
        _("Brukaren flyttad från %(old)s till %(new)s från och med %(date)s.")
        % {"old": from_unit.name, "new": to_unit.name, "date": on.isoformat()},
    ]
    before = history.state_on(client=client, unit=from_unit, on=on - dt.timedelta(days=1))
    if before.ordinary_id is not None or before.deputy_id is not None:
        lines.append(
            _("Den fasta omsorgskontakten på %(old)s avslutades från och med %(date)s.")
            % {"old": from_unit.name, "date": on.isoformat()}
        )
    state = history.state_on(client=client, unit=to_unit, on=on)
    if state.status == CareContact.Status.NOT_ASKED:
        lines.append(
            _(
                "Brukaren har status ”Brukaren ej tillfrågad” på %(new)s; en ny fast "
                "omsorgskontakt ska erbjudas."
            )
            % {"new": to_unit.name}
        )
    lines.append(_("Registrerat av %(user)s.") % {"user": _user_label(by)})
    text = "\n".join(lines)
    return JournalNote.objects.create(
        client=client,
        unit=to_unit,
        kind=JournalNote.Kind.FOK,
        event_date=on,
        text=text,
        automatic=True,
        written_by=by,
    )


@transaction.atomic
def journal_note_for_change_request(*, request: ContactChangeRequest) -> JournalNote:
    """The guidance for providers: the client's wish to change contact is documented."""
    text = "\n".join(
        [
            _("Brukaren önskar byta fast omsorgskontakt på %(unit)s.")
            % {"unit": request.unit.name},
            _("Anledning: %(reason)s") % {"reason": request.reason},
            _("Registrerat av %(user)s.") % {"user": _user_label(request.recorded_by)},
        ]
    )
    return JournalNote.objects.create(
        client=request.client,
        unit=request.unit,
        kind=JournalNote.Kind.FOK,
        event_date=request.requested_on,
        text=text,
        automatic=True,
        written_by=request.recorded_by,
    )
