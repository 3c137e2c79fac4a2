from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .choices import (
    AbuseForm,
    AgeGroup,
    CaseState,
    CircumstanceGroup,
    ClosureReason,
    DeadlineKind,
    DeadlineUnit,
    PlanStatus,
    ReceivingPoint,
    ReportSource,
    ReviewRecommendation,
    RiskLevel,
    ServiceType,
    Setting,
    Sex,
)
from .ethnicities import ETHNICITY_CHOICES


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


class Report(models.Model):
    """A report (thông tin, thông báo, tố giác), form Mẫu 01. One report, one or more children."""

    received_at = models.DateTimeField(_("received at"))
    receiving_point = models.CharField(_("receiving point"), max_length=20, choices=ReceivingPoint.choices)
    commune = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("commune where the child lives"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=20, choices=ReportSource.choices)
    reporter_is_anonymous = models.BooleanField(_("anonymous reporter"), default=False)
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    reporter_relation = models.CharField(_("reporter's relation to the child"), max_length=100, blank=True)
    place_of_occurrence = models.CharField(_("place of occurrence"), max_length=255, blank=True)
    occurred_on = models.DateField(_("date of occurrence"), null=True, blank=True)
    setting = models.CharField(_("setting"), max_length=20, choices=Setting.choices)
    perpetrator_relation = models.CharField(
        _("alleged perpetrator's relation to the child"), max_length=100, blank=True
    )
    perpetrator_age_group = models.CharField(
        _("alleged perpetrator's age group"), max_length=10, choices=AgeGroup.choices, blank=True
    )
    narrative = models.TextField(_("what happened"))
    external_reference = models.CharField(
        _("reference of the sender (e.g. hotline 111 call)"), max_length=100, blank=True
    )
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["commune", "received_at"], name="report_commune_received_idx")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.received_at:%d/%m/%Y %H:%M}"


class ReportAbuseForm(models.Model):
    """The forms of abuse a report alleges (Art. 4, with the sexual-abuse sub-types), one row each."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="abuse_forms")
    form = models.CharField(_("form of abuse"), max_length=30, choices=AbuseForm.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "form"], name="report_abuse_form_unique")]
        indexes = [models.Index(fields=["form"], name="report_abuse_form_idx")]


class LawfulBasis(models.TextChoices):
    LEGAL_DUTY = "legal_duty", _("Legal duty: Law on Children 2016 and Decree 56/2017/NĐ-CP")
    VITAL_INTEREST = "vital_interest", _("Emergency: protecting the child's life or health")
    AUTHORITY = "authority", _("Request of a competent authority (police, procuracy, court)")
    CONSENT = "consent", _("Consent of the child (aged 7 or more) and the legal representative")


class CaseFile(models.Model):
    """One child's case file (hồ sơ trường hợp), carried through the Decree 56/2017 procedure."""

    # NULL only between the insert and the update that derives it from the primary key.
    reference = models.CharField(_("reference"), max_length=30, unique=True, null=True, editable=False)  # noqa: DJ001
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="case_files")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="case_files")
    commune = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("responsible commune"),
        on_delete=models.PROTECT,
        related_name="+",
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
        "agencies.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state_before_transfer = models.CharField(max_length=30, choices=CaseState.choices, blank=True)
    closure_reason = models.CharField(_("closure reason"), max_length=30, choices=ClosureReason.choices, blank=True)
    closure_note = models.TextField(_("closure note"), blank=True)
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

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="plan_number_unique_per_case")]
        ordering = ["number"]


class PlanMeasure(models.Model):
    plan = models.ForeignKey(InterventionPlan, on_delete=models.CASCADE, related_name="measures")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices)
    description = models.TextField(_("what is to be done"))
    due_date = models.DateField(_("due date"))

    class Meta:
        ordering = ["due_date", "pk"]


class Review(models.Model):
    """Mẫu 06: review of the plan's implementation and the officer's recommendation."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="reviews")
    findings = models.TextField(_("findings"))
    child_is_safe = models.BooleanField(_("the child is safe and stable"))
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=ReviewRecommendation.choices)
    closure_reason = models.CharField(_("closure reason"), max_length=30, choices=ClosureReason.choices, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"))


class CaseEvent(models.Model):
    """Append-only timeline and audit trail of a case file; written only by services."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at_idx")]


