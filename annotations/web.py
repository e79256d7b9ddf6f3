"""Server-rendered pages. The annotator's page itself talks to the REST API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotations import selectors
from annotations.models import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    workspaces = list(selectors.workspace_list(user=request.user))
    for workspace in workspaces:
        workspace.role_label = Role(workspace.my_role).label  # type: ignore[attr-defined]
    return render(request, "annotations/home.html", {"workspaces": workspaces})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the orchestrator: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
