"""REST API views: parse with an input serializer, call a selector or a service, answer with an
output serializer. Access is decided in annotations.access through the selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from annotations import selectors
from annotations.access import require_role
from annotations.api import serializers as s
from annotations.api.conditional import ConditionalReads, version_in_tag, versioned
from annotations.api.errors import PreconditionRequired
from annotations.api.filters import ArticleFilter, CandidateFilter, ClaimFilter
from annotations.api.parsers import JSONParser
from annotations.api.schema import RATE_LIMITED
from annotations.api.throttling import FailOpenScopedRateThrottle
from annotations.models import Article, Assessment, CandidateClaim, Claim, Role, Workspace
from annotations.services import (
    adjudications,
    articles,
    assessments,
    assignments,
    candidates,
    claims,
    publishing,
    revisions,
    sources,
    withdrawals,
    workspaces,
)

# Ids in URLs: digits that fit a bigint, so "abc" or a 30-digit number is a 404, not a 500.
ID_PATTERN = r"[0-9]{1,18}"


def me(request: Request) -> User:
    """The signed-in user (every view requires authentication by default)."""
    user = request.user
    assert isinstance(user, User), "views require an authenticated user"
    return user


def _valid(serializer_class: type[BaseSerializer[Any]], data: Any, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _expected_version(request: Request, data: dict[str, Any]) -> int:
    """The version a client edited: the body's `version`, or an If-Match header."""
    if "version" in data:
        return int(data.pop("version"))
    version = version_in_tag(request.headers.get("If-Match", ""))
    if version is None:
        raise PreconditionRequired()
    return version


def _optional_version(request: Request, data: dict[str, Any]) -> int | None:
    """_expected_version where sending none is allowed (the write is then unconditional)."""
    if "version" not in data and not request.headers.get("If-Match", "").strip():
        return None
    return _expected_version(request, data)


def _creation_status(creation: claims.ClaimCreation, claim: Claim) -> int:
    """201 for a new claim; 200 when the highlight joined an existing one, said only to a reader
    who may see the others' work on it (under blind review, 201 either way)."""
    joined_visibly = not creation.created and claim.shown.verdicts_visible  # type: ignore[attr-defined]
    return status.HTTP_200_OK if joined_visibly else status.HTTP_201_CREATED


class TokenView(ObtainAuthToken):
    """POST username and password, get {"token": ...} for `Authorization: Token ...`."""

    # Off while the cache (Redis) is unreachable: signing in must not need it.
    throttle_classes = (FailOpenScopedRateThrottle,)
    throttle_scope = "token"
    # ObtainAuthToken names its own parsers (form, multipart, JSON): JSON alone, as everywhere.
    parser_classes = (JSONParser,)
    # Signing in needs no credentials but the ones posted: the schema then says so (a generated
    # client calls it without a token), and a browser's session plays no part in it.
    authentication_classes = ()
    permission_classes = (AllowAny,)


# --- Workspaces ---------------------------------------------------------------------------------


