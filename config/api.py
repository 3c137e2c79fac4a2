"""API-wide behaviour: service errors become clean HTTP answers, never a 500."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from config.errors import Conflict

from .errors import classify, json_failure

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"non_field_errors": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc), "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    if failure := classify(exc):  # a part down (503), the disk full (507): logged, answered in JSON
        logger.error("API %s: %s", failure.code, exc, exc_info=exc)
        set_rollback()
        return json_failure(failure)
    # Django's PermissionDenied and Http404 are translated by DRF itself (403, 404).
    return drf_exception_handler(exc, context)
