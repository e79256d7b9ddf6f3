"""Django's error views (workbench/urls.py's handler400, 403, 404 and 500), in JSON under /api/.

DRF answers its own errors in JSON, but some never reach it: a URL that no route matches (a 404
from the resolver), a body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django raises RequestDataTooBig while
DRF parses, and hands it back to Django as a 400), and an exception DRF does not know (a 500).
Django's default views answer those in HTML, which an API client cannot read. Elsewhere the
pages keep Django's views and the workbench's own 403.html and 404.html templates.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"
JSON = "application/json"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return JsonResponse(
            {
                "detail": _(
                    "The request body is larger than this server accepts "
                    "(at most %(limit)d bytes, files aside)."
                )
                % {"limit": limit}
            },
            status=413,
        )
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        detail = _("The request has more fields or files than this server accepts.")
    else:
        detail = _("The request could not be understood (a malformed header, host or body).")
    return JsonResponse({"detail": detail}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.permission_denied(request, exception)
    return JsonResponse(
        {"detail": _("You do not have permission to perform this action.")}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    # The same body as DRF's own 404s (an unknown object), so that clients handle one shape.
    return JsonResponse({"detail": _("Not found.")}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if not _is_api(request):
        return defaults.server_error(request)
    return JsonResponse(
        {"detail": _("A server error occurred; it has been logged. Try again later.")},
        status=500,
    )


def json_errors(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Wrap a view under /api/ whose errors come out in another format (the schema view answers
    a 405 in YAML, the Swagger page in HTML) so that they come out in JSON like the others."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code < 400 or response.get("Content-Type", "").startswith(JSON):
            return response
        data = getattr(response, "data", None)
        detail = data.get("detail") if isinstance(data, dict) else None
        if not isinstance(detail, str):
            detail = HTTPStatus(response.status_code).phrase
        answer = JsonResponse({"detail": detail}, status=response.status_code)
        for header in ("Allow", "WWW-Authenticate", "Retry-After"):
            if header in response:
                answer[header] = response[header]
        return answer

    return wrapped
