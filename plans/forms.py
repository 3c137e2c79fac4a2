from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CONTRIBUTION_STATUS_LABELS, OccurrenceStatus


class ProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"), choices=OccurrenceStatus.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    narrative = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": _("Say what was done.")},
    )
    figure_name = forms.CharField(
        label=_("Figure (e.g. trainings held, people reached)"),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    evidence = forms.FileField(
        label=_("Evidence (PDF, image or office document, optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )
    figure_value = forms.IntegerField(
        label=_("Number"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        error_messages={"min_value": _("The number cannot be below zero."), "invalid": _("Enter a whole number.")},
    )

    def __init__(self, *args, is_lead: bool = True, **kwargs):
        """A cooperating agency reports on its own part: its choices say so (only the lead closes the task)."""
        super().__init__(*args, **kwargs)
        self.is_lead = is_lead
        if not is_lead:
            self.fields["status"].label = _("Your agency's part")
            self.fields["status"].choices = list(CONTRIBUTION_STATUS_LABELS.items())

    def clean(self):
        data = super().clean()
        if data.get("figure_name") and data.get("figure_value") is None and "figure_value" not in self.errors:
            self.add_error("figure_value", _("Give the number for this figure."))
        return data


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a valid date.")},
    )
    date_to = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a valid date.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Plan as YAML (see the documented schema)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".yaml,.yml"}),
    )
