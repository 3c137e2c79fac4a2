"""What administrators set: provinces' time limits and what each service may see of a case file."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import DeadlineKind, DeadlineUnit, ServiceType


class DeadlineRule(models.Model):
    """A province's own time limit; without a row, the law's default applies (cases.deadlines)."""

    province = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("province"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"level": "province"},
    )
    kind = models.CharField(_("time limit"), max_length=30, choices=DeadlineKind.choices)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=20, choices=DeadlineUnit.choices)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(fields=["province", "kind"], name="deadline_rule_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="deadline_rule_positive"),
        ]

    def clean(self) -> None:
        if self.province_id and self.province.level != "province":
            raise ValidationError({"province": _("Deadline rules are set per province.")})
        if self.kind == DeadlineKind.NO_CONTACT and self.unit != DeadlineUnit.CALENDAR_DAYS:
            raise ValidationError({"unit": _("Days without contact are counted in calendar days.")})


class ServiceVisibility(models.Model):
    """What an agency sees of a case file for one service type (the minimum the work needs)."""

    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices, unique=True)
    sees_narrative = models.BooleanField(_("what happened (the report's narrative)"), default=False)
    sees_abuse_forms = models.BooleanField(_("forms of abuse"), default=False)
    sees_perpetrator = models.BooleanField(_("alleged perpetrator"), default=False)
    sees_address = models.BooleanField(_("address and caregivers"), default=False)
    sees_birth_date = models.BooleanField(_("date of birth and sex"), default=True)

    class Meta:
        verbose_name = _("what an agency sees")
        verbose_name_plural = _("what agencies see")

    def __str__(self) -> str:
        return self.get_service_type_display()
