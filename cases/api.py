"""REST API (/api/v1/): input serializer → one service or selector → output serializer."""

import uuid

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import AdministrativeUnit
from notifications.selectors import deadlines_of

from . import access, selectors, serializers, services
from .choices import CaseState, RiskLevel
from .downloads import attachment_response
from .models import Assignment, CommunityReport, Note, Report, Visit
from .selectors import visits as visit_selectors
from .selectors.hotline import passed_on_statuses

CASE_FILTERS = [
    OpenApiParameter("state", str, enum=CaseState.values),
    OpenApiParameter("risk_level", str, enum=RiskLevel.values),
    OpenApiParameter("abuse_form", str, description="Code of a form of abuse of the kept list"),
    OpenApiParameter("commune", int, description="Primary key of the commune"),
    OpenApiParameter("opened_from", OpenApiTypes.DATE),
    OpenApiParameter("opened_to", OpenApiTypes.DATE),
    OpenApiParameter("overdue", bool),
    OpenApiParameter("q", str, description="Child's name (diacritics optional) or case reference"),
]


def _commune_by_code(code: str, field: str) -> AdministrativeUnit:
    commune = AdministrativeUnit.objects.filter(level="commune", code=code, is_active=True).first()
    if commune is None:
        raise ValidationError({field: [_("Unknown commune code: %(code)s") % {"code": code}]})
    return commune


