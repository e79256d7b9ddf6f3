"""503, not 500, when a request fails because the database could not answer it.

With the connect and statement timeouts (workbench.settings, workbench.startup) a database that is
down, hung for new connections or too slow makes a view raise OperationalError after a few
seconds instead of hanging. That is an outage, not a bug of the request: the answer says so, with
Retry-After, in JSON under /api/ (as every error there) and as a short page elsewhere (the site's
templates need the database for the signed-in user, so none is rendered).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 10


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # OperationalError: refused, timed out, cancelled by statement_timeout, connection lost;
        # InterfaceError: a connection already closed under the request.
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning(
            "database unavailable for %s %s: %s", request.method, request.path, exception
        )
        detail = _("The database is not answering at the moment. Try again in a moment.")
        response: HttpResponse
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"detail": detail}, status=503)
        else:
            title = _("Service unavailable")
            response = HttpResponse(
                f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
                f"</head><body><h1>{escape(title)}</h1><p>{escape(detail)}</p></body></html>",
                status=503,
            )
        response["Retry-After"] = str(RETRY_AFTER)
        return response
