from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Unit

from .models import JournalNote

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NoteSearchForm(forms.Form):
    """Sök dokumentation: per client (``client``) or per unit, with sökurval."""

    client = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    unit = forms.ModelChoiceField(
        label=_("Enhet"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Alla mina enheter"),
    )
    kind = forms.ChoiceField(
        label=_("Sökurval"),
        required=False,
        choices=[("", _("Alla anteckningar")), *JournalNote.Kind.choices],
    )
    date_from = forms.DateField(label=_("Från"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Till"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "Välj en av dina enheter i listan."
        )
        self.fields["client"].error_messages["invalid"] = _("Ogiltig brukare.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Till-datum kan inte vara före från-datum."))
        return data


class NoteForm(forms.Form):
    """A hand-written note; the service (journal_note_create) does the rules."""

    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none(), empty_label=None)
    event_date = forms.DateField(label=_("Händelsedatum"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(
        label=_("Sökurval"),
        choices=JournalNote.Kind.choices,
        initial=JournalNote.Kind.GENERAL,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Anteckning"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        self.fields["event_date"].initial = timezone.localdate()
