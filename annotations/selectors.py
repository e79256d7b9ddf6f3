"""Reads. Every query that returns workspace data goes through here, scoped to the user's
workspaces; a single object is fetched with `_get_checked`, which answers 404 to outsiders and 403
to members whose role is too low (annotations.access). What a member sees of the review work
(blind review) is decided by annotations.policy, which every claim read here asks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations import policy
from annotations.access import check_role, require_role
from annotations.export_rows import claim_reviews
from annotations.extraction.segment import split_sentences
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
    VerdictLabel,
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


def verdict_names(*, workspace_id: int) -> dict[str, str]:
    """The workspace's verdict names by slug, for sentences about verdicts."""
    return dict(VerdictLabel.objects.filter(workspace_id=workspace_id).values_list("slug", "name"))


def membership_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user")


def member_usernames(*, workspace: Workspace, but: AuthUser) -> list[str]:
    """The workspace's other members' usernames, sorted: whom a comment can @mention."""
    return list(
        Membership.objects.filter(workspace=workspace)
        .exclude(user=but)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )


def membership_get(*, user: User, workspace: Workspace, user_id: int) -> Membership:
    membership = membership_list(workspace=workspace).filter(user_id=user_id).first()
    if membership is None:
        raise Http404(_("Not found."))
    return membership


# --- Articles -----------------------------------------------------------------------------------


def count_of(queryset: QuerySet[Any]) -> Coalesce:
    """COUNT(*) of a correlated subquery, 0 when empty: one number per outer row, no GROUP BY."""
    counted = (
        queryset.order_by()
        .annotate(_group=Value(1, output_field=IntegerField()))
        .values("_group")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))


def article_list(*, user: User) -> QuerySet[Article]:
    """Articles of the user's workspaces with their progress counts, as the policy lets this
    reader count them (a blind reviewer counts as assessed only what they may see assessed); the
    text is not loaded."""
    sight = policy.sight_of(user)
    claims = Claim.objects.filter(article_id=OuterRef("pk")).filter(policy.claims_listed(sight))
    shown = claims.filter(policy.status_visible(sight))
    return (
        Article.objects.filter(workspace_id__in=sorted(sight.member))
        .defer("text")
        .annotate(
            claim_count=count_of(claims),
            assessed_count=count_of(shown.exclude(status=Claim.Status.OPEN)),
            disputed_count=count_of(shown.filter(status=Claim.Status.DISPUTED)),
        )
        .order_by("-created_at", "-id")
    )


def article_get(*, user: User, article_id: int, role: Role = Role.ANNOTATOR) -> Article:
    return _get_checked(
        Article.objects.all(), pk=article_id, workspace_path="workspace_id", user=user, role=role
    )


def article_with_claims(*, user: User, article_id: int) -> Article:
    """An article with every claim this reader may see, presented by the policy, in a fixed number
    of queries. `blind` says whether blind review hides others' work from the reader here;
    `claims_hidden_until_submitted`, whether independent highlighting also hides claims."""
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
    sight = policy.sight_of(user)
    check_role(current=sight.roles.get(article.workspace_id), needed=Role.ANNOTATOR)
    sight = sight.only(article.workspace_id)
    claims = claims_seen(sight).filter(article_id=article.pk)
    blind = policy.blind_for_article(sight, article.workspace_id)
    article.others_hidden = blind["blind"]  # type: ignore[attr-defined]
    article.claims_hidden_until_submitted = (  # type: ignore[attr-defined]
        blind["independent"] and article.submitted_at is None
    )
    article.claim_list = present_claim_rows(claims, sight)  # type: ignore[attr-defined]
    return article


def article_revision_list(*, article: Article) -> QuerySet[ArticleRevision]:
    return ArticleRevision.objects.filter(article=article).select_related("created_by")


def article_sentences(*, article: Article) -> list[tuple[int, int]]:
    """The article's sentences as code point ranges, for stepping through the text by sentence."""
    return [(start, end) for start, end in split_sentences(article.text, article.language or "und")]


# --- Claims -------------------------------------------------------------------------------------


