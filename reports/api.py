from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config.replicas import using_replica

from . import access, open_data
from .indicators import compute
from .models import ReportStatus
from .periods import PeriodError, parse


class IndicatorsApi(APIView):
    """Every indicator for a unit (official code, or VN) and a period, as JSON: counts, never names."""

    @extend_schema(
        parameters=[OpenApiParameter("unit", str), OpenApiParameter("period", str, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        user = request.user  # authenticated on the primary: a token just issued may not be on the replica yet
        with using_replica():
            unit = access.report_unit(user, request.query_params.get("unit"))
            try:
                period = parse(request.query_params.get("period", ""))
            except PeriodError as error:
                raise ValidationError({"period": [str(error)]}) from error
            return Response(compute(unit, period))


class ReportFileApi(APIView):
    """A submitted report's frozen PDF or XLSX (token or session), exactly the bytes whose SHA-256 was taken."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk, extension):
        report = access.report_for_user(request.user, pk)
        stored = report.pdf if extension == "pdf" else report.xlsx
        if report.status == ReportStatus.DRAFT or not stored:
            raise Http404
        access.record_download(report)
        response = FileResponse(
            stored.open("rb"),
            as_attachment=True,
            filename=f"bao-cao-{report.unit.code}-{report.period_code}.{extension}",
        )
        response["X-Content-SHA256"] = report.pdf_sha256 if extension == "pdf" else report.xlsx_sha256
        return response


class OpenDataApi(APIView):
    """A submitted (or accepted) report's indicators as open data, JSON or CSV, in the versioned format of
    docs/open-data.md: unit official code, period, indicator codes of Circular 13/2021, breakdowns, figures
    exactly as the report froze them. Whoever may see the report (token or session)."""

    @extend_schema(
        operation_id="report_open_data",
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    def get(self, request, pk, extension):
        report = access.report_for_user(request.user, pk)
        if not open_data.is_published(report):
            raise Http404
        access.record_download(report, fields={"open_data": extension, "schema_version": open_data.SCHEMA_VERSION})
        return open_data.response(report, extension)
