from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Unit

from .models import ImplementationPlan

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PARTICIPATION_CHOICES = [
    ("ja", _("Ja, brukaren har varit delaktig")),
    ("nej", _("Nej, brukaren har inte varit delaktig")),
]


class PlanForm(forms.Form):
    """The fields of a genomförandeplan; plans.services checks the rules."""

    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none(), empty_label=None)
    period_start = forms.DateField(label=_("Period från"), widget=DATE_WIDGET)
    period_end = forms.DateField(
        label=_("Period till"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Lämna tomt för tillsvidare."),
    )
    established = forms.DateField(label=_("Upprättad"), widget=DATE_WIDGET)
    revised = forms.DateField(
        label=_("Senast reviderad"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_(
            "Datum då planen senast gicks igenom med brukaren. Planen ska revideras "
            "minst var sjätte månad."
        ),
    )
    participated = forms.ChoiceField(
        label=_("Delaktighet"), choices=PARTICIPATION_CHOICES, widget=forms.RadioSelect
    )
    participation_comment = forms.CharField(
        label=_("Kommentar brukarens delaktighet"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    important_information = forms.CharField(
        label=_("Viktig information"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
    )
    follow_up_date = forms.DateField(label=_("Uppföljning"), required=False, widget=DATE_WIDGET)
    # The plan's version when the form was shown (no lost updates).
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Unit] | None = None,
        plan: ImplementationPlan | None = None,
        **kwargs: Any,
    ) -> None:
        if plan is not None:
            kwargs.setdefault("initial", plan_initial(plan))
        super().__init__(*args, **kwargs)
        self.fields["participated"].error_messages["required"] = _(
            "Ange om brukaren har varit delaktig."
        )
        if units is None:
            # Editing: the unit of a plan never changes.
            del self.fields["unit"]
        else:
            del self.fields["version"]  # a new plan has no earlier version
            cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
            del self.fields["revised"]  # a new plan is established, not revised
            today = timezone.localdate()
            self.fields["period_start"].initial = today
            self.fields["established"].initial = today

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("unit", None)
        data.pop("version", None)
        data["participated"] = data["participated"] == "ja"
        return data


def plan_initial(plan: ImplementationPlan) -> dict[str, Any]:
    return {
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "established": plan.established,
        "revised": plan.revised,
        "participated": {True: "ja", False: "nej"}.get(plan.participated),  # type: ignore[arg-type]
        "participation_comment": plan.participation_comment,
        "important_information": plan.important_information,
        "follow_up_date": plan.follow_up_date,
        "version": plan.version,
    }


class PlanEndForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.DateField(
        label=_("Sista dag planen gäller"),
        widget=DATE_WIDGET,
        help_text=_("Planens period avslutas detta datum."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["end"].initial = timezone.localdate()