def matches_prefetch(sight: policy.Sight) -> Prefetch[str, QuerySet[ClaimMatch], str]:
    """A claim's or candidate's already-checked look-alikes whose verdict the reader may see, with
    their verdicts: one query."""
    return Prefetch(
        "matches",
        queryset=ClaimMatch.objects.filter(policy.matches_visible(sight))
        .select_related(
            "matched_claim__final_verdict", "matched_claim__article", "matched_reference__verdict"
        )
        .defer("matched_claim__prefix", "matched_claim__suffix", "matched_claim__article__text"),
    )


def claims_seen(sight: policy.Sight) -> QuerySet[Claim]:
    """Every claim the reader may know of, annotated for `present_claims`."""
    return policy.annotate_claims(
        Claim.objects.select_related("final_verdict").annotate(
            article_url=F("article__url"),
            assessment_count=count_of(Assessment.objects.filter(claim_id=OuterRef("pk"))),
        ),
        sight,
    ).order_by("article_id", "start", "end", "id")


def _similar_by_claim(ids: list[int], sight: policy.Sight) -> dict[int, list[ClaimMatch]]:
    """The look-alikes of these claims whose verdict the reader may see, by claim: one query."""
    similar: dict[int, list[ClaimMatch]] = defaultdict(list)
    if ids:
        matches = (
            ClaimMatch.objects.filter(claim_id__in=ids)
            .filter(policy.matches_visible(sight))
            .select_related(
                "matched_claim__final_verdict",
                "matched_claim__article",
                "matched_reference__verdict",
            )
            .defer("matched_claim__prefix", "matched_claim__suffix", "matched_claim__article__text")
        )
        for match in matches:
            similar[int(match.claim_id or 0)].append(match)
    return similar


def present_claims(claims: Iterable[Claim], sight: policy.Sight) -> list[Claim]:
    """The claims, each presented for this reader with the highlights and look-alikes the policy
    lets them see: two queries for the whole list (grouped by hand: Django's prefetch clones a
    queryset per row, which costs more than the rest of an article's read)."""
    claims = list(claims)
    ids = [claim.pk for claim in claims]
    highlights: dict[int, list[Highlight]] = defaultdict(list)
    if ids:
        for highlight in policy.visible_highlights(sight).filter(claim_id__in=ids):
            highlights[highlight.claim_id].append(highlight)
    similar = _similar_by_claim(ids, sight)
    return [
        policy.present_claim(
            claim, sight, highlights=highlights[claim.pk], similar=similar[claim.pk]
        )
        for claim in claims
    ]


# What the compact claims of an article's read carry (annotations.api.serializers.compact_claim),
# besides what annotate_claims adds.
CLAIM_ROW_FIELDS = (
    "id",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "orphaned",
    "claimant",
    "normalised_text",
    "tag",
    "status",
    "origin",
    "created_by_id",
    "published_at",
    "review_url",
    "review_published_at",
    "review_modified_at",
    "version",
    "assessment_count",
    "v_verdicts",
    "v_status",
    "v_creator",
    "shown_status",
    "shown_verdict",
)
HIGHLIGHT_ROW_FIELDS = ("id", "claim_id", "user_id", "start", "end", "orphaned", "exact")


def _moments(*names: str) -> dict[str, Any]:
    """Columns of moments for a row of values: in UTC (the default TIME_ZONE), their text as the
    database writes it, which the API turns into ISO 8601 with string operations
    (annotations.api.serializers.iso_moment): two moments a claim, parsed into datetimes, then
    written back out, cost an article of 1,000 claims more than its queries. In another time
    zone, the moments themselves."""
    if timezone.get_current_timezone_name() == "UTC":
        return {f"{name}{MOMENT}": Cast(name, output_field=CharField()) for name in names}
    return {f"{name}{MOMENT}": F(name) for name in names}


MOMENT = "_moment"  # a row's key for a column of _moments (a model's field cannot be annotated)


