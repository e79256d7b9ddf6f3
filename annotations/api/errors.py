"""Turning domain errors into HTTP answers, so that bad input is a 4xx that names the field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotations.errors import Conflict, RateLimited, StaleVersion


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "Send the version you edited, as `version` in the body or an If-Match header, so that "
        "a concurrent change is not overwritten."
    )
    default_code = "precondition_required"


def _existing_ref(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    ref: dict[str, Any] = {"id": obj.pk, "type": obj._meta.model_name}
    if hasattr(obj, "version"):
        ref["version"] = obj.version
    return ref


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = ValidationError(detail=detail)
    if isinstance(exc, Conflict):
        return Response(
            {exc.field: [exc.message], "existing": _existing_ref(exc.existing)},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, RateLimited):
        return Response({"detail": exc.message}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    if isinstance(exc, StaleVersion):
        return Response(
            {"detail": exc.message, "current_version": exc.current_version},
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": f'"{exc.current_version}"'},
        )
    if isinstance(exc, IntegrityError):
        # A constraint caught what the service checks missed (a race): the write was rolled back.
        return Response(
            {
                "non_field_errors": [
                    "This conflicts with data saved at the same moment; reload and retry."
                ]
            },
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