class CaseListApi(generics.ListAPIView):
    serializer_class = serializers.CaseListSerializer

    @extend_schema(parameters=CASE_FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        serializer = serializers.CaseFilterSerializer(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        filters = selectors.CaseFilters(
            state=data["state"],
            risk_level=data["risk_level"],
            overdue=data["overdue"],
            commune=data["commune"],
            abuse_form=data["abuse_form"],
            opened_from=data["opened_from"],
            opened_to=data["opened_to"],
            query=data["q"],
        )
        return selectors.case_list(self.request.user, filters)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        ids = [row["id"] for row in response.data.get("results", [])]
        access.record_read("view", "case_list", fields={"cases": ids, "query": request.GET.urlencode()})
        return response


class CaseDetailApi(APIView):
    @extend_schema(responses=serializers.CaseDetailSerializer)
    def get(self, request, pk):
        case = selectors.case_detail(request.user, pk)
        context = {
            "allowed_actions": [action.name for action in access.rights_on(request.user, case).actions],
            "deadlines": deadlines_of(case),
        }
        return Response(serializers.CaseDetailSerializer(case, context=context).data)


class CaseExtraApi(APIView):
    """Record the province's extra fields of a case file (values of fields no longer asked are kept)."""

    @extend_schema(request=serializers.CaseExtraInputSerializer, responses=serializers.CaseExtraInputSerializer)
    def post(self, request, pk):
        case = access.case_for_user(request.user, pk, need=access.Need.EDIT)
        serializer = serializers.CaseExtraInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_extra_save(actor=request.user, case=case, raw=serializer.validated_data["extra"])
        return Response({"extra": case.extra})


ACTION_SERIALIZERS = {
    "assess": serializers.AssessInputSerializer,
    "record_emergency": serializers.EmergencyInputSerializer,
    "investigate": serializers.InvestigateInputSerializer,
    "submit_plan": serializers.PlanInputSerializer,
    "approve_plan": serializers.ApprovePlanInputSerializer,
    "return_plan": serializers.NoteRequiredInputSerializer,
    "review": serializers.ReviewInputSerializer,
    "approve_closure": serializers.NoteOptionalInputSerializer,
    "reject_closure": serializers.NoteRequiredInputSerializer,
    "transfer": serializers.TransferInputSerializer,
    "accept_transfer": serializers.VersionSerializer,
    "decline_transfer": serializers.ReasonInputSerializer,
    "mark_not_child_protection": serializers.ReasonInputSerializer,
    "reopen": serializers.ReasonInputSerializer,
}


def _action_view(name: str, input_serializer):
    class CaseActionApi(APIView):
        @extend_schema(request=input_serializer, responses=serializers.CaseListSerializer, operation_id=f"case_{name}")
        def post(self, request, pk):
            case = access.case_for_user(request.user, pk, action=name)
            serializer = input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            version = data.pop("version", None)
            if name == "submit_plan":
                data["measures"] = [services.MeasureInput(**measure) for measure in data["measures"]]
            if name == "transfer":
                data["to_commune"] = _commune_by_code(data.pop("to_commune_code"), "to_commune_code")
            getattr(services, f"case_{name}")(actor=request.user, case=case, expected_version=version, **data)
            case.refresh_from_db()
            return Response(serializers.CaseListSerializer(case).data)

    CaseActionApi.__name__ = f"Case{name.title().replace('_', '')}Api"
    return CaseActionApi.as_view()


ACTION_VIEWS = {name: _action_view(name, serializer) for name, serializer in ACTION_SERIALIZERS.items()}


def _sent_before(request, model, owner_field: str, scope: dict | None = None):
    """What an earlier send with this request's idempotency key created (None: none, or no valid key). Asked
    before the request is checked: the resend of something accepted whose answer was lost is answered as the
    first time, even when a check would now refuse it (a commune merged since, a visit no longer planned);
    a phone that was refused would otherwise have the item corrected and sent again, as a second record."""
    raw = request.data.get("idempotency_key") if hasattr(request.data, "get") else None
    try:
        key = uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None  # the serializer says what is wrong with it
    return services.replayed(model, key=key, owner_field=owner_field, actor=request.user, scope=scope)


def _report_created(report) -> Response:
    cases = list(report.case_files.order_by("pk"))
    body = {"report_id": report.pk, "case_ids": [c.pk for c in cases], "references": [c.reference for c in cases]}
    return Response(body, status=status.HTTP_201_CREATED)


class ReportCreateApi(APIView):
    """Record a report for a commune: commune officers, and integrations such as the hotline 111."""

    @extend_schema(request=serializers.ReportInputSerializer, responses={201: serializers.ReportCreatedSerializer})
    def post(self, request):
        # Only to someone who still records reports (anyone else is refused below, in words).
        if access.may_receive_reports(request.user) and (earlier := _sent_before(request, Report, "received_by")):
            return _report_created(earlier)
        serializer = serializers.ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        commune = _commune_by_code(data.pop("commune_code"), "commune_code")
        children = []
        for child in data.pop("children"):
            caregivers = [services.CaregiverInput(**caregiver) for caregiver in child.pop("caregivers")]
            children.append(services.ChildInput(**child, residence_commune=commune, caregivers=caregivers))
        idempotency_key = data.pop("idempotency_key")
        report = services.report_receive(
            actor=request.user,
            report=services.ReportInput(**data, commune=commune),
            children=children,
            idempotency_key=idempotency_key,
        )
        return _report_created(report)


class ChildSearchApi(APIView):
    """Possible existing children for a name (POST, so that names stay out of URLs and access logs)."""

    @extend_schema(
        request=serializers.ChildSearchQuerySerializer, responses=serializers.ChildMatchSerializer(many=True)
    )
    def post(self, request):
        query = serializers.ChildSearchQuerySerializer(data=request.data)
        query.is_valid(raise_exception=True)
        matches = selectors.child_search(
            request.user,
            query.validated_data["name"],
            birth_date=query.validated_data["birth_date"],
            commune_id=query.validated_data["commune"],
        )
        return Response(serializers.ChildMatchSerializer(matches, many=True).data)


class ChildDetailApi(APIView):
    @extend_schema(responses=serializers.ChildSerializer)
    def get(self, request, pk):
        child = access.child_for_user(request.user, pk)
        if child.pk != pk:  # a record merged into another leads to the kept one
            return redirect("api-child-detail", pk=child.pk)
        return Response(serializers.ChildSerializer(child).data)


class CaseNotesApi(APIView):
    @extend_schema(responses=serializers.NoteSerializer(many=True))
    def get(self, request, pk):
        case = access.case_for_user(request.user, pk, purpose="view")
        return Response(serializers.NoteSerializer(case.notes.select_related("author"), many=True).data)

    @extend_schema(request=serializers.NoteSerializer, responses={201: serializers.NoteSerializer})
    def post(self, request, pk):
        case = access.case_for_user(request.user, pk, need=access.Need.EDIT)
        if (earlier := _sent_before(request, Note, "author", {"case_id": case.pk})) is not None:
            return Response(serializers.NoteSerializer(earlier).data, status=status.HTTP_201_CREATED)
        serializer = serializers.NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.note_add(
            actor=request.user,
            case=case,
            text=serializer.validated_data["text"],
            idempotency_key=serializer.validated_data["idempotency_key"],
        )
        return Response(serializers.NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class CaseVisitsApi(APIView):
    """A case file's visits (planned soonest first, then those done); record a visit done."""

    @extend_schema(responses=serializers.VisitSerializer(many=True), operation_id="case_visits")
    def get(self, request, pk):
        case = access.case_for_user(request.user, pk, purpose="view")
        return Response(serializers.VisitSerializer(visit_selectors.visits_of(case), many=True).data)

    @extend_schema(
        request=serializers.VisitRecordInputSerializer,
        responses={201: serializers.VisitSerializer},
        operation_id="case_visit_record",
    )
    def post(self, request, pk):
        case = access.case_for_user(request.user, pk, need=access.Need.EDIT)
        if (earlier := _sent_before(request, Visit, "recorded_by", {"case_id": case.pk})) is not None:
            return Response(serializers.VisitSerializer(earlier).data, status=status.HTTP_201_CREATED)
        serializer = serializers.VisitRecordInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        planned = None
        if data["planned_visit"] is not None:
            planned = visit_selectors.visit_of_case(case, data["planned_visit"])
            if planned is None:
                raise ValidationError({"planned_visit": [_("This planned visit is not one of this case file's.")]})
        named = set(data["visitors"])
        visitors = list(visit_selectors.visit_companions(case).filter(pk__in=named))
        if len(visitors) != len(named):
            raise ValidationError(
                {"visitors": [_("Only the staff of the case file's commune can be named as visitors.")]}
            )
        record = services.VisitRecord(
            kind=data["kind"],
            done_on=data["done_on"],
            child_seen=data["child_seen"],
            observations=data["observations"],
            visitors=visitors,
            other_visitors=data["other_visitors"],
            people_seen=data["people_seen"],
            next_visit_on=data["next_visit_on"],
        )
        visit = services.visit_record(
            actor=request.user, case=case, data=record, planned=planned, idempotency_key=data["idempotency_key"]
        )
        return Response(serializers.VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class CommunityReportCreateApi(APIView):
    """A collaborator's short report from their hamlet (what the commune officer then verifies)."""

    @extend_schema(
        request=serializers.CommunityReportInputSerializer,
        responses={201: serializers.CommunityReportCreatedSerializer},
        operation_id="community_report_submit",
    )
    def post(self, request):
        places = access.collaborator_places(request.user)
        if not places:
            raise PermissionDenied(_("Only a collaborator of a hamlet can send this form."))
        if (earlier := _sent_before(request, CommunityReport, "submitted_by")) is not None:
            return Response(serializers.CommunityReportCreatedSerializer(earlier).data, status=status.HTTP_201_CREATED)
        serializer = serializers.CommunityReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A refusal (not one of their hamlets or communes, several communes and none chosen): 400 (config.api).
        commune, hamlet = access.collaborator_place(request.user, data["hamlet"], data["commune"])
        found, _receipt = services.community_report_submit(
            actor=request.user,
            data=services.CommunityReportInput(
                commune=commune,
                hamlet=hamlet,
                child=data["child"],
                place=data["place"],
                what=data["what"],
                urgency=data["urgency"],
            ),
            idempotency_key=data["idempotency_key"],
        )
        return Response(serializers.CommunityReportCreatedSerializer(found).data, status=status.HTTP_201_CREATED)


class CaseAttachmentsApi(APIView):
    @extend_schema(responses=serializers.AttachmentSerializer(many=True))
    def get(self, request, pk):
        case = access.case_for_user(request.user, pk, purpose="view")
        return Response(serializers.AttachmentSerializer(case.attachments.all(), many=True).data)

    @extend_schema(
        request={"multipart/form-data": serializers.AttachmentInputSerializer},
        responses={201: serializers.AttachmentSerializer},
    )
    def post(self, request, pk):
        case = access.case_for_user(request.user, pk, need=access.Need.EDIT)
        serializer = serializers.AttachmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            actor=request.user,
            case=case,
            upload=serializer.validated_data["file"],
            description=serializer.validated_data["description"],
            idempotency_key=serializer.validated_data["idempotency_key"],
        )
        return Response(serializers.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class CaseAttachmentDownloadApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk, attachment_pk):
        return attachment_response(access.attachment_for_user(request.user, pk, attachment_pk, need_full=True))


class AssignmentInboxApi(generics.ListAPIView):
    """The open assignments of the caller's agencies (the agency inbox)."""

    serializer_class = serializers.AssignmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Assignment.objects.none()
        return selectors.assignments_of_my_agencies(self.request.user)


class AssignmentDetailApi(APIView):
    @extend_schema(responses=serializers.AssignmentSerializer)
    def get(self, request, pk):
        assignment, _level = access.assignment_for_user(request.user, pk)
        return Response(serializers.AssignmentSerializer(assignment).data)


ASSIGNMENT_ACTION_SERIALIZERS = {
    "accept": (serializers.VersionSerializer, "assignment_accept"),
    "decline": (serializers.ReasonInputSerializer, "assignment_decline"),
    "progress": (serializers.ProgressInputSerializer, "assignment_report_progress"),
    "close": (serializers.CloseAssignmentInputSerializer, "assignment_close"),
    "reassign": (serializers.ReassignInputSerializer, "assignment_reassign"),
}


def _assignment_action_view(name: str, input_serializer, service_name: str):
    class AssignmentActionApi(APIView):
        @extend_schema(
            request=input_serializer, responses=serializers.AssignmentSerializer, operation_id=f"assignment_{name}"
        )
        def post(self, request, pk):
            assignment, level = access.assignment_for_user(request.user, pk, purpose=None)
            access.require_assignment_actor(request.user, assignment, level, name)
            serializer = input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            version = data.pop("version", None)
            result = getattr(services, service_name)(
                actor=request.user, assignment=assignment, expected_version=version, **data
            )
            target = result if name == "reassign" else assignment
            target.refresh_from_db()
            return Response(serializers.AssignmentSerializer(target).data)

    AssignmentActionApi.__name__ = f"Assignment{name.title()}Api"
    return AssignmentActionApi.as_view()


ASSIGNMENT_ACTION_VIEWS = {
    name: _assignment_action_view(name, serializer, service)
    for name, (serializer, service) in ASSIGNMENT_ACTION_SERIALIZERS.items()
}


class PassedOnReportListApi(APIView):
    """The reports the caller's hotline (111) passed on, newest first: status and legal limits only."""

    @extend_schema(responses=serializers.PassedOnReportSerializer(many=True), operation_id="hotline_reports")
    def get(self, request):
        statuses = passed_on_statuses(request.user)
        access.record_read("view", "hotline_reports", fields={"reports": [s.report_id for s in statuses]})
        return Response(serializers.PassedOnReportSerializer(statuses, many=True).data)


class PassedOnReportDetailApi(APIView):
    """One report the caller's hotline passed on; 404 for any other report."""

    @extend_schema(responses=serializers.PassedOnReportSerializer, operation_id="hotline_report")
    def get(self, request, pk):
        found = passed_on_statuses(request.user, report_id=pk)
        if not found:
            raise NotFound
        access.record_read("view", "hotline_reports", fields={"reports": [pk]})
        return Response(serializers.PassedOnReportSerializer(found[0]).data)