def present_claim_rows(claims: QuerySet[Claim], sight: policy.Sight) -> list[dict[str, Any]]:
    """`present_claims` for a hot read: each claim a row of values (no model built: on an article
    of 1,000 claims, building them cost more than the queries), with its presentation for this
    reader under `"shown"`, in two queries (three when a claim has look-alikes)."""
    # Whether a claim has look-alikes at all, so that the query that reads them (and checks which
    # the reader may see) runs only for an article that has some.
    any_similar = Exists(ClaimMatch.objects.filter(claim_id=OuterRef("pk")))
    rows = list(
        claims.select_related(None)
        .annotate(any_similar=any_similar)
        .values(*CLAIM_ROW_FIELDS, "any_similar", **_moments("created_at", "updated_at"))
    )
    for row in rows:
        row["created_at"], row["updated_at"] = (
            row.pop("created_at_moment"),
            row.pop("updated_at_moment"),
        )
    ids = [row["id"] for row in rows]
    highlights: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        for highlight in (
            policy.visible_highlights(sight)
            .filter(claim_id__in=ids)
            .values(*HIGHLIGHT_ROW_FIELDS, username=F("user__username"))
        ):
            highlights[highlight["claim_id"]].append(highlight)
    similar = _similar_by_claim([row["id"] for row in rows if row["any_similar"]], sight)
    for row in rows:
        row["shown"] = policy.shown_claim(
            row.get, highlights=highlights[row["id"]], similar=similar[row["id"]]
        )
    return rows


def claims_presented(*, user: User, claims: Iterable[Claim]) -> list[Claim]:
    """Claims read from `claim_list` (a page of them), each presented for this reader."""
    return present_claims(claims, policy.sight_of(user))


def claim_list(*, user: User) -> QuerySet[Claim]:
    """Claims of the user's workspaces as the policy lets them see; present each row read
    (`present_claims`) before showing it. The `shown_status` and `shown_verdict` annotations are
    what the status and verdict filters select by."""
    return claims_seen(policy.sight_of(user))


def claim_get(*, user: User, claim_id: int, role: Role = Role.ANNOTATOR) -> Claim:
    """One claim, presented for this reader; 404 for outsiders and for a claim the policy hides,
    403 for a role too low. Its model fields keep the stored values, for the services."""
    # Membership first, then whether the policy lets this reader know the claim exists, and only
    # then the role: a hidden claim must answer as a missing one (404), never 403.
    workspace_id = Claim.objects.filter(pk=claim_id).values_list("workspace_id", flat=True).first()
    sight = policy.sight_of(user)
    if workspace_id is None or workspace_id not in sight.roles:
        raise Http404(_("Not found."))
    seen = sight.only(workspace_id)
    claim = claims_seen(seen).filter(pk=claim_id).first()
    if claim is None:
        raise Http404(_("Not found."))
    check_role(current=sight.roles[workspace_id], needed=role)
    return present_claims([claim], seen)[0]


def claim_made_shown(*, claim: Claim, highlight: Highlight, sight: policy.Sight) -> Claim:
    """A claim its writer has just made with `highlight` (services.claims.claim_create, with the
    sight it read), presented for them as `claim_get` would, without reading it back
    (policy.present_new_claim)."""
    claim.article_url = claim.article.url  # type: ignore[attr-defined]
    return policy.present_new_claim(claim, sight.only(claim.workspace_id), highlight=highlight)


def claim_for_write(*, user: User, claim_id: int, role: Role = Role.ANNOTATOR) -> Claim:
    """One claim a write is about, not presented (the write answers with what it made): 404 for
    outsiders and for a claim the policy hides, 403 for a role too low, as `claim_get`. One
    query: the claim with what the reader may see in its workspace (a second one only where
    independent highlighting may hide it from them)."""
    claim = Claim.objects.annotate(**policy.sight_columns(user)).filter(pk=claim_id).first()
    if claim is None:
        raise Http404(_("Not found."))
    sight = policy.sight_in_row(user, claim.workspace_id, claim)
    if claim.workspace_id not in sight.roles:
        raise Http404(_("Not found."))
    if not policy.listed_by_membership(sight) and not (
        Claim.objects.filter(pk=claim_id).filter(policy.claims_listed(sight)).exists()
    ):
        raise Http404(_("Not found."))
    check_role(current=sight.roles[claim.workspace_id], needed=role)
    return claim


# --- The public's claims: published, in workspaces with public claim pages ---------------------


def public_claim_get(*, claim_id: int) -> Claim | None:
    return (
        Claim.objects.filter(pk=claim_id)
        .filter(policy.publicly_visible())
        .select_related("workspace", "article", "final_verdict")
        .first()
    )


