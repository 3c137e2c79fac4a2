"""The safety plan of a child at high risk (kế hoạch an toàn): risks, what each adult and agency will do,
warning signs, who the child can call, and a review date. Each review writes a new version; the earlier
ones stay readable. Any item can be marked as not to be shown to the alleged perpetrator: the family's
print leaves it out."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .case_files import CaseFile


class SafetyItemKind(models.TextChoices):
    RISK = "risk", _("Risk")
    ACTION = "action", _("What an adult or agency will do")
    WARNING_SIGN = "warning_sign", _("Warning sign")
    CONTACT = "contact", _("Who the child can call")


class SafetyPlan(models.Model):
    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="safety_plans")
    number = models.PositiveSmallIntegerField(_("version"))
    review_date = models.DateField(_("review date"))
    review_note = models.TextField(_("what the review found"), blank=True)
    # The version a newer one replaced: kept, readable, never changed again.
    is_current = models.BooleanField(_("current version"), default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("safety plan")
        verbose_name_plural = _("safety plans")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="safety_plan_number_unique_per_case"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(is_current=True), name="safety_plan_one_current_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} v{self.number}"


class SafetyPlanItem(models.Model):
    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=20, choices=SafetyItemKind.choices)
    text = models.TextField(_("what"))
    who = models.CharField(_("who (person or agency)"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    provider = models.ForeignKey(
        "agencies.ServiceProvider",
        verbose_name=_("service from the directory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_hidden_from_perpetrator = models.BooleanField(_("not to be shown to the alleged perpetrator"), default=False)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "position"], name="safety_item_position_unique")]
