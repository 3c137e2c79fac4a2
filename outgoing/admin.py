from django import forms
from django.conf import settings
from django.contrib import admin

from .models import IssuingBody, OutgoingDocument, SigningDevice, TrustedCertificate


@admin.register(IssuingBody)
class IssuingBodyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "unit", "symbol", "place", "signer_name", "is_default", "is_active")
    list_filter = ("is_default", "is_active")
    search_fields = ("name", "superior_name", "symbol", "unit__name")
    autocomplete_fields = ("unit",)
    raw_id_fields = ("signer",)


@admin.register(OutgoingDocument)
class OutgoingDocumentAdmin(admin.ModelAdmin):
    """The register is written only by issuing and signing: the administration reads it."""

    list_display = ("number_symbol", "issued_on", "title", "issuing_body", "signed_at")
    list_filter = ("year", "kind", "subject_kind")
    search_fields = ("title", "symbol", "=number")
    readonly_fields = [field.name for field in OutgoingDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SigningDevice)
class SigningDeviceAdmin(admin.ModelAdmin):
    list_display = ("label", "user", "kind", "province", "is_active")
    list_filter = ("kind", "is_active")
    raw_id_fields = ("user",)
    autocomplete_fields = ("province",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The token's library is one of those the operator allowed, never a path typed here.
        if db_field.name == "pkcs11_module":
            choices = [("", "—"), *((path, path) for path in settings.BAOVE_PKCS11_MODULES)]
            return forms.ChoiceField(label=db_field.verbose_name, choices=choices, required=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(TrustedCertificate)
class TrustedCertificateAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active")
