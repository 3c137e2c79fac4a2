from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DeadlineState(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("Cancelled")


class Deadline(models.Model):
    """A time limit on some object (a case file, an assignment, a plan task), stored as a row.

    Apps register and clear their deadlines through notifications.services; this app knows
    nothing about what the target is.
    """

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    kind = models.CharField(_("kind"), max_length=60)
    province = models.ForeignKey(
        "agencies.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(_("state"), max_length=20, choices=DeadlineState.choices, default=DeadlineState.OPEN)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "kind"],
                condition=Q(state="open"),
                name="deadline_one_open_per_kind",
            ),
            models.CheckConstraint(condition=Q(due_at__gte=models.F("starts_at")), name="deadline_due_after_start"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="open"), name="deadline_open_due_idx"),
            models.Index(fields=["target_type", "target_id"], name="deadline_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.due_at:%Y-%m-%d %H:%M}"


class CalendarDay(models.Model):
    """An administrator's correction to the working-day calendar of the `holidays` package.

    E.g. a compensatory working Saturday, or a holiday the government adds by decision.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("calendar correction")
        verbose_name_plural = _("calendar corrections")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"
