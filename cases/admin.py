from django.contrib import admin

from .models import DeadlineRule


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    """A province's own time limits; without a rule the law's default applies.

    Case files themselves are not in the admin: they are read only through the access door.
    """

    list_display = ("province", "kind", "amount", "unit")
    list_filter = ("kind", "unit")
    autocomplete_fields = ("province",)
