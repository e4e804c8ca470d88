"""Forms for the browser. They validate input and say what is wrong in Swedish;
the write itself is contacts.services.care_contact_change."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import reading
from .models import CareContact, Client, Staff, Unit

Status = CareContact.Status


class CandidateField(forms.ModelChoiceField):
    """A staff picker whose options say how well the person knows the client,
    then title and phone (handbook 1.5): "Britta Söder (@brs89) – 5 besök
    senaste 4 v · 12 brukare · Undersköterska · 070-123 45 67"."""

    def label_from_instance(self, obj: Staff) -> str:  # type: ignore[override]
        visits = getattr(obj, "recent_visits", 0)
        clients = getattr(obj, "client_count", 0)
        label = _("%(person)s – %(visits)s besök senaste 4 v · %(clients)s brukare") % {
            "person": str(obj),
            "visits": visits,
            "clients": clients,
        }
        extra = [str(obj.get_title_display()), obj.phone or _("telefon saknas")]
        return " · ".join([label, *extra])


class CareContactForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Välj en status.")},
    )
    ordinary = CandidateField(
        label=gettext_lazy("Ordinarie"),
        queryset=Staff.objects.none(),
        required=False,
        empty_label=gettext_lazy("– Välj ordinarie –"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "Personen kan inte utses till fast omsorgskontakt på enheten i dag."
            )
        },
    )
    deputy = CandidateField(
        label=gettext_lazy("Vice"),
        queryset=Staff.objects.none(),
        required=False,
        empty_label=gettext_lazy("– Ingen vice –"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "Personen kan inte utses till fast omsorgskontakt på enheten i dag."
            )
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Anledning"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # history.version when the form was shown: a save over someone else's
    # newer change is refused (no lost updates).
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    confirm_no_need = forms.BooleanField(
        label=gettext_lazy(
            "Jag har gjort en individuell bedömning: en fast omsorgskontakt är uppenbart obehövlig."
        ),
        required=False,
    )

    no_need_reason = forms.CharField(
        label=gettext_lazy("Varför är en fast omsorgskontakt uppenbart obehövlig?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Skrivs i journalanteckningen."),
    )

    def __init__(self, *args: Any, client: Client, unit: Unit, on: dt.date, **kwargs: Any) -> None:
        # Unit-specific ids: htmx may have forms for two units open on one page.
        kwargs.setdefault("auto_id", f"id_fok{unit.pk}_%s")
        super().__init__(*args, **kwargs)
        self.client = client
        self.unit = unit
        candidates = reading.candidates_for_client(client=client, unit=unit, on=on)
        for name in ("ordinary", "deputy"):
            cast(CandidateField, self.fields[name]).queryset = candidates
        self.no_need_warnings = no_need_warnings(client=client, unit=unit, on=on)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        status = data.get("status")
        if status is None:
            return data
        if status == Status.ACCEPTED:
            ordinary, deputy = data.get("ordinary"), data.get("deputy")
            if ordinary is None and "ordinary" not in self.errors:
                self.add_error("ordinary", _("Välj en ordinarie kontakt när brukaren tackar ja."))
            if ordinary is not None and deputy is not None and ordinary.pk == deputy.pk:
                self.add_error(
                    "deputy", _("Vice kontakt kan inte vara samma person som ordinarie.")
                )
        else:
            # The pickers are only shown for "tackar ja"; values left in them
            # (plain form, or the user changed their mind) are not a contact.
            data["ordinary"] = data["deputy"] = None
            for name in ("ordinary", "deputy"):
                self.errors.pop(name, None)
        data["overridden_warnings"] = []
        if status == Status.DECLINED:
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Ange anledningen till att brukaren tackar nej."))
        elif status == Status.NO_NEED:
            data["reason"] = (data.get("no_need_reason") or "").strip()
        else:
            data["reason"] = ""
        if status == Status.NO_NEED and self.no_need_warnings:
            if not data.get("confirm_no_need"):
                self.add_error(
                    "confirm_no_need",
                    _(
                        "Bekräfta att du har bedömt att en fast omsorgskontakt är uppenbart "
                        "obehövlig trots varningen."
                    ),
                )
            if not data["reason"]:
                self.add_error(
                    "no_need_reason",
                    _("Ange varför en fast omsorgskontakt är uppenbart obehövlig trots varningen."),
                )
            data["overridden_warnings"] = list(self.no_need_warnings)
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Attach the service's errors (keyed "status"/"ordinary"/"deputy") to fields."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                if name == "reason" and self.cleaned_data.get("status") == Status.NO_NEED:
                    name = "no_need_reason"
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


def no_need_warnings(*, client: Client, unit: Unit, on: dt.date) -> list[str]:
    """Why "saknar behov" looks doubtful for this client (the Östra Göinge
    routine and the guidance for providers: the exception is only for when a
    contact is obviously unnecessary, e.g. only an alarm or help with shopping;
    not with cognitive impairment or a small network)."""
    warnings: list[str] = []
    if client.cognitive_impairment:
        warnings.append(_("Brukaren har kognitiv svikt."))
    if client.small_social_network:
        warnings.append(_("Brukaren har ett begränsat socialt nätverk."))
    simple, others = reading.simple_services_only(client, unit, on)
    if not simple:
        warnings.append(
            _(
                "Brukaren har insatser utöver trygghetslarm, matdistribution, inköp och städ: "
                "%(kinds)s."
            )
            % {"kinds": ", ".join(others)}
        )
    return warnings
