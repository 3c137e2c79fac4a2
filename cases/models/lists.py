"""Lists the administrators keep without code: the labels of the forms of abuse, of the service types and
of the reasons for closure (each entry mapped to the legal code the indicators count), and the extra fields
a province adds to its reports and case files."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    ABUSE_FORM = "abuse_form", _("Forms of abuse")
    SERVICE_TYPE = "service_type", _("Service types")
    CLOSURE_REASON = "closure_reason", _("Reasons for closure")


class ListEntry(models.Model):
    """One value of a kept list. Records store CODE; LEGAL_CODE is the value of the law's list
    (cases.choices) the indicators count it as: a province's own sub-form counts as its legal form."""

    kind = models.CharField(_("list"), max_length=20, choices=ListKind.choices)
    code = models.SlugField(
        _("code"), max_length=30, help_text=_("Never changes once records use it (letters, digits, _ and -).")
    )
    legal_code = models.CharField(
        _("legal category"), max_length=30, help_text=_("The category of the law the statistics count it as.")
    )
    province = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: offered everywhere; a province: offered only in its communes."),
    )
    label_vi = models.CharField(_("label (Vietnamese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("offered"), default=True, help_text=_("Unticked: no longer offered; records that use it still show it.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        ordering = ["kind", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"],
                name="list_entry_code_unique",
                violation_error_message=_("This list already has an entry with this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if self.label_en and (get_language() or "vi").startswith("en") else self.label_vi


class ExtraFieldTarget(models.TextChoices):
    REPORT = "report", _("Report (Form 01)")
    CASE = "case", _("Case file")


class ExtraFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice from a list")


class ExtraField(models.Model):
    """A field a province adds to its reports or case files. Values live in the record's `extra` JSON,
    keyed by KEY; a deactivated field is no longer asked but its values are kept and still shown."""

    province = models.ForeignKey(
        "agencies.AdministrativeUnit", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField(_("asked on"), max_length=10, choices=ExtraFieldTarget.choices)
    key = models.SlugField(
        _("key"), max_length=40, help_text=_("Used in the API and exports; never changes (letters, digits, _).")
    )
    label = models.CharField(_("label"), max_length=200)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    field_type = models.CharField(_("type"), max_length=10, choices=ExtraFieldType.choices)
    options = models.TextField(_("choices (one per line)"), blank=True)
    is_required = models.BooleanField(_("required"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("asked"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("extra field")
        verbose_name_plural = _("extra fields")
        ordering = ["province", "target", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "target", "key"],
                name="extra_field_key_unique",
                violation_error_message=_("This province already has a field with this key here."),
            ),
            models.CheckConstraint(
                condition=~Q(field_type="choice") | ~Q(options=""),
                name="extra_field_choice_has_options",
                violation_error_message=_("A choice needs its options, one per line."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.field_type == ExtraFieldType.CHOICE and len(self.option_list) < 2:
            raise ValidationError({"options": _("A choice needs at least two options, one per line.")})
