"""The child, their special circumstances and caregivers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import CircumstanceGroup, Sex
from ..ethnicities import ETHNICITY_CHOICES


class Child(models.Model):
    full_name = models.CharField(_("full name"), max_length=200)
    # Lower case, diacritics folded, đ→d: kept in sync by the service that writes the name.
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    birth_date = models.DateField(_("date of birth"))
    birth_year_only = models.BooleanField(_("only the year of birth is known"), default=False)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnic group"), max_length=2, choices=ETHNICITY_CHOICES, blank=True)
    personal_id = models.CharField(_("personal identification number"), max_length=12, blank=True)
    residence_commune = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("commune of residence"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # child_commune_name_idx leads with it
    )
    residence_hamlet = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("hamlet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    school = models.CharField(_("school"), max_length=200, blank=True)
    disability = models.CharField(_("disability"), max_length=200, blank=True)
    # The family group; the history snapshot and the siblings' case files are read through it.
    household = models.ForeignKey(
        "cases.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    # Set when an officer merged this record into the record of the same child (cases.services.merges):
    # the record stays, as a redirect to the kept one, until the merge is undone.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        constraints = [
            models.UniqueConstraint(
                fields=["personal_id"],
                condition=~Q(personal_id=""),
                name="child_personal_id_unique",
                violation_error_message=_("Another child already has this personal identification number."),
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="child_not_merged_into_itself"),
        ]
        indexes = [models.Index(fields=["residence_commune", "name_key"], name="child_commune_name_idx")]

    def __str__(self) -> str:
        return self.full_name


class ChildCircumstance(models.Model):
    """Membership of one of the 14 groups of Law on Children Art. 10, with dates."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="circumstances")
    group = models.CharField(_("group"), max_length=2, choices=CircumstanceGroup.choices)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("special circumstance")
        verbose_name_plural = _("special circumstances")
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(since__isnull=True) | Q(until__gte=models.F("since")),
                name="circumstance_dates_in_order",
            )
        ]


class Caregiver(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="caregivers")
    full_name = models.CharField(_("full name"), max_length=200)
    relation = models.CharField(_("relation to the child"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_legal_representative = models.BooleanField(_("legal representative"), default=False)
    is_alleged_perpetrator = models.BooleanField(_("alleged perpetrator"), default=False)

    class Meta:
        verbose_name = _("caregiver")
        verbose_name_plural = _("caregivers")
