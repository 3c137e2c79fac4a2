from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import access
from .indicators import compute
from .periods import PeriodError, parse


class IndicatorsApi(APIView):
    """Every indicator for a unit (official code, or VN) and a period, as JSON: counts, never names."""

    @extend_schema(
        parameters=[OpenApiParameter("unit", str), OpenApiParameter("period", str, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        unit = access.report_unit(request.user, request.query_params.get("unit"))
        try:
            period = parse(request.query_params.get("period", ""))
        except PeriodError as error:
            raise ValidationError({"period": [str(error)]}) from error
        return Response(compute(unit, period))
