"""API of the extraction capability: bulk decisions on an article's candidates, and the
already-checked claims found like a claim or a candidate. Registered in annotations.api.urls."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import selectors
from annotations.api.serializers import CandidateSerializer, SimilarClaimSerializer
from annotations.api.views import _valid, me
from annotations.services import candidates


class CandidateBulkInputSerializer(serializers.Serializer[Any]):
    min_score = serializers.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="Only the pending candidates scoring at least this.",
    )
    max_score = serializers.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="Only the pending candidates scoring at most this.",
    )
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        default=None,
        max_length=100_000,
        help_text="Only these candidates (those the page showed): a candidate extracted since is "
        "not decided unseen. Ids that are not pending candidates of the article are left alone.",
    )


class CandidateBulkResultSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="Candidates decided by this request.")
    claims_created = serializers.IntegerField(
        help_text="accept-all: new claims (the other accepted candidates joined existing ones)."
    )
    candidates = CandidateSerializer(many=True, help_text="The candidates decided, in text order.")


class _CandidatesBulkView(APIView):
    @extend_schema(request=CandidateBulkInputSerializer, responses=CandidateBulkResultSerializer)
    def post(self, request: Request, article_id: int) -> Response:
        article = selectors.article_get(user=me(request), article_id=article_id)
        data = _valid(CandidateBulkInputSerializer, request.data)
        outcome = self.decide(request, article=article, **data)
        decided = (
            selectors.candidate_list_for_article(user=me(request), article=article)
            .filter(pk__in=outcome.candidate_ids)
            .order_by("start", "end", "pk")
        )
        body = {
            "count": len(outcome.candidate_ids),
            "claims_created": outcome.claims_created,
            "candidates": decided,
        }
        return Response(CandidateBulkResultSerializer(body).data)

    def decide(self, request: Request, **kwargs: Any) -> candidates.BulkDecision:
        raise NotImplementedError


class ArticleCandidatesAcceptAllView(_CandidatesBulkView):
    """Accept the article's pending candidates at once (optionally within a score range): each
    becomes a claim with your highlight, exactly as accepting them one by one."""

    def decide(self, request: Request, **kwargs: Any) -> candidates.BulkDecision:
        return candidates.candidates_accept_all(user=me(request), **kwargs)


class ArticleCandidatesDismissAllView(_CandidatesBulkView):
    """Dismiss the article's pending candidates at once (optionally within a score range)."""

    def decide(self, request: Request, **kwargs: Any) -> candidates.BulkDecision:
        return candidates.candidates_dismiss_all(user=me(request), **kwargs)


class ClaimSimilarView(APIView):
    """Claims of the workspace with a final verdict that say the same as this claim, best
    first (found by a worker once the claim is saved)."""

    @extend_schema(responses=SimilarClaimSerializer(many=True))
    def get(self, request: Request, claim_id: int) -> Response:
        claim = selectors.claim_get(user=me(request), claim_id=claim_id)
        matches = selectors.claim_similar_list(user=me(request), claim=claim)
        return Response(SimilarClaimSerializer(matches, many=True).data)


class CandidateSimilarView(APIView):
    """Claims of the workspace with a final verdict that say the same as this candidate, best
    first (found when the article was extracted)."""

    @extend_schema(responses=SimilarClaimSerializer(many=True))
    def get(self, request: Request, candidate_id: int) -> Response:
        candidate = selectors.candidate_get(user=me(request), candidate_id=candidate_id)
        matches = selectors.candidate_similar_list(user=me(request), candidate=candidate)
        return Response(SimilarClaimSerializer(matches, many=True).data)
