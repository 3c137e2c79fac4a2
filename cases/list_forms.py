"""Forms of the pages where administrators keep the lists (cases.views.lists_admin)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import AdministrativeUnit, AgencyType

from .forms import DATE_WIDGET, BootstrapMixin
from .lists import LEGAL
from .models import ExtraField, ListEntry


def _province_field(form, provinces, *, national: bool, required: bool) -> None:
    field = form.fields["province"]
    field.queryset = provinces
    field.required = required or not national
    field.empty_label = _("Everywhere (national)") if national and not required else "—"
    if not national:
        field.help_text = _("Offered only in the communes of this province.")


class ListEntryForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ListEntry
        fields = ["label_vi", "label_en", "code", "legal_code", "province", "sort_order", "is_active"]

    def __init__(self, *args, kind: str, provinces, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = kind
        self.fields["legal_code"] = forms.ChoiceField(
            label=_("Counted in the statistics as"),
            choices=LEGAL[kind].choices,
            help_text=_("The category of the law this entry counts as: the indicators count by it."),
            widget=forms.Select(attrs={"class": "form-select"}),
        )
        _province_field(self, provinces, national=national, required=False)
        if self.instance.pk:
            # Records store the code and the province's communes use the entry: neither moves.
            for name in ("code", "province"):
                self.fields[name].disabled = True
            self.fields["code"].help_text = _("The code never changes: records use it.")


class ExtraFieldForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ExtraField
        fields = [
            "province",
            "target",
            "label",
            "help_text",
            "key",
            "field_type",
            "options",
            "is_required",
            "sort_order",
            "is_active",
        ]
        widgets = {"options": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        _province_field(self, provinces, national=False, required=True)
        if self.instance.pk:
            for name in ("province", "target", "key", "field_type"):
                self.fields[name].disabled = True


class AgencyTypeForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = AgencyType
        fields = ["name_vi", "name_en", "code", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code never changes: records use it.")


class AgencyRenameForm(BootstrapMixin, forms.Form):
    new_name = forms.CharField(label=_("New name"), max_length=255)
    effective_on = forms.DateField(
        label=_("In force from"),
        widget=DATE_WIDGET,
        help_text=_("Documents dated before this day keep printing the former name."),
        error_messages={"required": _("Enter the date the new name took effect.")},
    )


class ProvinceChoiceForm(forms.Form):
    province = forms.ModelChoiceField(label=_("Province"), queryset=AdministrativeUnit.objects.none())

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces
        self.fields["province"].widget.attrs["class"] = "form-select"
