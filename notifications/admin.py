import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .ladders import step_errors
from .models import (
    CalendarDay,
    ChannelAccount,
    Deadline,
    Delivery,
    EscalationLadder,
    EscalationStep,
    WebhookEndpoint,
)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "name")
    list_filter = ("is_working_day",)
    search_fields = ("name",)
    date_hierarchy = "date"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ("kind", "target_type", "target_id", "due_at", "state", "next_step", "next_step_at")
    list_filter = ("state", "kind")
    date_hierarchy = "due_at"


class StepFormSet(BaseInlineFormSet):
    """Refuse a ladder whose steps are negative or out of time order, with a message per step."""

    def clean(self):
        super().clean()
        steps = [
            (form.cleaned_data["position"], form.cleaned_data["timing"], form.cleaned_data["amount"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        steps.sort()
        errors = step_errors([(timing, amount) for _position, timing, amount in steps])
        if errors:
            raise ValidationError(errors)


class StepInline(admin.TabularInline):
    model = EscalationStep
    formset = StepFormSet
    extra = 0
    ordering = ("position",)


@admin.register(EscalationLadder)
class EscalationLadderAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "province")
    list_filter = ("kind",)
    autocomplete_fields = ("province",)
    inlines = [StepInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Failed emails and webhooks, for administrators to see and act on."""

    list_display = (
        "notification",
        "channel",
        "endpoint",
        "state",
        "attempts",
        "receipt",
        "receipt_at",
        "last_error",
        "created_at",
    )
    list_filter = ("state", "channel", "receipt")
    list_select_related = ("notification", "endpoint")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "user", "url", "urgent_only", "is_active")
    autocomplete_fields = ("province",)
    raw_id_fields = ("user",)  # an integration's own endpoint (the hotline 111's)


SECRETS = ("api_key", "secret_key", "callback_secret")


class ChannelAccountForm(forms.ModelForm):
    """The secrets are never shown back: an empty field keeps the stored value."""

    url = forms.URLField(
        label=capfirst(ChannelAccount._meta.get_field("url").verbose_name),
        help_text=ChannelAccount._meta.get_field("url").help_text,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = ChannelAccount
        fields = [
            "channel",
            "province",
            "name",
            "is_active",
            "urgent_only",
            "url",
            "api_key",
            "secret_key",
            "callback_secret",
            "sender",
            "sms_type",
            "template_id",
            "body_template",
            "plain_letters",
        ]
        widgets = {name: forms.PasswordInput(render_value=False) for name in SECRETS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRETS:
            if self.instance.pk and getattr(self.instance, name):
                self.fields[name].help_text = _(
                    "Stored (encrypted). Leave empty to keep it; type a new value to change it."
                )

    def clean(self):
        data = super().clean()
        for name in SECRETS:
            if not data.get(name) and self.instance.pk:
                data[name] = getattr(ChannelAccount.objects.get(pk=self.instance.pk), name)
        body = data.get("body_template")
        if body:
            try:
                json.loads(body)
            except ValueError:
                self.add_error("body_template", _("This is not valid JSON."))
        return data


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    form = ChannelAccountForm
    list_display = ("name", "channel", "province", "urgent_only", "is_active", "callback_path")
    list_filter = ("channel", "is_active")
    autocomplete_fields = ("province",)

    @admin.display(description=_("delivery reports URL"))
    def callback_path(self, obj):
        from django.urls import reverse

        return reverse("notifications:delivery_report", args=[obj.channel, f"a{obj.pk}"]) if obj.pk else ""
