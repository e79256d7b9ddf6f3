"""Reads for reviewing work: a claim's history, what an adjudicator sees, assignments and the
agreement figures. Access is decided in annotations.access, as for every other read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import starmap
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations import policy, selectors
from annotations.access import require_role
from annotations.agreement import Rating, ScaleLabel, SpanMark, compute_agreement
from annotations.models import (
    Adjudication,
    Assessment,
    Assignment,
    Claim,
    ClaimEvent,
    ClaimSource,
    Disagreement,
    Highlight,
    Role,
    VerdictLabel,
)

User = AuthUser | AnonymousUser

# --- History ------------------------------------------------------------------------------------


def claim_history(*, user: User, claim: Claim) -> list[ClaimEvent]:
    """A claim (read through selectors.claim_get) its events, oldest first, as the blind-review
    policy lets this reader see them."""
    sight = policy.sight_of(user)
    events = (
        ClaimEvent.objects.filter(claim_id=claim.pk)
        .filter(policy.events_visible(sight))
        .select_related("actor")
        .order_by("created_at", "id")
    )
    verdicts = claim.shown.verdicts_visible  # type: ignore[attr-defined]
    return [policy.present_event(event, verdicts=verdicts) for event in events]


# --- Adjudication -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdjudicationContext:
    """Everything an adjudicator weighs, side by side."""

    claim: Claim
    article_title: str
    assessments: list[Assessment]  # each with `.sources`: the links its reviewer added
    sources: list[ClaimSource]
    highlights: list[Highlight]
    disagreements: list[Disagreement]
    adjudications: list[Adjudication]
    scale: list[VerdictLabel]


def adjudication_context(*, user: User, claim_id: int) -> AdjudicationContext:
    claim = selectors.claim_get(user=user, claim_id=claim_id, role=Role.ADJUDICATOR)
    # Adjudicators see everything (annotations.policy): these reads need no filter.
    assessments = list(
        Assessment.objects.filter(claim_id=claim.pk)
        .select_related("reviewer", "verdict")
        .order_by("created_at", "id")
    )
    links = list(selectors.claim_source_list(user=user, claim=claim).order_by("created_at", "id"))
    highlights = list(
        Highlight.objects.filter(claim_id=claim.pk).select_related("user").order_by("created_at")
    )
    for assessment in assessments:
        assessment.sources = [  # type: ignore[attr-defined]
            link for link in links if link.added_by_id == assessment.reviewer_id
        ]
    title = claim.article.title  # one small query; the text is not needed here
    return AdjudicationContext(
        claim=claim,
        article_title=title,
        assessments=assessments,
        sources=links,
        highlights=highlights,
        disagreements=list(
            Disagreement.objects.filter(claim_id=claim.pk)
            .select_related("resolved_by")
            .order_by("detected_at", "id")
        ),
        adjudications=list(selectors.adjudication_history(user=user, claim=claim)),
        scale=list(VerdictLabel.objects.filter(workspace_id=claim.workspace_id)),
    )


# --- Assignments --------------------------------------------------------------------------------


def assignment_list(
    *,
    user: User,
    workspace_id: int,
    overdue: bool | None = None,
    completed: bool | None = None,
    username: str = "",
    article_id: int | None = None,
) -> QuerySet[Assignment]:
    """A workspace's assignments (any member may see who works on what), soonest due first."""
    require_role(user=user, workspace_id=workspace_id, role=Role.ANNOTATOR)
    assignments = (
        Assignment.objects.filter(workspace_id=workspace_id)
        .select_related("user", "assigned_by", "article")
        .defer("article__text")
        .order_by("due_at", "id")
    )
    now = timezone.now()
    late = Q(completed_at__isnull=True, due_at__lt=now)
    if overdue is True:
        assignments = assignments.filter(late)
    elif overdue is False:
        assignments = assignments.exclude(late)
    if completed is not None:
        assignments = assignments.filter(completed_at__isnull=not completed)
    if username:
        assignments = assignments.filter(user__username=username)
    if article_id is not None:
        assignments = assignments.filter(article_id=article_id)
    return assignments


# --- Agreement ----------------------------------------------------------------------------------


