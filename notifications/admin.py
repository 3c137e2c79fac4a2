from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from .ladders import step_errors
from .models import CalendarDay, Deadline, Delivery, EscalationLadder, EscalationStep, WebhookEndpoint


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

    list_display = ("notification", "channel", "endpoint", "state", "attempts", "last_error", "created_at")
    list_filter = ("state", "channel")
    list_select_related = ("notification", "endpoint")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "user", "url", "urgent_only", "is_active")
    autocomplete_fields = ("province",)
    raw_id_fields = ("user",)  # an integration's own endpoint (the hotline 111's)
