"""Reads. Every query that returns workspace data goes through here, scoped to the user's
workspaces; a single object is fetched with `_get_checked`, which answers 404 to outsiders and 403
to members whose role is too low (annotations.access)."""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.db.models import Count, Exists, F, Model, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from annotations.access import member_workspace_ids, require_role
from annotations.models import (
    Adjudication,
    Article,
    Assessment,
    CandidateClaim,
    Claim,
    ClaimSource,
    Highlight,
    Membership,
    Role,
    Workspace,
)

User = AuthUser | AnonymousUser
M = TypeVar("M", bound=Model)


def _get_checked(
    queryset: QuerySet[M], *, pk: int, workspace_path: str, user: User, role: Role
) -> M:
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404(_("Not found."))
    workspace_id = obj
    for part in workspace_path.split("."):
        workspace_id = getattr(workspace_id, part)
    require_role(user=user, workspace_id=int(workspace_id), role=role)  # type: ignore[call-overload]
    return obj


# --- Workspaces ---------------------------------------------------------------------------------


def workspace_list(*, user: User) -> QuerySet[Workspace]:
    return (
        Workspace.objects.filter(memberships__user_id=user.pk or 0)
        .annotate(my_role=F("memberships__role"))
        .prefetch_related("verdicts")
    )


def workspace_get(*, user: User, workspace_id: int, role: Role = Role.ANNOTATOR) -> Workspace:
    # Membership first: a workspace that does not exist and one the user is not in look the same.
    my_role = require_role(user=user, workspace_id=workspace_id, role=role)
    workspace = Workspace.objects.prefetch_related("verdicts").get(pk=workspace_id)
    workspace.my_role = my_role  # type: ignore[attr-defined]
    return workspace


def membership_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user")


def membership_get(*, user: User, workspace: Workspace, user_id: int) -> Membership:
    membership = membership_list(workspace=workspace).filter(user_id=user_id).first()
    if membership is None:
        raise Http404(_("Not found."))
    return membership


# --- Articles -----------------------------------------------------------------------------------


def article_list(*, user: User) -> QuerySet[Article]:
    """Articles of the user's workspaces with their progress counts; the text is not loaded."""
    return (
        Article.objects.filter(workspace_id__in=member_workspace_ids(user=user))
        .defer("text")
        .annotate(
            claim_count=Count("claims", distinct=True),
            assessed_count=Count(
                "claims", filter=~Q(claims__status=Claim.Status.OPEN), distinct=True
            ),
            disputed_count=Count(
                "claims", filter=Q(claims__status=Claim.Status.DISPUTED), distinct=True
            ),
        )
        # Meta.ordering is not applied to aggregating queries: say it again for stable pages.
        .order_by("-created_at", "-id")
    )


def article_get(*, user: User, article_id: int, role: Role = Role.ANNOTATOR) -> Article:
    return _get_checked(
        Article.objects.all(), pk=article_id, workspace_path="workspace_id", user=user, role=role
    )


def article_with_claims(*, user: User, article_id: int) -> Article:
    """An article with its claims and their highlights in a fixed number of queries."""
    article = article_get(user=user, article_id=article_id)
    claims = claim_queryset().filter(article_id=article.pk)
    article.claim_list = list(claims)  # type: ignore[attr-defined]
    return article


# --- Claims -------------------------------------------------------------------------------------


def claim_queryset() -> QuerySet[Claim]:
    return (
        Claim.objects.select_related("final_verdict")
        .annotate(
            article_url=F("article__url"),
            assessment_count=Count("assessments", distinct=True),
        )
        .prefetch_related(
            Prefetch("highlights", queryset=Highlight.objects.select_related("user")),
        )
        .order_by("article_id", "start", "end", "id")
    )


def claim_list(*, user: User) -> QuerySet[Claim]:
    return claim_queryset().filter(workspace_id__in=member_workspace_ids(user=user))


def claim_get(*, user: User, claim_id: int, role: Role = Role.ANNOTATOR) -> Claim:
    return _get_checked(
        claim_queryset(), pk=claim_id, workspace_path="workspace_id", user=user, role=role
    )


# --- Assessments --------------------------------------------------------------------------------


def assessment_list_for_claim(*, user: User, claim: Claim) -> QuerySet[Assessment]:
    """A claim's assessments as this user may see them.

    In a blind workspace a reviewer sees only their own until they have assessed the claim;
    adjudicators and editors always see all (they settle disagreements).
    """
    assessments = Assessment.objects.filter(claim=claim).select_related("reviewer", "verdict")
    workspace = Workspace.objects.only("blind_review").get(pk=claim.workspace_id)
    if not workspace.blind_review:
        return assessments
    role = require_role(user=user, workspace_id=claim.workspace_id, role=Role.ANNOTATOR)
    if role >= Role.ADJUDICATOR:
        return assessments
    has_own = Assessment.objects.filter(claim=claim, reviewer_id=user.pk)
    return assessments.filter(Q(reviewer_id=user.pk) | Q(Exists(has_own)))


def assessment_get(*, user: User, assessment_id: int) -> Assessment:
    assessment = _get_checked(
        Assessment.objects.select_related("reviewer", "verdict", "claim"),
        pk=assessment_id,
        workspace_path="claim.workspace_id",
        user=user,
        role=Role.ANNOTATOR,
    )
    if (
        not assessment_list_for_claim(user=user, claim=assessment.claim)
        .filter(pk=assessment.pk)
        .exists()
    ):
        raise Http404(_("Not found."))
    return assessment


# --- Sources, adjudications, candidates ---------------------------------------------------------


def claim_source_list(*, claim: Claim) -> QuerySet[ClaimSource]:
    return ClaimSource.objects.filter(claim=claim).select_related("source", "added_by")


def adjudication_history(*, claim: Claim) -> QuerySet[Adjudication]:
    return Adjudication.objects.filter(claim=claim).select_related("adjudicator", "verdict")


def candidate_list_for_article(*, article: Article) -> QuerySet[CandidateClaim]:
    return CandidateClaim.objects.filter(article=article).select_related("decided_by")


def candidate_get(*, user: User, candidate_id: int, role: Role = Role.ANNOTATOR) -> CandidateClaim:
    return _get_checked(
        CandidateClaim.objects.select_related("article").defer("article__text"),
        pk=candidate_id,
        workspace_path="article.workspace_id",
        user=user,
        role=role,
    )
