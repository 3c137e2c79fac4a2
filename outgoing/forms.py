from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DocumentKind


class RegisterSearchForm(forms.Form):
    query = forms.CharField(label=_("Number or words of the summary"), required=False, max_length=200)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Type of document"), required=False, choices=[("", "—"), *DocumentKind.choices])


class SignForm(forms.Form):
    device = forms.ModelChoiceField(label=_("Signing device"), queryset=None, empty_label=None)
    secret = forms.CharField(
        label=_("PIN or pass phrase"), widget=forms.PasswordInput(attrs={"autocomplete": "off"}), max_length=200
    )

    def __init__(self, *args, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = devices
