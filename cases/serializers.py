"""API shapes. Input serializers only validate types; the rules are in cases.services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import AdministrativeUnit, Agency
from config.names import NameSerializerField

from .choices import (
    AgeGroup,
    CaseState,
    CircumstanceGroup,
    ReceivingPoint,
    ReportSource,
    ReviewRecommendation,
    RiskLevel,
    Setting,
    Sex,
    VisitKind,
)
from .ethnicities import ETHNICITY_CHOICES
from .models import (
    Assignment,
    Attachment,
    Caregiver,
    CaseEvent,
    CaseFile,
    Child,
    CommunityReport,
    Note,
    PublicStatus,
    Urgency,
    Visit,
)

IDEMPOTENCY_HELP = (
    "Chosen by the client (a phone that recorded it offline): a retry with the same key returns "
    "the first result and creates nothing."
)


def idempotency_key_field(**options):
    return serializers.UUIDField(required=False, allow_null=True, default=None, help_text=IDEMPOTENCY_HELP, **options)


# ---------------------------------------------------------------------------------------------- output


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdministrativeUnit
        fields = ["id", "code", "name", "level"]


class CaregiverSerializer(serializers.ModelSerializer):
    class Meta:
        model = Caregiver
        fields = ["full_name", "relation", "phone", "is_legal_representative", "is_alleged_perpetrator"]


class ChildSerializer(serializers.ModelSerializer):
    residence_commune = UnitSerializer()
    circumstances = serializers.SerializerMethodField()
    caregivers = CaregiverSerializer(many=True)

    class Meta:
        model = Child
        fields = [
            "id",
            "full_name",
            "birth_date",
            "birth_year_only",
            "sex",
            "ethnicity",
            "personal_id",
            "residence_commune",
            "address",
            "school",
            "disability",
            "circumstances",
            "caregivers",
        ]

    def get_circumstances(self, child) -> list[str]:
        return [item.group for item in child.circumstances.all()]


class ChildMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="child.pk")
    full_name = serializers.CharField(source="child.full_name")
    birth_date = serializers.DateField(source="child.birth_date")
    birth_year_only = serializers.BooleanField(source="child.birth_year_only")
    commune = serializers.CharField(source="child.residence_commune.name")
    score = serializers.FloatField()


class CaseListSerializer(serializers.ModelSerializer):
    child = serializers.CharField(source="child.full_name")
    child_id = serializers.IntegerField()
    commune = UnitSerializer()

    class Meta:
        model = CaseFile
        fields = [
            "id",
            "reference",
            "child",
            "child_id",
            "commune",
            "state",
            "risk_level",
            "is_emergency",
            "opened_at",
            "closed_at",
            "version",
        ]


class DeadlineSerializer(serializers.Serializer):
    kind = serializers.CharField(source="deadline.kind")
    starts_at = serializers.DateTimeField(source="deadline.starts_at")
    due_at = serializers.DateTimeField(source="deadline.due_at")
    state = serializers.CharField(source="deadline.state")
    status = serializers.CharField()


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = CaseEvent
        fields = ["kind", "from_state", "to_state", "data", "at", "actor"]


class CaseDetailSerializer(CaseListSerializer):
    child = ChildSerializer()
    report_id = serializers.IntegerField()
    abuse_forms = serializers.SerializerMethodField()
    closure_reason = serializers.CharField(read_only=True, help_text="Code of a reason for closure of the kept list")
    report_extra = serializers.JSONField(source="report.extra", read_only=True)
    extra = serializers.JSONField(read_only=True)
    events = EventSerializer(many=True)
    allowed_actions = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "report_id",
            "abuse_forms",
            "report_extra",
            "extra",
            "closure_reason",
            "transfer_to",
            "events",
            "allowed_actions",
            "deadlines",
        ]

    def get_abuse_forms(self, case) -> list[str]:
        return [item.form for item in case.report.abuse_forms.all()]

    def get_allowed_actions(self, case) -> list[str]:
        return self.context.get("allowed_actions", [])

    def get_deadlines(self, case) -> list[dict]:
        return DeadlineSerializer(self.context.get("deadlines", []), many=True).data


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    idempotency_key = idempotency_key_field(write_only=True)

    class Meta:
        model = Note
        fields = ["id", "text", "author", "created_at", "idempotency_key"]
        read_only_fields = ["id", "author", "created_at"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "description", "uploaded_at"]


class VisitSerializer(serializers.ModelSerializer):
    visitors = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", default=None, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "kind",
            "status",
            "planned_for",
            "done_on",
            "visitors",
            "other_visitors",
            "child_seen",
            "people_seen",
            "observations",
            "next_visit_on",
            "recorded_by",
            "recorded_at",
        ]


class CommunityReportCreatedSerializer(serializers.ModelSerializer):
    """What the collaborator learns of their report: that it arrived, and its three-word status."""

    class Meta:
        model = CommunityReport
        fields = ["id", "commune", "hamlet", "urgency", "status", "received_at"]


# ---------------------------------------------------------------------------------------------- input


class CaseFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=CaseState.choices, required=False, default="")
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False, default="")
    abuse_form = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    commune = serializers.IntegerField(required=False, allow_null=True, default=None)
    opened_from = serializers.DateField(required=False, allow_null=True, default=None)
    opened_to = serializers.DateField(required=False, allow_null=True, default=None)
    overdue = serializers.BooleanField(required=False, default=False)
    q = serializers.CharField(required=False, default="", allow_blank=True)

    def validate(self, data):
        if data["opened_from"] and data["opened_to"] and data["opened_to"] < data["opened_from"]:
            raise serializers.ValidationError({"opened_to": [_("The end of the period is before its start.")]})
        return data


class ChildSearchQuerySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    commune = serializers.IntegerField(required=False, allow_null=True, default=None)


class CaregiverInputSerializer(serializers.Serializer):
    full_name = NameSerializerField(max_length=200)
    relation = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    is_legal_representative = serializers.BooleanField(required=False, default=False)
    is_alleged_perpetrator = serializers.BooleanField(required=False, default=False)


class ChildInputSerializer(serializers.Serializer):
    existing_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    full_name = NameSerializerField(max_length=200, required=False, default="", allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    birth_year_only = serializers.BooleanField(required=False, default=False)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, default=Sex.UNKNOWN)
    ethnicity = serializers.ChoiceField(choices=ETHNICITY_CHOICES, required=False, default="", allow_blank=True)
    personal_id = serializers.CharField(max_length=12, required=False, default="", allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    school = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    disability = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    circumstances = serializers.ListField(
        child=serializers.ChoiceField(choices=CircumstanceGroup.choices), required=False, default=list
    )
    caregivers = CaregiverInputSerializer(many=True, required=False, default=list)


class ReportInputSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField()
    receiving_point = serializers.ChoiceField(choices=ReceivingPoint.choices)
    commune_code = serializers.CharField(max_length=5, help_text="Official 5-digit code of the commune")
    source = serializers.ChoiceField(choices=ReportSource.choices)
    setting = serializers.ChoiceField(choices=Setting.choices)
    narrative = serializers.CharField()
    abuse_forms = serializers.ListField(
        child=serializers.CharField(max_length=30),
        allow_empty=False,
        help_text="Codes of the forms of abuse (the kept list: the law's codes and the province's own entries)",
    )
    reporter_is_anonymous = serializers.BooleanField(required=False, default=False)
    reporter_name = NameSerializerField(max_length=200, required=False, default="", allow_blank=True)
    reporter_phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    reporter_relation = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    place_of_occurrence = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    occurred_on = serializers.DateField(required=False, allow_null=True, default=None)
    perpetrator_relation = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    perpetrator_age_group = serializers.ChoiceField(
        choices=AgeGroup.choices, required=False, default="", allow_blank=True
    )
    external_reference = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    extra = serializers.DictField(
        required=False,
        default=dict,
        help_text="The province's extra fields of a report: key → value (dates as YYYY-MM-DD)",
    )
    children = ChildInputSerializer(many=True, allow_empty=False)
    idempotency_key = idempotency_key_field()


class ReportCreatedSerializer(serializers.Serializer):
    report_id = serializers.IntegerField()
    case_ids = serializers.ListField(child=serializers.IntegerField())
    references = serializers.ListField(child=serializers.CharField())


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The version the client last saw; a stale one is refused with 409.",
    )


class AssessInputSerializer(VersionSerializer):
    severity = serializers.ChoiceField(choices=RiskLevel.choices)
    perpetrator_access = serializers.ChoiceField(choices=RiskLevel.choices)
    care_environment = serializers.ChoiceField(choices=RiskLevel.choices)
    child_capacity = serializers.ChoiceField(choices=RiskLevel.choices)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False, default="", allow_blank=True)
    is_emergency = serializers.BooleanField()
    notes = serializers.CharField(required=False, default="", allow_blank=True)
    idempotency_key = idempotency_key_field()


class EmergencyInputSerializer(VersionSerializer):
    description = serializers.CharField()
    taken_by = serializers.CharField(max_length=200)
    taken_at = serializers.DateTimeField()


class InvestigateInputSerializer(VersionSerializer):
    information = serializers.CharField()
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    needs = serializers.CharField()
    meeting_at = serializers.DateTimeField()
    participants = serializers.CharField()
    minutes = serializers.CharField()


class MeasureInputSerializer(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(is_active=True))
    service_type = serializers.CharField(max_length=30, help_text="Code of a service type of the kept list")
    description = serializers.CharField()
    due_date = serializers.DateField()


class PlanInputSerializer(VersionSerializer):
    objectives = serializers.CharField()
    measures = MeasureInputSerializer(many=True, allow_empty=False)


class ApprovePlanInputSerializer(VersionSerializer):
    decision_number = serializers.CharField(max_length=50)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class NoteRequiredInputSerializer(VersionSerializer):
    note = serializers.CharField()


class NoteOptionalInputSerializer(VersionSerializer):
    note = serializers.CharField(required=False, default="", allow_blank=True)


class ReviewInputSerializer(VersionSerializer):
    findings = serializers.CharField()
    child_is_safe = serializers.BooleanField()
    recommendation = serializers.ChoiceField(choices=ReviewRecommendation.choices)
    closure_reason = serializers.CharField(
        max_length=30,
        required=False,
        default="",
        allow_blank=True,
        help_text="Code of a reason for closure of the kept list",
    )


class CaseExtraInputSerializer(serializers.Serializer):
    extra = serializers.DictField(help_text="The province's extra fields of the case file: key → value")


class TransferInputSerializer(VersionSerializer):
    to_commune_code = serializers.CharField(max_length=5)
    reason = serializers.CharField()


class ReasonInputSerializer(VersionSerializer):
    reason = serializers.CharField()


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    description = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    idempotency_key = idempotency_key_field()


class VisitRecordInputSerializer(serializers.Serializer):
    """A visit done (the online form's fields); PLANNED_VISIT: the planned visit it was, if any."""

    planned_visit = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Primary key of the case file's planned visit"
    )
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    done_on = serializers.DateField()
    child_seen = serializers.BooleanField(allow_null=True)
    visitors = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Primary keys of the staff of the case's commune who went (the caller, usually)",
    )
    other_visitors = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    people_seen = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    observations = serializers.CharField(allow_blank=True)
    next_visit_on = serializers.DateField(required=False, allow_null=True, default=None)
    idempotency_key = idempotency_key_field()


