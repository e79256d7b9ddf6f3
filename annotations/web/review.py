"""Server-rendered review pages: my queues, and a workspace's agreement figures.

Plain HTML forms and tables, no script at all. Access goes through the same selectors as the API
(annotations.queues, annotations.selectors_review): outsiders get a 404, a role too low a 403.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from annotations import policy, queues, selectors, selectors_review
from annotations.charts import RELIABLE, TENTATIVE, agreement_band
from annotations.models import Membership, VerdictLabel
from annotations.web.colours import STATUS_LABELS, claim_colour
from annotations.web.dashboard import band_readings

ITEMS_PER_PAGE = 50
ORDERINGS = [
    ("waiting_since", _("Oldest first")),
    ("-waiting_since", _("Newest first")),
    ("due_at", _("Due soonest (to annotate)")),
]


class QueueForm(forms.Form):
    queue = forms.ChoiceField(
        choices=[(name, queue.label) for name, queue in queues.QUEUES.items()], required=False
    )
    workspace = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    article = forms.IntegerField(required=False, min_value=1, label=_("Article id"))
    ordering = forms.ChoiceField(choices=ORDERINGS, required=False, label=_("Sort"))

    def __init__(self, *args: Any, workspaces: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["workspace"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All my workspaces")), *workspaces]


class AgreementForm(forms.Form):
    article = forms.IntegerField(required=False, min_value=1, label=_("Article id"))
    reviewer = forms.ChoiceField(required=False, label=_("Reviewer"))
    date_from = forms.DateField(
        required=False, label=_("Assessed from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("to (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, members: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Everyone")), *((name, name) for name in members)]


@login_required
@require_GET
def queues_page(request: HttpRequest) -> HttpResponse:
    """My queues in every workspace, with their sizes; one queue's items below, oldest first."""
    overview = queues.queue_counts(user=request.user)
    form = QueueForm(request.GET, workspaces=[(row["workspace"], row["name"]) for row in overview])
    sight = policy.sight_of(request.user)
    rows = [
        {
            "workspace": row["workspace"],
            "name": row["name"],
            "role": row["role"].label,
            "cells": [(name, row["counts"][name]) for name in queues.QUEUES],
            "overdue": row["overdue"],
            # The agreement page's own rule (selectors_review.agreement): no link to a refusal.
            "agreement": policy.agreement_visible(sight, row["workspace"]),
        }
        for row in overview
    ]
    context: dict[str, Any] = {
        "rows": rows,
        "queue_names": [(name, queue.label) for name, queue in queues.QUEUES.items()],
        "form": form,
        "page": None,
    }
    # An empty query string is the default view, not an invalid form.
    if not form.is_valid():
        if request.GET:
            return render(request, "annotations/queues.html", context, status=400)
        data: dict[str, Any] = {}
    else:
        data = form.cleaned_data
    name = data.get("queue") or _first_open_queue(overview)
    if name:
        query = {key: data[key] for key in ("article",) if data.get(key) is not None}
        query["ordering"] = data.get("ordering") or "waiting_since"
        items = queues.queue_items(user=request.user, name=name, workspace_id=data.get("workspace"))
        items = queues.filter_queue(items, name, query, user=request.user)
        page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = _decorated(
            queues.present_items(user=request.user, name=name, items=page), name
        )
        context.update(
            queue=queues.QUEUES[name],
            page=page,
            workspace_id=data.get("workspace"),
            ordering=query["ordering"],
        )
    return render(request, "annotations/queues.html", context)


def _decorated(items: list[Any], queue: str) -> list[Any]:
    """Claims of a queue page with their colour, status words and the address of what to do
    with them: assess in the article, adjudicate, or read the claim's page."""
    if queues.get_queue(queue).subject != "claim":
        return items
    scales: dict[int, list[VerdictLabel]] = {}
    for workspace_id in {item.workspace_id for item in items}:
        scales[workspace_id] = list(
            VerdictLabel.objects.filter(workspace_id=workspace_id).order_by("position")
        )
    for item in items:
        shown = item.shown
        scale = scales[item.workspace_id]
        item.colour = claim_colour(shown.status, shown.final_verdict, scale)
        item.status_label = STATUS_LABELS.get(shown.status, shown.status)
        item.final_verdict_name = next((v.name for v in scale if v.slug == shown.final_verdict), "")
        if queue == "disputed":
            item.action_url = reverse("claim-curate", args=[item.pk])
        elif queue == "to_assess":
            item.action_url = reverse("article", args=[item.article_id]) + f"#claim-{item.pk}"
        else:
            item.action_url = reverse("claim", args=[item.pk])
    return items


def _first_open_queue(overview: list[dict[str, Any]]) -> str | None:
    """The first queue the user can see in some workspace (to annotate for everybody)."""
    for name in queues.QUEUES:
        if any(row["counts"][name] is not None for row in overview):
            return name
    return None


@login_required
@require_GET
def agreement_page(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """The agreement figures of a workspace, with the same filters as the API."""
    workspace = selectors.workspace_get(user=request.user, workspace_id=workspace_id)
    members = list(
        Membership.objects.filter(workspace_id=workspace.pk)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )
    form = AgreementForm(request.GET or None, members=members)
    context: dict[str, Any] = {"workspace": workspace, "form": form, "figures": None}
    if request.GET and not form.is_valid():
        return render(request, "annotations/agreement.html", context, status=400)
    data = form.cleaned_data if request.GET else {}
    try:
        figures = selectors_review.agreement(
            user=request.user,
            workspace_id=workspace.pk,
            article_id=data.get("article"),
            reviewer=data.get("reviewer") or "",
            **_date_bounds(data),
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return render(request, "annotations/agreement.html", context, status=400)
    context["figures"] = figures
    # Each figure with what it means (the dashboard's bands), so that a number is never alone.
    bands = band_readings()
    context["alphas"] = [
        (level, value, agreement_band(value), bands[agreement_band(value)])
        for level, value in figures["krippendorff_alpha"].items()
    ]
    context["thresholds"] = {"reliable": RELIABLE, "tentative": TENTATIVE}
    context["kappa_bands"] = [
        (pair, agreement_band(pair["kappa"]), bands[agreement_band(pair["kappa"])])
        for pair in figures["cohen_kappa"]
    ]
    return render(request, "annotations/agreement.html", context)


def _date_bounds(data: dict[str, Any]) -> dict[str, Any]:
    """The form's dates as the selector's bounds: from the first day's start to the last's end."""
    bounds: dict[str, Any] = {}
    if data.get("date_from"):
        bounds["date_from"] = timezone.make_aware(datetime.combine(data["date_from"], time()))
    if data.get("date_to") and data["date_to"] < date.max:  # the last day has no day after
        day = data["date_to"] + timedelta(days=1)
        bounds["date_to"] = timezone.make_aware(datetime.combine(day, time()))
    return bounds
