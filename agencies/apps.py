from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Units, agencies and staff")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .access import access_changed
        from .models import AdministrativeUnit, Agency, StaffMembership

        # The memberships kept between requests (agencies.access) are read afresh after any change.
        for model in (StaffMembership, Agency, AdministrativeUnit):
            post_save.connect(access_changed, sender=model, dispatch_uid=f"access-changed-save-{model.__name__}")
            post_delete.connect(access_changed, sender=model, dispatch_uid=f"access-changed-delete-{model.__name__}")
