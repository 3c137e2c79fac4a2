from django.contrib import admin

from .models import Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Plans are added from YAML (page "Add a plan" or plan_import); here administrators correct the
    plan's own fields, attach the original document, or close it."""

    list_display = ("number", "title", "issuing_body", "issued_on", "status")
    list_filter = ("status",)
    search_fields = ("number", "title", "issuing_body")
    readonly_fields = ("unit", "created_at")
    fields = (
        "number",
        "title",
        "unit",
        "issuing_body",
        "issued_on",
        "signer",
        "period_start",
        "period_end",
        "status",
        "leader",
        "original_document",
        "purpose",
        "budget_source",
        "created_at",
    )
    autocomplete_fields = ("leader",)

    def save_model(self, request, obj, form, change):
        from .services import plan_close

        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data and obj.status == "closed":
            plan_close(actor=request.user, plan=obj)
