"""HTML forms of the directory of services: they shape input only (rules: agencies.services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AdministrativeUnit, ProviderKind, ServiceProvider


class DirectorySearchForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Area served"), queryset=AdministrativeUnit.objects.none(), required=False)
    kind = forms.ChoiceField(
        label=_("Type of service"), choices=[("", _("All types")), *ProviderKind.choices], required=False
    )
    text = forms.CharField(label=_("Name or service"), required=False, max_length=100)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = units if units is not None else AdministrativeUnit.objects.none()
        self.fields["area"].empty_label = _("Every area")
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )


class ProviderForm(forms.ModelForm):
    class Meta:
        model = ServiceProvider
        fields = [
            "name", "kind", "services", "areas", "address", "address_is_confidential", "hours", "phone",
            "contact_person", "is_active",
        ]  # fmt: skip
        widgets = {
            "services": forms.Textarea(attrs={"rows": 3}),
            "areas": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "name": {"required": _("Enter the name of the service.")},
            "kind": {"required": _("Choose the type of service.")},
            "services": {"required": _("Say what services it offers.")},
            "areas": {"required": _("Choose at least one area served.")},
        }

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = units if units is not None else AdministrativeUnit.objects.none()
        self.fields["areas"].label_from_instance = lambda unit: unit.name
        self.fields["kind"].choices = [("", "—"), *ProviderKind.choices]
        for name, field in self.fields.items():
            if name in ("is_active", "areas"):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")
