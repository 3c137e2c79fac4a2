from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import two_factor
from .models import AdministrativeUnit, Agency, AgencyType, StaffMembership
from .services import agency_save, membership_save, unit_save


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "division_type", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path",)
    list_select_related = ("parent",)

    def save_model(self, request, obj, form, change):
        unit_save(actor=request.user, unit=obj)

    def get_readonly_fields(self, request, obj=None):
        # Official codes come from the government list: an administrator may not retype them.
        if obj is not None and obj.level in ("province", "commune"):
            return (*self.readonly_fields, "code", "level")
        return self.readonly_fields


@admin.register(AgencyType)
class AgencyTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "name_en", "sort_order")
    search_fields = ("code", "name_vi", "name_en")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "agency_type", "unit", "phone", "is_active")
    list_filter = ("agency_type", "is_active")
    search_fields = ("name", "unit__name")
    autocomplete_fields = ("unit",)
    list_select_related = ("agency_type", "unit")

    def save_model(self, request, obj, form, change):
        agency_save(actor=request.user, agency=obj)


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "agency", "unit", "is_active")
    list_filter = ("role", "is_active", "agency__agency_type")
    search_fields = ("user__username", "user__first_name", "user__last_name", "agency__name", "unit__name")
    autocomplete_fields = ("user", "agency", "unit")
    list_select_related = ("user", "agency", "unit")

    def save_model(self, request, obj, form, change):
        membership_save(actor=request.user, membership=obj)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class BaoVeUserAdmin(UserAdmin):
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor authentication (lost phone)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            two_factor.reset(actor=request.user, user=user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d user; they set it up again at their next login.",
                "Two-factor authentication reset for %(count)d users; they set it up again at their next login.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


admin.site.site_header = _("BaoVe administration")
admin.site.site_title = _("BaoVe")
admin.site.index_title = _("Configuration")
