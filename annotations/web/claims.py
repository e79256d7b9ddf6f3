"""A claim's own pages: `/claims/{id}/`, the address exports, queues and notifications link to,
and `/claims/{id}/curate/`, where an adjudicator settles a dispute.

Both read through the selectors, so what a member sees follows annotations.policy exactly as in
the API: a blind reviewer sees the claim but not the others' work on it before their own verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotations import queues, selectors, selectors_review
from annotations.events import describe_event
from annotations.models import Article, Claim, Role, VerdictLabel
from annotations.web.colours import STATUS_LABELS, claim_colour, verdict_colour


@dataclass(frozen=True, slots=True)
class Passage:
    """The claim in its paragraph: the text before it, the claim, the text after it."""

    before: str
    claim: str
    after: str


def claim_passage(text: str, start: int | None, end: int | None) -> Passage | None:
    """The lines of `text` holding [start, end), cut around the claim; None for an orphan."""
    if start is None or end is None or end > len(text):
        return None
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    return Passage(text[line_start:start], text[start:end], text[end:line_end])


def _scale(workspace_id: int) -> list[VerdictLabel]:
    return list(VerdictLabel.objects.filter(workspace_id=workspace_id).order_by("position"))


@login_required
@require_GET
def claim_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    """The claim in its paragraph, its status, verdicts, sources, adjudication, similar claims
    and history, as the reader may see them."""
    claim = selectors.claim_get(user=request.user, claim_id=claim_id)
    shown = claim.shown  # type: ignore[attr-defined]
    workspace = selectors.workspace_get(user=request.user, workspace_id=claim.workspace_id)
    role = Role(workspace.my_role)  # type: ignore[attr-defined]
    article = Article.objects.only("title", "text", "language", "url", "workspace_id").get(
        pk=claim.article_id
    )
    scale = _scale(claim.workspace_id)
    names = {label.slug: label.name for label in scale}
    assessments = list(
        selectors.assessment_list_for_claim(user=request.user, claim=claim).order_by(
            "created_at", "id"
        )
    )
    for assessment in assessments:
        assessment.colour = verdict_colour(assessment.verdict.slug, scale)  # type: ignore[attr-defined]
    history = [
        (event, describe_event(event, verdicts=names))
        for event in selectors_review.claim_history(user=request.user, claim=claim)
    ]
    adjudications = list(selectors.adjudication_history(user=request.user, claim=claim))
    mine = next((a for a in assessments if a.reviewer_id == request.user.pk), None)
    context: dict[str, Any] = {
        "claim": claim,
        "shown": shown,
        "workspace": workspace,
        "article": article,
        "passage": claim_passage(article.text, shown.start, shown.end),
        "status_label": STATUS_LABELS.get(shown.status, shown.status),
        "colour": claim_colour(shown.status, shown.final_verdict, scale),
        "final_verdict": names.get(shown.final_verdict or "", ""),
        "assessments": assessments,
        "sources": list(
            selectors.claim_source_list(user=request.user, claim=claim).order_by("created_at")
        ),
        "adjudication": adjudications[0] if adjudications else None,
        "similar": shown.similar,
        "history": history,
        # The policy withholds the others' work on this claim from this reader (blind review).
        "blind": not shown.verdicts_visible,
        "mine": mine,
        "can_assess": role >= Role.REVIEWER,
        "can_adjudicate": role >= Role.ADJUDICATOR,
        "names": names,
    }
    return render(request, "annotations/claim.html", context)


def next_disputed(*, user: Any, claim: Claim) -> int | None:
    """The oldest other claim waiting in the user's disputed queue of this workspace."""
    items = queues.queue_items(user=user, name="disputed", workspace_id=claim.workspace_id)
    after = queues.filter_queue(items.exclude(pk=claim.pk), "disputed", {}, user=user)
    found = after.values_list("pk", flat=True).first()
    return int(found) if found is not None else None


@login_required
@require_GET
def curation_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    """The adjudicator's view of a claim: every reviewer's extent on the text side by side, their
    verdicts, rationales and sources; pick an extent (or select one), set the final verdict."""
    claim = selectors.claim_get(user=request.user, claim_id=claim_id, role=Role.ADJUDICATOR)
    workspace = selectors.workspace_get(user=request.user, workspace_id=claim.workspace_id)
    scale = _scale(claim.workspace_id)
    config = {
        "claim": claim.pk,
        "article": claim.article_id,
        "workspace": claim.workspace_id,
        "api": "/api/v1/",
        "user": {"id": request.user.pk, "username": request.user.get_username()},
        "next": next_disputed(user=request.user, claim=claim),
        "verdicts": [
            {"slug": v.slug, "name": v.name, "value": v.value, "position": v.position}
            for v in scale
        ],
    }
    return render(
        request,
        "annotations/curate.html",
        {"claim": claim, "workspace": workspace, "config": config},
    )
