"""Forms for the lifecycle pages. They check the input and say what is wrong in
Swedish; the writes are contacts.services (client_move, service_end,
staff_update_availability, care_contacts_reassign, contact_change_request_record)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Staff, Unit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATE_ERRORS = {
    "required": gettext_lazy("Ange ett datum."),
    "invalid": gettext_lazy("Ange datumet som ÅÅÅÅ-MM-DD."),
}


def date_field(
    label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = ""
) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )


class ServiceErrorsMixin:
    """Attach a service's ValidationError (keyed by field name) to the form."""

    def add_service_errors(self, error: ValidationError) -> None:
        form: Any = self
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                form.add_error(name if name in form.fields else None, messages)
        else:
            form.add_error(None, error.messages)


# --- staff ----------------------------------------------------------------------------


class StaffAvailabilityForm(ServiceErrorsMixin, forms.Form):
    available = forms.TypedChoiceField(
        label=gettext_lazy("Tillgänglighet"),
        choices=[
            ("1", gettext_lazy("Tillgänglig")),
            ("0", gettext_lazy("Inte tillgänglig (till exempel längre frånvaro)")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Välj om personen är tillgänglig."),
            "invalid_choice": gettext_lazy("Välj om personen är tillgänglig."),
        },
    )
    employment_end = date_field(
        gettext_lazy("Anställningen upphör"),
        required=False,
        help_text=gettext_lazy("Sista anställningsdagen. Lämna tomt om anställningen fortsätter."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_avail_%s")
        super().__init__(*args, **kwargs)


class StaffDetailsForm(ServiceErrorsMixin, forms.ModelForm):
    """Handbook 1.2 for unit managers: the model's own validation (as the
    import's); contacts.services.staff_update_details writes."""

    class Meta:
        model = Staff
        fields = [
            "first_name",
            "last_name",
            "title",
            "phone",
            "email",
            "hsa_id",
            "fok_selectable",
            "title_certificate_date",
            "permanent_on_2023_07_01",
        ]
        widgets = {
            "title_certificate_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        }
        labels = {"fok_selectable": gettext_lazy("Fast omsorgskontakt (valbar)")}
        help_texts = {
            "phone": gettext_lazy("Visas för brukaren och i genomförandeplanen."),
            "title_certificate_date": gettext_lazy(
                "Datum på Socialstyrelsens bevis om rätt att använda yrkestiteln undersköterska."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_staff_%s")
        super().__init__(*args, **kwargs)
        date = self.fields["title_certificate_date"]
        date.input_formats = ["%Y-%m-%d"]  # type: ignore[attr-defined]
        date.error_messages.update(DATE_ERRORS)


class StaffChoiceField(forms.ChoiceField):
    """A picker over a list of Staff already fetched for the whole page, so
    validating many rows costs no query per row. Cleans to a Staff or None."""

    def __init__(
        self,
        *,
        staff: list[Staff],
        empty_label: str,
        labels: dict[int, str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.staff_by_pk = {str(person.pk): person for person in staff}
        labels = labels or {}
        choices = [("", empty_label)] + [(str(p.pk), labels.get(p.pk, str(p))) for p in staff]
        super().__init__(choices=choices, required=False, **kwargs)

    def clean(self, value: Any) -> Staff | None:  # type: ignore[override]
        value = super().clean(value)
        return self.staff_by_pk.get(value) if value else None


class HandoverForm(ServiceErrorsMixin, forms.Form):
    effective = date_field(gettext_lazy("Gäller från"))
    handover_note = forms.CharField(
        label=gettext_lazy("Överlämning"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Skrivs i varje brukares journalanteckning. Beskriv överlämningen och hur "
            "brukaren och närstående informeras."
        ),
        error_messages={"required": gettext_lazy("Skriv en överlämning.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_handover_%s")
        super().__init__(*args, **kwargs)

    def clean_handover_note(self) -> str:
        note = (self.cleaned_data.get("handover_note") or "").strip()
        if not note:
            raise ValidationError(_("Skriv en överlämning."))
        return note


class HandoverRowForm(forms.Form):
    """The new ordinary and deputy for one client (prefix "r<care contact pk>")."""

    def __init__(
        self,
        *args: Any,
        candidates: list[Staff],
        labels: dict[int, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        invalid = {
            "invalid_choice": gettext_lazy(
                "Personen kan inte utses till fast omsorgskontakt på enheten det datumet."
            )
        }
        self.fields["ordinary"] = StaffChoiceField(
            staff=candidates,
            labels=labels,
            empty_label=_("– Välj ordinarie –"),
            label=gettext_lazy("Ny ordinarie"),
            error_messages=invalid,
        )
        self.fields["deputy"] = StaffChoiceField(
            staff=candidates,
            labels=labels,
            empty_label=_("– Ingen vice –"),
            label=gettext_lazy("Ny vice"),
            error_messages=invalid,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ordinary, deputy = data.get("ordinary"), data.get("deputy")
        if ordinary is None and "ordinary" not in self.errors:
            self.add_error("ordinary", _("Välj en ny ordinarie kontakt."))
        if ordinary is not None and deputy is not None and ordinary.pk == deputy.pk:
            self.add_error("deputy", _("Vice kontakt kan inte vara samma person som ordinarie."))
        return data


# --- client lifecycle -----------------------------------------------------------------


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return obj.name


class ClientMoveForm(ServiceErrorsMixin, forms.Form):
    from_unit = UnitChoiceField(
        label=gettext_lazy("Flyttas från"),
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={
            "required": gettext_lazy("Välj enheten brukaren flyttar från."),
            "invalid_choice": gettext_lazy(
                "Välj en av dina enheter där brukaren har en pågående insats."
            ),
        },
    )
    to_unit = UnitChoiceField(
        label=gettext_lazy("Flyttas till"),
        queryset=Unit.objects.none(),
        empty_label=gettext_lazy("– Välj enhet –"),
        error_messages={
            "required": gettext_lazy("Välj enheten brukaren flyttar till."),
            "invalid_choice": gettext_lazy(
                "Välj en enhet i listan (inte den enhet brukaren flyttar från)."
            ),
        },
    )
    on = date_field(
        gettext_lazy("Flyttdatum"),
        help_text=gettext_lazy(
            "Första dagen på den nya enheten. Kan vara bakåt i tiden, även före insatsens "
            "start (för att rätta fel enhet), eller framåt."
        ),
    )

    def __init__(
        self,
        *args: Any,
        from_units: QuerySet[Unit],
        to_units: QuerySet[Unit],
        refresh_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_unit"].queryset = from_units  # type: ignore[attr-defined]
        self.fields["to_unit"].queryset = to_units  # type: ignore[attr-defined]
        if refresh_url:
            # The target list never offers the unit moved from: with htmx, a
            # new choice here reloads the form (without, the POST checks it).
            self.fields["from_unit"].widget.attrs.update(
                {
                    "hx-get": refresh_url,
                    "hx-trigger": "change",
                    "hx-target": "#move-form",
                    "hx-swap": "outerHTML",
                    "hx-include": "#id_on",
                }
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source, target = data.get("from_unit"), data.get("to_unit")
        if source is not None and target is not None and source.pk == target.pk:
            self.add_error("to_unit", _("Välj en annan enhet än den brukaren flyttar från."))
        return data


class ServiceEndForm(ServiceErrorsMixin, forms.Form):
    end = date_field(gettext_lazy("Slutdatum"), help_text=gettext_lazy("Sista dagen insatsen ges."))

    def __init__(self, *args: Any, start: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start = start

    def clean_end(self) -> Any:
        end = self.cleaned_data["end"]
        if end < self.start:
            raise ValidationError(
                _("Slutdatum kan inte vara före startdatum %(d)s.") % {"d": self.start.isoformat()}
            )
        return end


class ChangeRequestForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Varför vill brukaren byta kontakt?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Ange varför brukaren vill byta kontakt.")},
    )
    requested_on = date_field(gettext_lazy("Önskemålet framfördes"))

    def __init__(self, *args: Any, earliest: Any = None, latest: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The request was made while the client had the unit's services: not
        # before the first of them began, and not in the future.
        self.earliest, self.latest = earliest, latest

    def clean_requested_on(self) -> Any:
        day = self.cleaned_data["requested_on"]
        if self.latest is not None and day > self.latest:
            raise ValidationError(_("Datumet kan inte vara i framtiden."))
        if self.earliest is not None and day < self.earliest:
            raise ValidationError(
                _("Datumet kan inte vara före brukarens första insats på enheten (%(d)s).")
                % {"d": self.earliest.isoformat()}
            )
        return day

    def clean_reason(self) -> str:
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise ValidationError(_("Ange varför brukaren vill byta kontakt."))
        return reason


class AsOfForm(forms.Form):
    per = date_field(gettext_lazy("Per datum"))
