from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    CLOSED = "closed", _("Closed")


class Plan(models.Model):
    """A multi-agency plan (Kế hoạch) issued by a People's Committee, e.g. 103/KH-UBND."""

    number = models.CharField(_("number and symbol"), max_length=60)
    title = models.CharField(_("title"), max_length=500)
    unit = models.ForeignKey(
        "agencies.AdministrativeUnit", verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+"
    )
    issuing_body = models.CharField(_("issuing body"), max_length=255)
    issued_on = models.DateField(_("date issued"))
    signer = models.CharField(_("signer"), max_length=200, blank=True)
    legal_bases = models.JSONField(_("legal bases"), default=list, blank=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    purpose = models.TextField(_("purpose and requirements"), blank=True)
    budget_source = models.TextField(_("budget source"), blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader following the plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    original_document = models.FileField(_("original document"), upload_to="plans/%Y/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number", "issued_on"], name="plan_number_unique"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="plan_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}"


class PlanSection(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=500)
    text = models.TextField(_("text"), blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]


class ScheduleKind(models.TextChoices):
    ONCE = "once", _("Once, by a date")
    WINDOW = "window", _("Within a window")
    RECURRING = "recurring", _("Recurring")


class Recurrence(models.TextChoices):
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every quarter")
    SEMIANNUAL = "semiannual", _("Every 6 months")
    YEARLY = "yearly", _("Every year")


class AppliesTo(models.TextChoices):
    ISSUING_UNIT = "issuing_unit", _("The issuing unit")
    EVERY_COMMUNE = "every_commune", _("Every commune of the unit")


class PlanTask(models.Model):
    """One responsibility in a plan: one lead agency (chủ trì), any cooperating ones (phối hợp)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(PlanSection, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveIntegerField()
    content = models.TextField(_("task"))
    lead_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("lead agency"), on_delete=models.PROTECT, related_name="plan_tasks_led"
    )
    cooperating_agencies = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("cooperating agencies"), blank=True, related_name="plan_tasks_cooperating"
    )
    applies_to = models.CharField(
        _("applies to"), max_length=20, choices=AppliesTo.choices, default=AppliesTo.ISSUING_UNIT
    )
    schedule_kind = models.CharField(_("schedule"), max_length=20, choices=ScheduleKind.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    window_start = models.DateField(_("window from"), null=True, blank=True)
    window_end = models.DateField(_("window until"), null=True, blank=True)
    recurrence = models.CharField(_("recurrence"), max_length=20, choices=Recurrence.choices, blank=True)
    first_date = models.DateField(_("first occurrence"), null=True, blank=True)
    expected_output = models.TextField(_("expected output"), blank=True)
    note = models.TextField(_("note"), blank=True)
    # Links a task to case statistics, e.g. "reports_from_schools" for a school training task.
    statistic = models.CharField(_("linked statistic"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["plan", "position"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(schedule_kind="once") & Q(due_date__isnull=False))
                | (
                    Q(schedule_kind="window")
                    & Q(window_start__isnull=False)
                    & Q(window_end__gte=models.F("window_start"))
                )
                | (Q(schedule_kind="recurring") & Q(first_date__isnull=False) & ~Q(recurrence="")),
                name="task_schedule_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.content[:80]


class OccurrenceStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


CLOSED_OCCURRENCE_STATUSES = (OccurrenceStatus.DONE, OccurrenceStatus.NOT_DONE)
# What a cooperating agency may say of its own part of a task: never of the task, which only the lead closes.
CONTRIBUTION_STATUS_LABELS = {
    OccurrenceStatus.IN_PROGRESS: _("Our part is in progress"),
    OccurrenceStatus.DONE: _("Our part is done"),
    OccurrenceStatus.NOT_DONE: _("Our part could not be done"),
}


class TaskOccurrence(models.Model):
    """One due instance of a task (a recurring task has several), tracked with its own deadline."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="occurrences")
    starts_on = models.DateField(_("from"), null=True, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=OccurrenceStatus.choices, default=OccurrenceStatus.NOT_STARTED
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["task", "due_date"], name="occurrence_unique")]
        indexes = [models.Index(fields=["status", "due_date"], name="occurrence_status_due_idx")]


class ProgressReport(models.Model):
    """What an agency reports on an occurrence; the lead agency's done / not done report closes it."""

    occurrence = models.ForeignKey(TaskOccurrence, on_delete=models.CASCADE, related_name="reports")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    is_lead = models.BooleanField()
    status = models.CharField(_("status"), max_length=20, choices=OccurrenceStatus.choices)
    narrative = models.TextField(_("what was done"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def status_label(self) -> str:
        """A cooperating agency's report speaks of its own part, never of the task (only the lead closes it)."""
        if self.is_lead:
            return self.get_status_display()
        return str(CONTRIBUTION_STATUS_LABELS.get(self.status, self.get_status_display()))


class Evidence(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="plan-evidence/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
