"""One error shape for every API: ``{"errors": [{"code", "field", "message"}]}``.

``field`` is the path to the offending input (``items.3.hs_code``) or ``null`` for a
request-level error; ``message`` is in the caller's language (Accept-Language).
Unexpected exceptions are not turned into 400s: they stay 500s and are logged, because
they are our bugs, not the user's.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ventanilla.core.errors import BusinessError


def flatten(detail: Any, path: str | None = None) -> list[dict[str, Any]]:
    """Walk DRF's nested ``detail`` (dicts of lists of ErrorDetail) into flat rows."""
    rows: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            child = None if key in ("non_field_errors", "__all__") else str(key)
            joined = ".".join(p for p in (path, child) if p) or None
            rows.extend(flatten(value, joined))
    elif isinstance(detail, list):
        nested = any(isinstance(v, dict | list) for v in detail)
        for index, value in enumerate(detail):
            if nested and isinstance(value, dict | list):
                rows.extend(flatten(value, f"{path}.{index}" if path else str(index)))
            elif value:
                rows.extend(flatten(value, path))
    else:
        code = getattr(detail, "code", None) or "invalid"
        rows.append({"code": str(code), "field": path, "message": str(detail)})
    return rows


def error_response(rows: list[dict[str, Any]], http_status: int) -> Response:
    return Response({"errors": rows}, status=http_status)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, BusinessError):
        return error_response(exc.as_rows(), exc.http_status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        rows = flatten(exc.detail)
    else:
        detail = getattr(exc, "detail", _("Error"))
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        rows = [{"code": str(code), "field": None, "message": str(detail)}]
    response.data = {"errors": rows}
    if response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        response.data["errors"][0]["code"] = "method_not_allowed"
    return response
