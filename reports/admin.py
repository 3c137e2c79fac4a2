from django import forms
from django.contrib import admin

from .indicators import indicators
from .models import IndicatorReference


class IndicatorReferenceForm(forms.ModelForm):
    indicator = forms.ChoiceField(choices=())

    class Meta:
        model = IndicatorReference
        fields = ["indicator", "code", "circular_name", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.id, i.name_vi) for i in indicators()]


@admin.register(IndicatorReference)
class IndicatorReferenceAdmin(admin.ModelAdmin):
    form = IndicatorReferenceForm
    list_display = ("indicator", "code", "circular_name", "source")