def public_claims(*, workspace_id: int) -> QuerySet[Claim]:
    """A public workspace's published claims, the latest published first (the feed)."""
    return (
        Claim.objects.filter(workspace_id=workspace_id)
        .filter(policy.publicly_visible())
        .order_by("-published_at", "-pk")
    )


def public_workspace_get(*, workspace_id: int) -> Workspace | None:
    return Workspace.objects.filter(pk=workspace_id, public_claim_pages=True).first()


def claim_review_of(*, claim: Claim) -> dict[str, Any] | None:
    """The ClaimReview a published claim's page carries: the export's own document for it."""
    if claim.status != Claim.Status.PUBLISHED:
        return None
    reviews = claim_reviews(Claim.objects.filter(pk=claim.pk), claim.workspace)
    return reviews[0] if reviews else None


# --- Assessments --------------------------------------------------------------------------------


def assessment_list_for_claim(*, user: User, claim: Claim) -> QuerySet[Assessment]:
    """A claim's assessments as this user may see them (the policy: one's own, and everyone's once
    the claim is unlocked for one)."""
    return (
        Assessment.objects.filter(claim=claim)
        .filter(policy.assessments_visible(policy.sight_of(user)))
        .select_related("reviewer", "verdict")
    )


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
    """A claim's source links as this user may see them (a stance is as telling as a verdict)."""
    return (
        ClaimSource.objects.filter(claim=claim)
        .filter(policy.source_links_visible(policy.sight_of(user)))
        .select_related("source", "added_by")
    )


def claim_source_get(*, user: User, claim: Claim, link_id: int) -> ClaimSource:
    link = claim_source_list(user=user, claim=claim).filter(pk=link_id).first()
    if link is None:
        raise Http404(_("Not found."))
    return link


def adjudication_history(*, user: User, claim: Claim) -> QuerySet[Adjudication]:
    """A claim's adjudications, newest first, for those who may see its verdicts."""
    return (
        Adjudication.objects.filter(claim=claim)
        .filter(policy.adjudications_visible(policy.sight_of(user)))
        .select_related("adjudicator", "verdict")
    )


def candidate_list_for_article(*, user: User, article: Article) -> QuerySet[CandidateClaim]:
    """The article's candidates; who decided one, and the claim it became, only where the policy
    shows them (`shown_decided_by`, `shown_claim`)."""
    sight = policy.sight_of(user)
    return policy.annotate_candidates(
        CandidateClaim.objects.filter(article=article), sight
    ).prefetch_related(matches_prefetch(sight))


def claim_similar_list(*, user: User, claim: Claim) -> QuerySet[ClaimMatch]:
    """Already-checked claims found like this claim (read through claim_get first), best first."""
    return (
        ClaimMatch.objects.filter(claim=claim)
        .filter(policy.matches_visible(policy.sight_of(user)))
        .select_related(
            "matched_claim__final_verdict", "matched_claim__article", "matched_reference__verdict"
        )
    )


def candidate_similar_list(*, user: User, candidate: CandidateClaim) -> QuerySet[ClaimMatch]:
    """Already-checked claims found like this candidate (read through candidate_get first)."""
    return (
        ClaimMatch.objects.filter(candidate=candidate)
        .filter(policy.matches_visible(policy.sight_of(user)))
        .select_related(
            "matched_claim__final_verdict", "matched_claim__article", "matched_reference__verdict"
        )
    )


def candidate_get(*, user: User, candidate_id: int, role: Role = Role.ANNOTATOR) -> CandidateClaim:
    checked = _get_checked(
        CandidateClaim.objects.all(),
        pk=candidate_id,
        workspace_path="article.workspace_id",
        user=user,
        role=role,
    )
    article = Article.objects.defer("text").get(pk=checked.article_id)
    # Read again as the user sees it; a correction of the text may remove a pending candidate
    # between the two reads (a 404 then, as for one that never was).
    found = (
        candidate_list_for_article(user=user, article=article)
        .select_related("article")
        .defer("article__text")
        .filter(pk=candidate_id)
        .first()
    )
    if found is None:
        raise Http404(_("Not found."))
    return found


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
