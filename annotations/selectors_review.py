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

from annotations import selectors
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
    Workspace,
)

User = AuthUser | AnonymousUser

# Events that show another reviewer's verdict: hidden in blind review until I have given mine.
VERDICT_EVENTS = (
    "assessment_created",
    "assessment_updated",
    "disagreement_opened",
    "disagreement_resolved",
)


# --- History ------------------------------------------------------------------------------------


def claim_history(*, user: User, claim: Claim) -> QuerySet[ClaimEvent]:
    """A claim's events, oldest first.

    In a blind workspace a reviewer (or annotator) sees others' verdicts and the disagreements
    between them only once they have assessed the claim, and others' highlights once they have
    submitted the article, as everywhere else; adjudicators and editors see everything.
    """
    events = ClaimEvent.objects.filter(claim_id=claim.pk).select_related("actor")
    events = events.order_by("created_at", "id")
    workspace = Workspace.objects.only("blind_review").get(pk=claim.workspace_id)
    role = require_role(user=user, workspace_id=claim.workspace_id, role=Role.ANNOTATOR)
    if not workspace.blind_review or role >= Role.ADJUDICATOR:
        return events
    uid = user.pk or 0
    assessed = Assessment.objects.filter(claim_id=claim.pk, reviewer_id=uid).exists()
    submitted = Assignment.objects.filter(
        article_id=claim.article_id, user_id=uid, completed_at__isnull=False
    ).exists()
    others = ~Q(actor_id=uid) | Q(actor__isnull=True)
    if not assessed:
        events = events.exclude(Q(kind__in=VERDICT_EVENTS) & others)
    if not submitted:
        events = events.exclude(Q(kind="highlight_added") & others)
    return events


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
    assessments = list(
        Assessment.objects.filter(claim_id=claim.pk)
        .select_related("reviewer", "verdict")
        .order_by("created_at", "id")
    )
    links = list(selectors.claim_source_list(user=user, claim=claim).order_by("created_at", "id"))
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
        highlights=list(claim.highlights.all()),
        disagreements=list(
            Disagreement.objects.filter(claim_id=claim.pk)
            .select_related("resolved_by")
            .order_by("detected_at", "id")
        ),
        adjudications=list(selectors.adjudication_history(claim=claim)),
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
            {"reviewer": [_("No reviewer of this workspace is called %(n)s.") % {"n": username}]}
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

    Members may read the figures; in a blind workspace only adjudicators and editors, since
    figures over a small selection would tell a reviewer how the others voted. Rows are fetched
    as plain tuples (values_list), never as model instances.
    """
    role = require_role(user=user, workspace_id=workspace_id, role=Role.ANNOTATOR)
    blind = Workspace.objects.filter(pk=workspace_id).values_list("blind_review", flat=True)[0]
    if blind and role < Role.ADJUDICATOR:
        raise PermissionDenied(
            _("In a blind workspace the agreement figures are for adjudicators and editors.")
        )
    labels = list(
        VerdictLabel.objects.filter(workspace_id=workspace_id)
        .order_by("position")
        .values_list("slug", "value")
    )
    scale = [ScaleLabel(slug, value) for slug, value in labels]

    assessments = Assessment.objects.filter(claim__workspace_id=workspace_id)
    highlights = Highlight.objects.filter(article__workspace_id=workspace_id, orphaned=False)
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
        list(assessments.values_list("claim_id", "reviewer__username", "verdict__slug")),
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