class Note(models.Model):
    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class Attachment(models.Model):
    """A file on a case. Stored under a random name outside the web root; served only after a check."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="attachments")
    # Set when an agency attached it to its progress report on an assignment.
    assignment = models.ForeignKey(
        "Assignment", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]


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


class AssignmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed to the agency")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_ASSIGNMENT_STATUSES = (AssignmentStatus.PROPOSED, AssignmentStatus.ACCEPTED, AssignmentStatus.IN_PROGRESS)


class Assignment(models.Model):
    """One measure of an approved plan, assigned to an agency, which accepts, acts and reports."""

    case = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="assignments")
    measure = models.ForeignKey(PlanMeasure, on_delete=models.PROTECT, related_name="assignments")
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="assignments"
    )
    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices)
    request = models.TextField(_("what is asked"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.PROPOSED
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(status__in=["proposed", "accepted", "in_progress"]),
                name="assignment_one_active_per_measure",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="assignment_decline_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_date"], name="assignment_inbox_idx"),
            models.Index(fields=["case", "status"], name="assignment_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_type_display()} → {self.agency}"


class AssignmentProgress(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="progress")
    text = models.TextField(_("progress"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class CaseFileUserObjectPermission(UserObjectPermissionBase):
    """guardian, with a real foreign key: users named on a restricted case file."""

    content_object = models.ForeignKey(CaseFile, on_delete=models.CASCADE)


class CaseFileGroupObjectPermission(GroupObjectPermissionBase):
    """guardian, with a real foreign key: an agency's staff group while it holds an active assignment."""

    content_object = models.ForeignKey(CaseFile, on_delete=models.CASCADE)


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


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    EXPORT = "export", _("Exported")
    PRINT = "print", _("Printed")
    DOWNLOAD = "download", _("Downloaded")
    DENIED = "denied", _("Refused")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Locked out")
    TWO_FACTOR_ENABLED = "2fa_enabled", _("Two-factor authentication turned on")
    TWO_FACTOR_VERIFIED = "2fa_verified", _("Two-factor code accepted")
    TWO_FACTOR_FAILED = "2fa_failed", _("Wrong two-factor code")
    TWO_FACTOR_RECOVERY = "2fa_recovery", _("Recovery code used")
    TWO_FACTOR_CODES = "2fa_codes", _("New recovery codes")
    TWO_FACTOR_RESET = "2fa_reset", _("Two-factor authentication reset")


class AuditEvent(models.Model):
    """Who looked at or changed what, when, from where. Append-only: a trigger refuses UPDATE and DELETE."""

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=30)
    object_id = models.CharField(max_length=40, blank=True)
    case = models.ForeignKey(CaseFile, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    fields = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True)
    channel = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["case", "at"], name="audit_case_idx"),
            models.Index(fields=["user", "at"], name="audit_user_idx"),
        ]


class ConsentGiver(models.TextChoices):
    CHILD = "child", _("The child (aged 7 or more)")
    REPRESENTATIVE = "representative", _("Legal representative")


class Consent(models.Model):
    """Consent to disclose a child's private information beyond the statutory chain (to whom, why)."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="consents")
    giver = models.CharField(_("given by"), max_length=20, choices=ConsentGiver.choices)
    representative = models.ForeignKey(
        Caregiver,
        verbose_name=_("legal representative"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents",
    )
    recipient = models.CharField(_("disclosed to"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=500)
    given_on = models.DateField(_("given on"))
    evidence = models.CharField(_("how it was given"), max_length=255)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-pk"]


class Disclosure(models.Model):
    """A disclosure of the child's private information outside the statutory chain, and the consents it rests on."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="disclosures")
    recipient = models.CharField(_("disclosed to"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=500)
    disclosed_on = models.DateField(_("disclosed on"))
    consents = models.ManyToManyField(Consent, verbose_name=_("consents relied on"), related_name="disclosures")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-disclosed_on", "-pk"]


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access: a copy of everything held")
    CORRECTION = "correction", _("Correction")
    DELETION = "deletion", _("Deletion")
    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION = "objection", _("Objection to processing")
    WITHDRAW_CONSENT = "withdraw_consent", _("Withdrawal of consent")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    REFUSED = "refused", _("Refused, with reasons")


class DataSubjectRequest(models.Model):
    """A request by the child or their representative about the child's personal data: answered
    within 2 working days (the deadline escalates through the notification engine)."""

    case = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(_("request"), max_length=20, choices=RequestKind.choices)
    requester_name = models.CharField(_("requester's name"), max_length=200)
    requester_relation = models.CharField(_("requester's relation to the child"), max_length=100)
    details = models.TextField(_("details"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("answer due"))
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="dsr_status_due_idx")]
