"""The case file and the records of each step of the procedure (Mẫu 02–06)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import ENDED_STATES, CaseState, PlanStatus, ReviewRecommendation, RiskLevel
from ..lists import closure_reason_choices, service_type_choices
from .children import Child
from .reports import Report


class LawfulBasis(models.TextChoices):
    LEGAL_DUTY = "legal_duty", _("Legal duty: Law on Children 2016 and Decree 56/2017/NĐ-CP")
    VITAL_INTEREST = "vital_interest", _("Emergency: protecting the child's life or health")
    AUTHORITY = "authority", _("Request of a competent authority (police, procuracy, court)")
    CONSENT = "consent", _("Consent of the child (aged 7 or more) and the legal representative")


class CaseFile(models.Model):
    """One child's case file (hồ sơ trường hợp), carried through the Decree 56/2017 procedure."""

    # NULL only between the insert and the update that derives it from the primary key.
    reference = models.CharField(_("reference"), max_length=30, unique=True, null=True, editable=False)  # noqa: DJ001
    # No index of their own for the report and the commune: the unique (report, child) and the indexes below
    # lead with them (a redundant index costs every write, and every query's planning on a new connection).
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="case_files", db_index=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="case_files")
    commune = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("responsible commune"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    state = models.CharField(_("state"), max_length=30, choices=CaseState.choices, default=CaseState.RECEIVED)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, blank=True)
    is_emergency = models.BooleanField(_("emergency"), null=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible officer"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transfer_to = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("commune asked to take the case file over"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state_before_transfer = models.CharField(max_length=30, choices=CaseState.choices, blank=True)
    closure_reason = models.CharField(_("closure reason"), max_length=30, choices=closure_reason_choices, blank=True)
    closure_note = models.TextField(_("closure note"), blank=True)
    # The province's extra fields (cases.models.lists.ExtraField), key → value; checked by the services.
    # A database default too: rows written by hand (COPY in the benchmark seed, SQL floors) get an empty object.
    extra = models.JSONField(
        _("extra fields"), default=dict, db_default=models.Value({}, output_field=models.JSONField()), blank=True
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Sensitive cases (the alleged perpetrator is staff or a relative of staff): only the users
    # named through guardian user permissions may open them.
    is_restricted = models.BooleanField(_("restricted to named users"), default=False)
    # Law on Personal Data Protection 2025: why the data is processed (normally the statutory duty).
    lawful_basis = models.CharField(
        _("lawful basis"), max_length=20, choices=LawfulBasis.choices, default=LawfulBasis.LEGAL_DUTY
    )
    lawful_basis_note = models.CharField(_("lawful basis: details"), max_length=255, blank=True)
    # Set by the retention task: the child's and reporter's identifying data and the free text are gone.
    pseudonymised_at = models.DateTimeField(_("pseudonymised at"), null=True, blank=True, editable=False)
    # Optimistic concurrency: every change bumps it; a change made from a stale page is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case file")
        verbose_name_plural = _("case files")
        constraints = [
            models.UniqueConstraint(fields=["report", "child"], name="case_one_per_child_per_report"),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False), name="case_closed_has_date"
            ),
            # A file still open always has a person who answers for it (intake, transfer and handover set one).
            models.CheckConstraint(
                condition=Q(state__in=ENDED_STATES) | Q(officer__isnull=False), name="case_open_has_officer"
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "state", "opened_at"], name="case_commune_state_idx"),
            # The case list: newest first within the user's communes.
            models.Index(
                fields=["commune", "-opened_at", "-id"], name="case_commune_newest_idx", include=["is_restricted"]
            ),
            models.Index(fields=["state", "opened_at"], name="case_state_opened_idx"),
            models.Index(fields=["opened_at"], name="case_opened_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"


class InitialAssessment(models.Model):
    """Mẫu 02: initial risk assessment and the decision on emergency measures."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="initial_assessments")
    severity = models.CharField(_("severity of harm"), max_length=10, choices=RiskLevel.choices)
    perpetrator_access = models.CharField(_("abuser's access to the child"), max_length=10, choices=RiskLevel.choices)
    care_environment = models.CharField(
        _("obstacles to safety in the care environment"), max_length=10, choices=RiskLevel.choices
    )
    child_capacity = models.CharField(
        _("child's capacity to protect themself and recover (risk)"), max_length=10, choices=RiskLevel.choices
    )
    risk_level = models.CharField(_("overall risk level"), max_length=10, choices=RiskLevel.choices)
    is_emergency = models.BooleanField(_("emergency measures needed"))
    notes = models.TextField(_("notes"), blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(_("assessed at"))
    # Chosen by the phone that recorded it offline: a resend whose first answer was lost returns this
    # assessment instead of meeting the version its first send moved on (a false conflict).
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)


class EmergencyMeasure(models.Model):
    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="emergency_measures")
    description = models.TextField(_("measure taken"))
    taken_by = models.CharField(_("taken by (person or agency)"), max_length=200)
    taken_at = models.DateTimeField(_("taken at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class SpecificAssessment(models.Model):
    """Mẫu 03: information collected, specific risk assessment and the needs meeting minutes."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="specific_assessments")
    information = models.TextField(_("information collected"))
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    needs = models.TextField(_("needs of the child and family"))
    meeting_at = models.DateTimeField(_("needs meeting held at"))
    participants = models.TextField(_("participants"))
    minutes = models.TextField(_("minutes of the meeting"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(_("recorded at"))


class InterventionPlanQuerySet(models.QuerySet):
    def current(self):
        """The case's current plan (see current_plan), read from the database."""
        return self.exclude(status=PlanStatus.SUPERSEDED).order_by("-number").first()


def current_plan(plans):
    """The current plan among a case's plans: the newest one a newer plan has not replaced.

    Submitted, returned or approved; None before the first plan. From rows already fetched (a
    prefetch), so that pages and documents ask no query; `InterventionPlan.objects.current()` is
    the same rule in SQL.
    """
    standing = [plan for plan in plans if plan.status != PlanStatus.SUPERSEDED]
    return max(standing, key=lambda plan: plan.number) if standing else None


class InterventionPlan(models.Model):
    """Mẫu 04 (the plan) and Mẫu 05 (the chairman's approval decision)."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="plans")
    number = models.PositiveSmallIntegerField(_("plan number"))
    objectives = models.TextField(_("objectives"))
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.SUBMITTED)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decision_note = models.TextField(_("chairman's comments"), blank=True)

    objects = InterventionPlanQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="plan_number_unique_per_case")]
        ordering = ["number"]


class PlanMeasure(models.Model):
    plan = models.ForeignKey(InterventionPlan, on_delete=models.CASCADE, related_name="measures")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    service_type = models.CharField(_("service"), max_length=30, choices=service_type_choices)
    description = models.TextField(_("what is to be done"))
    due_date = models.DateField(_("due date"))
    # Picked from the directory of services; the measure's own text stays what the plan says.
    provider = models.ForeignKey(
        "agencies.ServiceProvider",
        verbose_name=_("service from the directory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_date", "pk"]


class Review(models.Model):
    """Mẫu 06: review of the plan's implementation and the officer's recommendation."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="reviews")
    findings = models.TextField(_("findings"))
    child_is_safe = models.BooleanField(_("the child is safe and stable"))
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=ReviewRecommendation.choices)
    closure_reason = models.CharField(_("closure reason"), max_length=30, choices=closure_reason_choices, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"))


class CaseListStamp(models.Model):
    """When the case files a commune's list shows last changed: a number that grows with every change
    of a case file of the commune (or transferred to it), of their open deadlines or of their children's
    names. Written by the database's own triggers (migration 0031), whatever wrote the rows; read by the case
    list to know whether the page it keeps is still the one the database would give (cases.selectors)."""

    commune_id = models.BigIntegerField(primary_key=True)
    stamp = models.BigIntegerField()

    class Meta:
        verbose_name = _("case list stamp")