def _reviewer_id(workspace_id: int, username: str) -> int:
    found = (
        AuthUser.objects.filter(username=username)
        .filter(
            Q(memberships__workspace_id=workspace_id)
            | Q(
                Exists(
                    Assessment.objects.filter(
                        reviewer_id=OuterRef("pk"), claim__workspace_id=workspace_id
                    )
                )
            )
        )
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise ValidationError(
            {
                "reviewer": [
                    _("No reviewer of this workspace is called %(name)s.") % {"name": username}
                ]
            }
        )
    return int(found)


def agreement(
    *,
    user: User,
    workspace_id: int,
    article_id: int | None = None,
    reviewer: str = "",
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> dict[str, Any]:
    """The workspace's agreement figures (annotations.agreement.compute_agreement), filtered.

    - `article_id`: the assessments of that article's claims, and the highlights on it;
    - `reviewer` (a username): the claims that reviewer assessed, with every reviewer's verdict on
      them, and the articles they highlighted; the pairs (kappa, spans) are those including them;
    - `date_from` (inclusive) / `date_to` (exclusive): when the assessments (and highlights) were
      made.

    Who may read them is the policy's (annotations.policy.agreement_visible): in a blind
    workspace, adjudicators and editors. Each reviewer's initial verdict counts (the one given
    before seeing anyone else's, under blind review); later revisions are in the history. Rows
    are fetched as plain tuples (values_list), never as model instances.
    """
    require_role(user=user, workspace_id=workspace_id, role=Role.ANNOTATOR)
    if not policy.agreement_visible(policy.sight_of(user), workspace_id):
        raise PermissionDenied(
            _("In a blind workspace the agreement figures are for adjudicators and editors.")
        )
    labels = list(
        VerdictLabel.objects.filter(workspace_id=workspace_id)
        .order_by("position")
        .values_list("slug", "value")
    )
    scale = [ScaleLabel(slug, value) for slug, value in labels]

    # Through claims__ the default managers do not apply: withdrawn claims are left out by hand.
    assessments = Assessment.objects.filter(
        claim__workspace_id=workspace_id, claim__withdrawn_at__isnull=True
    )
    highlights = Highlight.objects.filter(
        article__workspace_id=workspace_id, orphaned=False, claim__withdrawn_at__isnull=True
    )
    if article_id is not None:
        assessments = assessments.filter(claim__article_id=article_id)
        highlights = highlights.filter(article_id=article_id)
    if date_from is not None:
        assessments = assessments.filter(created_at__gte=date_from)
        highlights = highlights.filter(created_at__gte=date_from)
    if date_to is not None:
        assessments = assessments.filter(created_at__lt=date_to)
        highlights = highlights.filter(created_at__lt=date_to)
    reviewer_id = _reviewer_id(workspace_id, reviewer) if reviewer else None
    if reviewer_id is not None:
        assessments = assessments.filter(
            claim_id__in=Assessment.objects.filter(reviewer_id=reviewer_id).values("claim_id")
        )
        highlights = highlights.filter(
            article_id__in=Highlight.objects.filter(user_id=reviewer_id).values("article_id")
        )

    # The database joins in the usernames and slugs: each row is then already a Rating's fields,
    # and 100,000 of them go to compute_agreement without a Python object built per row.
    ratings = cast(
        list[Rating],
        list(assessments.values_list("claim_id", "reviewer__username", "initial_verdict__slug")),
    )
    marks = starmap(
        SpanMark, highlights.values_list("article_id", "user__username", "start", "end")
    )
    figures = compute_agreement(ratings, scale=scale, marks=marks)

    if reviewer_id is not None:
        name = reviewer
        figures["cohen_kappa"] = [
            pair
            for pair in figures["cohen_kappa"]
            if name in (pair["reviewer_a"], pair["reviewer_b"])
        ]
        spans = figures["span_agreement"]
        spans["pairs"] = [
            pair for pair in spans["pairs"] if name in (pair["reviewer_a"], pair["reviewer_b"])
        ]
    figures["workspace"] = workspace_id
    figures["filters"] = {
        "article": article_id,
        "reviewer": reviewer or None,
        "from": date_from,
        "to": date_to,
    }
    return figures
