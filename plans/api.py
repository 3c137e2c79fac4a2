"""REST API for plans, their tasks and occurrences, and progress reports."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import access, selectors, services
from .models import OccurrenceStatus, Plan, PlanTask, ProgressReport, TaskOccurrence


class OccurrenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskOccurrence
        fields = ["id", "starts_on", "due_date", "status", "version"]


class TaskSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.number")
    lead_agency = serializers.CharField(source="lead_agency.name")
    cooperating_agencies = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    occurrences = OccurrenceSerializer(many=True)

    class Meta:
        model = PlanTask
        fields = [
            "id",
            "section",
            "content",
            "lead_agency",
            "cooperating_agencies",
            "schedule_kind",
            "recurrence",
            "expected_output",
            "note",
            "occurrences",
        ]


class PlanSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name")

    class Meta:
        model = Plan
        fields = [
            "id",
            "number",
            "title",
            "unit",
            "issuing_body",
            "issued_on",
            "signer",
            "legal_bases",
            "period_start",
            "period_end",
            "status",
        ]


class PlanDetailSerializer(PlanSerializer):
    tasks = TaskSerializer(many=True)
    progress = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "purpose", "budget_source", "recipients", "progress", "tasks"]

    def get_progress(self, plan) -> list[dict]:
        return selectors.progress_by_agency(plan)


class MyOccurrenceSerializer(OccurrenceSerializer):
    plan = serializers.CharField(source="task.plan.number")
    task = serializers.CharField(source="task.content")
    lead_agency = serializers.CharField(source="task.lead_agency.name")

    class Meta(OccurrenceSerializer.Meta):
        fields = [*OccurrenceSerializer.Meta.fields, "plan", "task", "lead_agency"]


class PlanProgressInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OccurrenceStatus.choices)
    narrative = serializers.CharField()
    figures = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False, default=dict)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class ProgressReportSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.name")

    class Meta:
        model = ProgressReport
        fields = ["id", "agency", "is_lead", "status", "narrative", "figures", "created_at"]


class PlanListApi(generics.ListAPIView):
    serializer_class = PlanSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        return access.plans_visible_to(self.request.user).order_by("-issued_on", "pk")


class PlanDetailApi(APIView):
    @extend_schema(responses=PlanDetailSerializer)
    def get(self, request, pk):
        plan = access.plan_for_user(request.user, pk)
        plan = (
            Plan.objects.prefetch_related("tasks__occurrences", "tasks__cooperating_agencies")
            .select_related("unit")
            .get(pk=plan.pk)
        )
        return Response(PlanDetailSerializer(plan).data)


class MyOccurrencesApi(APIView):
    @extend_schema(responses=MyOccurrenceSerializer(many=True))
    def get(self, request):
        return Response(MyOccurrenceSerializer(selectors.my_occurrences(request.user), many=True).data)


class ProgressReportApi(APIView):
    @extend_schema(request=PlanProgressInputSerializer, responses={201: ProgressReportSerializer})
    def post(self, request, pk):
        occurrence = access.occurrence_for_user(request.user, pk)
        serializer = PlanProgressInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        report = services.progress_report_add(
            actor=request.user,
            occurrence=occurrence,
            status=data["status"],
            narrative=data["narrative"],
            figures=data["figures"],
            expected_version=data["version"],
        )
        return Response(ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)
