from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Preference


class StyledForm:
    """The page's classes on every widget (as cases.forms.BootstrapMixin, which this app may not import)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control")


class PreferenceForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email_mode", "sms_enabled", "zalo_enabled", "quiet_from", "quiet_until"]
        widgets = {
            "email_mode": forms.RadioSelect,
            # Text, not type="time": a phone's time picker may show 12-hour times on a Vietnamese page.
            "quiet_from": forms.TimeInput(attrs={"inputmode": "numeric", "placeholder": "21:30"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"inputmode": "numeric", "placeholder": "06:00"}, format="%H:%M"),
        }
        labels = {
            "sms_enabled": _("Send me SMS messages"),
            "zalo_enabled": _("Send me Zalo messages"),
            "quiet_from": _("Quiet hours from"),
            "quiet_until": _("Quiet hours until"),
        }
        help_texts = {
            "quiet_from": _(
                "SMS and Zalo messages that are not urgent wait until the quiet hours end, e.g. 21:30 to 06:00."
            ),
        }

    def __init__(self, *args, phone_verified: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.phone_verified = phone_verified

    def clean(self):
        data = super().clean()
        if not self.phone_verified:
            for name in ("sms_enabled", "zalo_enabled"):
                if data.get(name):
                    self.add_error(name, _("Add and verify your mobile number first (below)."))
        starts, ends = data.get("quiet_from"), data.get("quiet_until")
        if (
            (starts is None) != (ends is None)
            and not self.errors.get("quiet_from")
            and not self.errors.get("quiet_until")
        ):
            self.add_error(
                "quiet_until" if starts else "quiet_from", _("Give both times of the quiet hours, or neither.")
            )
        elif starts is not None and starts == ends:
            self.add_error("quiet_until", _("The quiet hours must end at another time than they start."))
        return data


class PhoneForm(StyledForm, forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("We send a code to it by SMS."),
    )


class CodeForm(StyledForm, forms.Form):
    code = forms.CharField(
        label=_("Code received by SMS"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )
