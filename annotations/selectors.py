"""Reads. Every query that returns workspace data goes through here, scoped to the user's
workspaces; a single object is fetched with `_get_checked`, which answers 404 to outsiders and 403
to members whose role is too low (annotations.access)."""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.db.models import Count, Exists, F, Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from annotations.access import member_workspace_ids, require_role
from annotations.models import (
    Adjudication,
    Article,
    ArticleRevision,
    Assessment,
    Assignment,
    CandidateClaim,
    Claim,
    ClaimMatch,
    ClaimSource,
    DatasetRelease,
    ExportJob,
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
    """An article with its claims and their highlights in a fixed number of queries.

    In a blind workspace a reviewer (or annotator) who has not yet submitted the article sees only
    their own highlights, and only the claims they highlighted: what others marked would steer
    their reading. Adjudicators and editors always see everything. `others_hidden` says which.
    """
    mine = Assignment.objects.filter(
        article_id=OuterRef("pk"), user_id=user.pk or 0, completed_at__isnull=False
    )
    article = (
        Article.objects.select_related("workspace")
        .annotate(submitted_at=Subquery(mine.values("completed_at")[:1]))
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise Http404(_("Not found."))
    role = require_role(user=user, workspace_id=article.workspace_id, role=Role.ANNOTATOR)
    hidden = (
        article.workspace.blind_review and role < Role.ADJUDICATOR and article.submitted_at is None
    )
    claims = claim_queryset().filter(article_id=article.pk)
    if hidden:
        own = Highlight.objects.filter(user_id=user.pk or 0)
        claims = (
            claims.filter(
                Q(Exists(own.filter(claim_id=OuterRef("pk"))))
                | ~Q(Exists(Highlight.objects.filter(claim_id=OuterRef("pk"))))
            )
            .prefetch_related(None)
            .prefetch_related(
                Prefetch("highlights", queryset=own.select_related("user")), matches_prefetch()
            )
        )
    article.others_hidden = hidden  # type: ignore[attr-defined]
    article.claim_list = list(claims)  # type: ignore[attr-defined]
    return article


def article_revision_list(*, article: Article) -> QuerySet[ArticleRevision]:
    return ArticleRevision.objects.filter(article=article).select_related("created_by")


# --- Claims -------------------------------------------------------------------------------------


def matches_prefetch() -> Prefetch[str, QuerySet[ClaimMatch], str]:
    """A claim's or candidate's already-checked look-alikes, with their verdicts: one query."""
    return Prefetch(
        "matches",
        queryset=ClaimMatch.objects.select_related("matched_claim__final_verdict").defer(
            "matched_claim__prefix", "matched_claim__suffix"
        ),
    )


def claim_queryset() -> QuerySet[Claim]:
    return (
        Claim.objects.select_related("final_verdict")
        .annotate(
            article_url=F("article__url"),
            assessment_count=Count("assessments", distinct=True),
        )
        .prefetch_related(
            Prefetch("highlights", queryset=Highlight.objects.select_related("user")),
            matches_prefetch(),
        )
        .order_by("article_id", "start", "end", "id")
    )


def _article_open_to(user: User) -> Q:
    """Rows (claims or highlights, both with an `article`) whose article blind review does not
    hide from this user: not a blind workspace, or the user adjudicates there, or has submitted."""
    me = user.pk or 0
    return (
        Q(article__workspace__blind_review=False)
        | Q(
            Exists(
                Membership.objects.filter(
                    workspace_id=OuterRef("article__workspace_id"),
                    user_id=me,
                    role__gte=Role.ADJUDICATOR,
                )
            )
        )
        | Q(
            Exists(
                Assignment.objects.filter(
                    article_id=OuterRef("article_id"), user_id=me, completed_at__isnull=False
                )
            )
        )
    )


def claim_list(*, user: User) -> QuerySet[Claim]:
    """Claims of the user's workspaces. Under blind review, before the user has submitted an
    article, its claims are listed only when the user highlighted them too (or nobody did), and
    with the user's own highlight only: the same view as the article page."""
    me = user.pk or 0
    open_article = _article_open_to(user)
    own = Highlight.objects.filter(claim_id=OuterRef("pk"), user_id=me)
    anyone = Highlight.objects.filter(claim_id=OuterRef("pk"))
    return (
        claim_queryset()
        .filter(workspace_id__in=member_workspace_ids(user=user))
        .filter(open_article | Q(Exists(own)) | ~Q(Exists(anyone)))
        .prefetch_related(None)
        .prefetch_related(
            Prefetch(
                "highlights",
                queryset=Highlight.objects.filter(Q(user_id=me) | open_article).select_related(
                    "user"
                ),
            ),
            matches_prefetch(),
        )
    )


def claim_get(*, user: User, claim_id: int, role: Role = Role.ANNOTATOR) -> Claim:
    claim = _get_checked(
        claim_queryset(), pk=claim_id, workspace_path="workspace_id", user=user, role=role
    )
    if _others_hidden(user=user, article_id=claim.article_id, workspace_id=claim.workspace_id):
        # Blind review, not yet submitted: a claim only others highlighted does not exist for this
        # user (as in the lists); one they highlighted too shows only their own highlight.
        highlighters = {h.user_id for h in claim.highlights.all()}
        if highlighters and (user.pk or 0) not in highlighters:
            raise Http404(_("Not found."))
        claim = (
            claim_queryset()
            .prefetch_related(None)
            .prefetch_related(
                Prefetch(
                    "highlights",
                    queryset=Highlight.objects.filter(user_id=user.pk or 0).select_related("user"),
                )
            )
            .get(pk=claim.pk)
        )
    return claim


def _others_hidden(*, user: User, article_id: int, workspace_id: int) -> bool:
    """Whether blind review hides others' highlights on this article from this user."""
    if not Workspace.objects.filter(pk=workspace_id, blind_review=True).exists():
        return False
    role = require_role(user=user, workspace_id=workspace_id, role=Role.ANNOTATOR)
    if role >= Role.ADJUDICATOR:
        return False
    return not Assignment.objects.filter(
        article_id=article_id, user_id=user.pk or 0, completed_at__isnull=False
    ).exists()


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


def claim_source_list(*, user: User, claim: Claim) -> QuerySet[ClaimSource]:
    """A claim's sources as this user may see them: under blind review a stance is as telling as
    a verdict, so others' links stay hidden by the same rule as their assessments."""
    links = ClaimSource.objects.filter(claim=claim).select_related("source", "added_by")
    if not Workspace.objects.filter(pk=claim.workspace_id, blind_review=True).exists():
        return links
    role = require_role(user=user, workspace_id=claim.workspace_id, role=Role.ANNOTATOR)
    if role >= Role.ADJUDICATOR:
        return links
    has_own = Assessment.objects.filter(claim=claim, reviewer_id=user.pk or 0)
    return links.filter(Q(added_by_id=user.pk or 0) | Q(Exists(has_own)))


def adjudication_history(*, claim: Claim) -> QuerySet[Adjudication]:
    return Adjudication.objects.filter(claim=claim).select_related("adjudicator", "verdict")


def candidate_list_for_article(*, article: Article) -> QuerySet[CandidateClaim]:
    return (
        CandidateClaim.objects.filter(article=article)
        .select_related("decided_by")
        .prefetch_related(matches_prefetch())
    )


def claim_similar_list(*, claim: Claim) -> QuerySet[ClaimMatch]:
    """Already-checked claims found like this claim (read through claim_get first), best first."""
    return ClaimMatch.objects.filter(claim=claim).select_related("matched_claim__final_verdict")


def candidate_similar_list(*, candidate: CandidateClaim) -> QuerySet[ClaimMatch]:
    """Already-checked claims found like this candidate (read through candidate_get first)."""
    return ClaimMatch.objects.filter(candidate=candidate).select_related(
        "matched_claim__final_verdict"
    )


def candidate_get(*, user: User, candidate_id: int, role: Role = Role.ANNOTATOR) -> CandidateClaim:
    return _get_checked(
        CandidateClaim.objects.select_related("article", "decided_by")
        .defer("article__text")
        .prefetch_related(matches_prefetch()),
        pk=candidate_id,
        workspace_path="article.workspace_id",
        user=user,
        role=role,
    )


# --- Export jobs and dataset releases (editors only) --------------------------------------------


def export_job_list(*, user: User, workspace_id: int) -> QuerySet[ExportJob]:
    require_role(user=user, workspace_id=workspace_id, role=Role.EDITOR)
    return ExportJob.objects.filter(workspace_id=workspace_id).select_related("requested_by")


def export_job_get(*, user: User, job_id: int) -> ExportJob:
    return _get_checked(
        ExportJob.objects.select_related("requested_by", "workspace"),
        pk=job_id,
        workspace_path="workspace_id",
        user=user,
        role=Role.EDITOR,
    )


def release_list(*, user: User, workspace_id: int) -> QuerySet[DatasetRelease]:
    require_role(user=user, workspace_id=workspace_id, role=Role.EDITOR)
    # The claim ids can run to millions: only the freeze and the admin read them.
    return (
        DatasetRelease.objects.filter(workspace_id=workspace_id)
        .defer("claim_ids")
        .select_related("created_by")
        .prefetch_related("files")
    )


def release_get(*, user: User, release_id: int) -> DatasetRelease:
    return _get_checked(
        DatasetRelease.objects.defer("claim_ids")
        .select_related("created_by")
        .prefetch_related("files"),
        pk=release_id,
        workspace_path="workspace_id",
        user=user,
        role=Role.EDITOR,
    )