class CommunityReportInputSerializer(serializers.Serializer):
    """The collaborator's short form: who, where, what, how urgent, from which of their hamlets."""

    hamlet = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Primary key of one of the caller's hamlets"
    )
    commune = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Without a hamlet: primary key of the caller's commune the report is for (needed when they have "
        "several)",
    )
    child = serializers.CharField(max_length=200, allow_blank=True)
    place = serializers.CharField(max_length=255, allow_blank=True)
    what = serializers.CharField(allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    idempotency_key = idempotency_key_field()


class AssignmentSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.name")
    case_reference = serializers.CharField(source="case.reference")
    # A code of the kept list (cases.lists): the list changes without code, so no fixed enum here.
    service_type = serializers.CharField(read_only=True, help_text="Code of a service type of the kept list")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "case_id",
            "case_reference",
            "agency",
            "service_type",
            "request",
            "due_date",
            "status",
            "decline_reason",
            "outcome",
            "answered_at",
            "closed_at",
            "version",
        ]


class ProgressInputSerializer(VersionSerializer):
    text = serializers.CharField()
    idempotency_key = idempotency_key_field()


class CloseAssignmentInputSerializer(VersionSerializer):
    is_done = serializers.BooleanField()
    outcome = serializers.CharField()


class ReassignInputSerializer(VersionSerializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(is_active=True))
    request = serializers.CharField(required=False, default="", allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class LimitStatusSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["emergency_decision", "plan_submission", "plan_approval"],
        help_text="emergency_decision: 12 hours; plan_submission: 5 working days; plan_approval: 7 working days "
        "(or the province's own limits).",
    )
    due_at = serializers.DateTimeField()
    met_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(
        choices=["met", "late", "missed", "pending", "not_applicable"],
        help_text="met: done in time; late: done after the limit; missed: not done and past the limit; "
        "pending: not done, within the limit; not_applicable: the step was not needed.",
    )


class CaseStatusSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=PublicStatus.choices)
    limits = LimitStatusSerializer(many=True)


class PassedOnReportSerializer(serializers.Serializer):
    """A report the hotline passed on: where it stands and whether each legal limit was met. No names,
    no narrative."""

    report_id = serializers.IntegerField()
    external_reference = serializers.CharField(help_text="The hotline's own reference, as it sent it.")
    received_at = serializers.DateTimeField()
    commune_code = serializers.CharField()
    province_code = serializers.CharField()
    status = serializers.ChoiceField(choices=PublicStatus.choices)
    cases = CaseStatusSerializer(many=True)
