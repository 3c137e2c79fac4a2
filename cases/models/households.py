"""The household (family group) a child lives in: siblings reported together, or linked by an officer."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Household(models.Model):
    """A family group: its members are the children linked to it (Child.household) and the caregivers
    recorded for those children on their reports. Made when one report names several children, or when an
    officer links a child's case file to another child's family."""

    commune = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"#{self.pk}"