class WorkspaceViewSet(viewsets.GenericViewSet[Any]):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.WorkspaceSerializer
    filterset_fields = ("blind_review",)
    ordering_fields = ("name", "created_at")

    def get_queryset(self) -> QuerySet[Workspace]:
        return selectors.workspace_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.WorkspaceSerializer(page, many=True).data)

    @extend_schema(request=s.WorkspaceInputSerializer, responses={201: s.WorkspaceSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(s.WorkspaceInputSerializer, request.data)
        scale = [workspaces.VerdictSpec(**v) for v in data.pop("verdicts", [])] or None
        workspace = workspaces.workspace_create(user=me(request), scale=scale, **data)
        workspace = selectors.workspace_list(user=me(request)).get(pk=workspace.pk)
        return Response(s.WorkspaceSerializer(workspace).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        workspace = selectors.workspace_get(user=me(request), workspace_id=int(pk))
        return Response(s.WorkspaceSerializer(workspace).data)

    @extend_schema(request=s.WorkspaceInputSerializer, responses=s.WorkspaceSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        # Access before validation: a reviewer's malformed edit is a 403, not a 400.
        workspace = selectors.workspace_get(
            user=me(request), workspace_id=int(pk), role=Role.EDITOR
        )
        data = _valid(s.WorkspaceInputSerializer, request.data, partial=True)
        if "verdicts" in data:
            raise ValidationError(
                {"verdicts": ["The verdict scale is set when the workspace is created."]}
            )
        workspaces.workspace_update(user=me(request), workspace=workspace, **data)
        return self.retrieve(request, pk)

    # One schema per method: GET lists (a page), POST adds one (no paging parameters).
    @extend_schema(methods=["GET"], responses=s.MembershipSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=s.MemberAddSerializer,
        responses={201: s.MembershipSerializer, 429: RATE_LIMITED},
    )
    @action(detail=True, methods=["get", "post"], serializer_class=s.MembershipSerializer)
    def members(self, request: Request, pk: str) -> Response:
        # The role first, then the body: a member's malformed request is a 403, not a 400.
        role = Role.EDITOR if request.method == "POST" else Role.ANNOTATOR
        workspace = selectors.workspace_get(user=me(request), workspace_id=int(pk), role=role)
        if request.method == "POST":
            data = _valid(s.MemberAddSerializer, request.data)
            membership = workspaces.member_add(actor=me(request), workspace=workspace, **data)
            return Response(s.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.membership_list(workspace=workspace))
        return self.get_paginated_response(s.MembershipSerializer(page, many=True).data)

    @extend_schema(request=s.MemberRoleSerializer, responses=s.MembershipSerializer)
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"members/(?P<user_id>\d+)",
        serializer_class=s.MembershipSerializer,
    )
    def member(self, request: Request, pk: str, user_id: str) -> Response:
        workspace = selectors.workspace_get(
            user=me(request), workspace_id=int(pk), role=Role.EDITOR
        )
        membership = selectors.membership_get(
            user=me(request), workspace=workspace, user_id=int(user_id)
        )
        if request.method == "DELETE":
            workspaces.member_remove(actor=me(request), membership=membership)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = _valid(s.MemberRoleSerializer, request.data)
        membership = workspaces.member_change_role(actor=me(request), membership=membership, **data)
        return Response(s.MembershipSerializer(membership).data)


# --- Articles -----------------------------------------------------------------------------------


class ArticleViewSet(ConditionalReads, viewsets.GenericViewSet[Any]):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.ArticleSerializer
    filterset_class = ArticleFilter
    ordering_fields = ("created_at", "published_at", "title")

    def get_queryset(self) -> QuerySet[Article]:
        return selectors.article_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.ArticleSerializer(page, many=True).data)

    @extend_schema(
        request=s.ArticleCreateSerializer,
        responses={201: s.ArticleSerializer, 200: s.ArticleSerializer},
        description="201: a new article. 200: the text completed the article at the same `url` "
        "whose fetch had failed. 409: this URL, or the same text, is already in the workspace "
        "(`existing` names the article; send `allow_duplicate` to import the text anyway).",
    )
    def create(self, request: Request) -> Response:
        data = _valid(s.ArticleCreateSerializer, request.data)
        workspace = selectors.workspace_get(user=me(request), workspace_id=data.pop("workspace"))
        done = articles.article_import(user=me(request), workspace=workspace, **data)
        return Response(
            s.ArticleSerializer(done.article).data,
            status=status.HTTP_201_CREATED if done.created else status.HTTP_200_OK,
        )

    @extend_schema(responses=s.ArticleDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        article = selectors.article_with_claims(user=me(request), article_id=int(pk))
        return versioned(Response(s.ArticleDetailSerializer(article).data), article.version)

    @extend_schema(request=s.ArticleUpdateSerializer, responses=s.ArticleSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        article = selectors.article_get(user=me(request), article_id=int(pk), role=Role.EDITOR)
        data = _valid(s.ArticleUpdateSerializer, request.data, partial=True)
        version = _optional_version(request, data)
        article = articles.article_update(
            user=me(request), article=article, version=version, **data
        )
        return versioned(Response(s.ArticleSerializer(article).data), article.version)

    def destroy(self, request: Request, pk: str) -> Response:
        article = selectors.article_get(user=me(request), article_id=int(pk))
        articles.article_delete(user=me(request), article=article)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[OpenApiParameter("status", str), OpenApiParameter("min_score", float)],
        responses=s.CandidateSerializer(many=True),
    )
    @action(
        detail=True, methods=["get"], serializer_class=s.CandidateSerializer, filterset_class=None
    )
    def candidates(self, request: Request, pk: str) -> Response:
        article = selectors.article_get(user=me(request), article_id=int(pk))
        queryset = CandidateFilter(
            request.query_params,
            selectors.candidate_list_for_article(user=me(request), article=article),
        )
        if not queryset.is_valid():
            raise ValidationError(queryset.errors)
        page = self.paginate_queryset(queryset.qs)
        return self.get_paginated_response(s.CandidateSerializer(page, many=True).data)

    @extend_schema(request=None, responses=s.ArticleSerializer)
    @action(
        detail=True, methods=["post"], serializer_class=s.ArticleSerializer, filterset_class=None
    )
    def fetch(self, request: Request, pk: str) -> Response:
        """Try again to fetch an article whose fetch from its URL failed."""
        article = selectors.article_get(user=me(request), article_id=int(pk))
        article = articles.article_refetch(user=me(request), article=article)
        return Response(s.ArticleSerializer(article).data)

    @extend_schema(responses=s.SentenceSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        serializer_class=s.SentenceSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def sentences(self, request: Request, pk: str) -> Response:
        """The article's sentences as code point ranges (for making claims with the keyboard)."""
        article = selectors.article_get(user=me(request), article_id=int(pk))
        spans = selectors.article_sentences(article=article)
        return Response(
            s.SentenceSerializer([{"start": a, "end": b} for a, b in spans], many=True).data
        )

    @extend_schema(request=None, responses=s.SubmissionSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.SubmissionSerializer)
    def submit(self, request: Request, pk: str) -> Response:
        """I have done my work on this article (in blind review: now show me the others')."""
        article = selectors.article_get(user=me(request), article_id=int(pk))
        assignment = assignments.article_submit(user=me(request), article=article)
        return Response(s.SubmissionSerializer(assignment).data)

    @extend_schema(
        methods=["GET"],
        responses=s.ArticleRevisionSerializer(many=True),
        description="The texts this article had before each correction, newest first.",
    )
    @extend_schema(
        methods=["POST"],
        request=s.ArticleReviseSerializer,
        responses={201: s.RevisionOutcomeSerializer},
        description="Editors: replace the text; every claim and highlight is re-anchored, what "
        "cannot be placed is kept as an orphan.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=s.ArticleRevisionSerializer,
        filterset_class=None,
    )
    def revisions(self, request: Request, pk: str) -> Response:
        role = Role.EDITOR if request.method == "POST" else Role.ANNOTATOR
        article = selectors.article_get(user=me(request), article_id=int(pk), role=role)
        if request.method == "POST":
            data = _valid(s.ArticleReviseSerializer, request.data)
            version = _expected_version(request, data)
            outcome = revisions.article_revise(
                user=me(request), article=article, version=version, **data
            )
            return versioned(
                Response(s.RevisionOutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED),
                outcome.article.version,
            )
        page = self.paginate_queryset(selectors.article_revision_list(article=article))
        return self.get_paginated_response(s.ArticleRevisionSerializer(page, many=True).data)


class CandidateViewSet(viewsets.GenericViewSet[Any]):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.CandidateSerializer
    queryset = CandidateClaim.objects.none()  # for the schema only; reads go through selectors

    def retrieve(self, request: Request, pk: str) -> Response:
        candidate = selectors.candidate_get(user=me(request), candidate_id=int(pk))
        return Response(s.represent(s.CandidateSerializer, candidate))

    @extend_schema(request=None, responses={201: s.ClaimSerializer, 200: s.ClaimSerializer})
    @action(detail=True, methods=["post"], serializer_class=s.ClaimSerializer)
    def accept(self, request: Request, pk: str) -> Response:
        candidate = selectors.candidate_get(user=me(request), candidate_id=int(pk))
        creation = candidates.candidate_accept(user=me(request), candidate=candidate)
        claim = selectors.claim_get(user=me(request), claim_id=creation.claim.pk)
        return Response(
            s.represent(s.ClaimSerializer, claim), status=_creation_status(creation, claim)
        )

    @extend_schema(request=None, responses=s.CandidateSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str) -> Response:
        candidate = selectors.candidate_get(user=me(request), candidate_id=int(pk))
        candidates.candidate_dismiss(user=me(request), candidate=candidate)
        return self.retrieve(request, pk)

    @extend_schema(request=None, responses=s.CandidateSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        """Put a dismissed candidate back among the pending ones."""
        candidate = selectors.candidate_get(user=me(request), candidate_id=int(pk))
        withdrawals.candidate_reopen(user=me(request), candidate=candidate)
        return self.retrieve(request, pk)


# --- Claims -------------------------------------------------------------------------------------


class ClaimViewSet(ConditionalReads, viewsets.GenericViewSet[Any]):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.ClaimSerializer
    filterset_class = ClaimFilter
    ordering_fields = ("created_at", "updated_at", "start")

    def get_queryset(self) -> QuerySet[Claim]:
        return selectors.claim_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        shown = selectors.claims_presented(user=me(request), claims=page or [])
        return self.get_paginated_response(s.ClaimSerializer(shown, many=True).data)

    @extend_schema(
        request=s.ClaimCreateSerializer,
        responses={201: s.ClaimSerializer, 200: s.ClaimSerializer},
        description="201 when the highlight starts a new claim; 200 when it overlaps an existing "
        "claim enough (character Jaccard >= 0.5) and joins it. Under blind review a reader who "
        "may not see the others' work on that claim gets 201 either way.",
    )
    def create(self, request: Request) -> Response:
        data = _valid(s.ClaimCreateSerializer, request.data)
        # The service checks access (404, 403) as it locks the article.
        creation = claims.claim_create(user=me(request), article=data.pop("article"), **data)
        if creation.created and not creation.matching:
            # Nothing but the writer's own work on it yet: shown as made, not read back.
            claim = selectors.claim_made_shown(
                claim=creation.claim, highlight=creation.highlight, sight=creation.sight
            )
        else:
            claim = selectors.claim_get(user=me(request), claim_id=creation.claim.pk)
        return versioned(
            Response(
                s.represent(s.ClaimSerializer, claim), status=_creation_status(creation, claim)
            ),
            claim.version,
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        claim = selectors.claim_get(user=me(request), claim_id=int(pk))
        return versioned(Response(s.represent(s.ClaimSerializer, claim)), claim.version)

    @extend_schema(request=s.ClaimUpdateSerializer, responses=s.ClaimSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        claim = selectors.claim_get(user=me(request), claim_id=int(pk))
        require_role(
            user=me(request), workspace_id=claim.workspace_id, role=claims.role_to_reword(claim)
        )
        data = _valid(s.ClaimUpdateSerializer, request.data)
        version = _expected_version(request, data)
        claims.claim_update(user=me(request), claim=claim, version=version, **data)
        return self.retrieve(request, pk)

    @extend_schema(
        description="Withdraw the claim (its highlights and source links go with it): its "
        "author while nobody else is on it, or an editor. Kept with its history; a published or "
        "released claim is never withdrawn (409)."
    )
    def destroy(self, request: Request, pk: str) -> Response:
        claim = selectors.claim_get(user=me(request), claim_id=int(pk))
        withdrawals.claim_withdraw(user=me(request), claim=claim)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: s.ClaimSerializer},
        description="Withdraw your own highlight of the claim; the claim stays (withdraw it with "
        "DELETE on the claim).",
    )
    @action(detail=True, methods=["delete"], url_path="highlights/mine")
    def withdraw_highlight(self, request: Request, pk: str) -> Response:
        claim = selectors.claim_get(user=me(request), claim_id=int(pk))
        withdrawals.highlight_withdraw(user=me(request), claim=claim)
        return self.retrieve(request, pk)

    @extend_schema(request=s.PublishSerializer, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        """Publish a resolved claim, optionally with the desk's article about it (ClaimReview
        `url` and `datePublished`)."""
        claim = selectors.claim_get(user=me(request), claim_id=int(pk), role=Role.EDITOR)
        data = _valid(s.PublishSerializer, request.data)
        publishing.claim_publish(user=me(request), claim=claim, **data)
        return self.retrieve(request, pk)

    @extend_schema(request=s.PublishSerializer, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"], url_path="review")
    def review(self, request: Request, pk: str) -> Response:
        """Set or clear the desk's article about a resolved or published claim."""
        claim = selectors.claim_get(user=me(request), claim_id=int(pk), role=Role.EDITOR)
        data = _valid(s.PublishSerializer, request.data)
        publishing.claim_review_set(
            user=me(request),
            claim=claim,
            review_url=data["review_url"],
            review_published_at=data["review_published_at"],
        )
        return self.retrieve(request, pk)

    @extend_schema(request=s.CorrectionSerializer, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str) -> Response:
        """Correct a published claim's verdict, with a public note (ClaimReview `dateModified`)."""
        claim = selectors.claim_get(user=me(request), claim_id=int(pk), role=Role.EDITOR)
        data = _valid(s.CorrectionSerializer, request.data)
        publishing.claim_correct(user=me(request), claim=claim, **data)
        return self.retrieve(request, pk)

    @extend_schema(request=s.UnpublishSerializer, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"])
    def unpublish(self, request: Request, pk: str) -> Response:
        """Take a claim off the public pages and the feed, with a reason."""
        claim = selectors.claim_get(user=me(request), claim_id=int(pk), role=Role.EDITOR)
        data = _valid(s.UnpublishSerializer, request.data)
        publishing.claim_unpublish(user=me(request), claim=claim, **data)
        return self.retrieve(request, pk)

    @extend_schema(methods=["GET"], responses=s.AssessmentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=s.AssessmentCreateSerializer,
        responses={201: s.AssessmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=s.AssessmentSerializer,
        filterset_class=None,
    )
    def assessments(self, request: Request, pk: str) -> Response:
        if request.method == "POST":
            # The claim as a write needs it (access checked, not presented), then the body.
            claim = selectors.claim_for_write(
                user=me(request), claim_id=int(pk), role=Role.REVIEWER
            )
            data = _valid(s.AssessmentCreateSerializer, request.data)
            assessment = assessments.assessment_create(user=me(request), claim=claim, **data)
            return Response(
                s.represent(s.AssessmentSerializer, assessment), status=status.HTTP_201_CREATED
            )
        claim = selectors.claim_get(user=me(request), claim_id=int(pk))
        page = self.paginate_queryset(
            selectors.assessment_list_for_claim(user=me(request), claim=claim)
        )
        return self.get_paginated_response(s.AssessmentSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], responses=s.ClaimSourceSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=s.ClaimSourceCreateSerializer,
        responses={201: s.ClaimSourceSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=s.ClaimSourceSerializer,
        filterset_class=None,
    )
    def sources(self, request: Request, pk: str) -> Response:
        claim = selectors.claim_get(user=me(request), claim_id=int(pk))
        if request.method == "POST":
            data = _valid(s.ClaimSourceCreateSerializer, request.data)
            link = sources.claim_source_link(user=me(request), claim=claim, **data)
            return Response(
                s.represent(s.ClaimSourceSerializer, link), status=status.HTTP_201_CREATED
            )
        page = self.paginate_queryset(selectors.claim_source_list(user=me(request), claim=claim))
        return self.get_paginated_response(s.ClaimSourceSerializer(page, many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"sources/(?P<link_id>[0-9]{1,18})")
    def source(self, request: Request, pk: str, link_id: str) -> Response:
        """Remove a source link: whoever linked it, or an editor (kept in the history)."""
        claim = selectors.claim_get(user=me(request), claim_id=int(pk))
        link = selectors.claim_source_get(user=me(request), claim=claim, link_id=int(link_id))
        withdrawals.source_link_withdraw(user=me(request), link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.AdjudicationCreateSerializer, responses=s.AdjudicationStateSerializer)
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=s.AdjudicationSerializer,
        filterset_class=None,
    )
    def adjudication(self, request: Request, pk: str) -> Response:
        role = Role.ADJUDICATOR if request.method == "POST" else Role.ANNOTATOR
        claim = selectors.claim_get(user=me(request), claim_id=int(pk), role=role)
        created = None
        if request.method == "POST":
            data = _valid(s.AdjudicationCreateSerializer, request.data)
            created = adjudications.adjudication_create(user=me(request), claim=claim, **data)
        history = list(selectors.adjudication_history(user=me(request), claim=claim))
        body = {
            "current": s.AdjudicationSerializer(history[0]).data if history else None,
            "history": s.AdjudicationSerializer(history, many=True).data,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AssessmentViewSet(viewsets.GenericViewSet[Any]):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.AssessmentSerializer
    queryset = Assessment.objects.none()  # for the schema only; reads go through selectors

    def retrieve(self, request: Request, pk: str) -> Response:
        assessment = selectors.assessment_get(user=me(request), assessment_id=int(pk))
        return Response(
            s.represent(s.AssessmentSerializer, assessment),
            headers={"ETag": f'"{assessment.version}"'},
        )

    @extend_schema(request=s.AssessmentUpdateSerializer, responses=s.AssessmentSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        assessment = selectors.assessment_get(user=me(request), assessment_id=int(pk))
        # Once the reader may see it (404 otherwise), the role, and only then the body.
        require_role(
            user=me(request), workspace_id=assessment.claim.workspace_id, role=Role.REVIEWER
        )
        data = _valid(s.AssessmentUpdateSerializer, request.data)
        version = _expected_version(request, data)
        clear = "confidence" in data and data["confidence"] is None
        assessments.assessment_update(
            user=me(request),
            assessment=assessment,
            version=version,
            clear_confidence=clear,
            **data,
        )
        return self.retrieve(request, pk)


__all__ = [
    "ArticleViewSet",
    "AssessmentViewSet",
    "CandidateViewSet",
    "ClaimViewSet",
    "TokenView",
    "WorkspaceViewSet",
]
