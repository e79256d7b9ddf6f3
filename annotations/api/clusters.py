"""API of claim clusters, the same claim across articles: read a claim's cluster, and for editors
group two claims or split one off (annotations.services.clusters). Registered in
annotations.api.urls."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import policy, selectors, selectors_clusters
from annotations.api.views import _valid, me
from annotations.models import Claim, Role
from annotations.services import clusters

BIGINT = 2**63 - 1


class ClusterClaimSerializer(serializers.Serializer[Any]):
    """Another claim of the cluster, with what the reader may see of its review."""

    claim = serializers.IntegerField(source="pk", read_only=True)
    article = serializers.IntegerField(source="article_id", read_only=True)
    article_title = serializers.CharField(source="article.title", read_only=True)
    language = serializers.CharField(source="article.language", read_only=True)
    exact = serializers.CharField(read_only=True)
    normalised_text = serializers.CharField(read_only=True)
    claimant = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(
        choices=policy.SHOWN_STATUSES,
        source="shown_status",
        read_only=True,
        help_text="As blind review lets you see it.",
    )
    verdict = serializers.CharField(
        source="shown_verdict",
        read_only=True,
        allow_null=True,
        help_text="The final verdict's slug, when you may see it.",
    )
    verdict_name = serializers.SerializerMethodField()

    def get_verdict_name(self, claim: Claim) -> str | None:
        slug = getattr(claim, "shown_verdict", None)
        names: dict[str, str] = self.context.get("names", {})
        return names.get(slug, slug) if slug else None


class ClusterSerializer(serializers.Serializer[Any]):
    cluster = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The cluster's id; null when the claim is not grouped with another one.",
    )
    claims = ClusterClaimSerializer(
        many=True,
        read_only=True,
        help_text="The cluster's other claims (the same claim in other articles) that you may see.",
    )


class ClusterMergeSerializer(serializers.Serializer[Any]):
    claim = serializers.IntegerField(
        min_value=1,
        max_value=BIGINT,
        help_text="The claim (of the same workspace) that says the same: its cluster and this "
        "claim's become one.",
    )


def _cluster_answer(request: Request, claim_id: int) -> Response:
    claim = selectors.claim_get(user=me(request), claim_id=claim_id)
    view = selectors_clusters.claim_cluster(user=me(request), claim=claim)
    names = selectors.verdict_names(workspace_id=claim.workspace_id)
    body = ClusterSerializer(
        {"cluster": view.cluster, "claims": view.claims}, context={"names": names}
    )
    return Response(body.data)


class ClaimClusterView(APIView):
    """The same claim in other articles: the claim's cluster, as blind review lets you see it."""

    @extend_schema(responses=ClusterSerializer)
    def get(self, request: Request, claim_id: int) -> Response:
        return _cluster_answer(request, claim_id)


class ClaimClusterMergeView(APIView):
    """Editors: say that another claim of the workspace is the same claim; both clusters become
    one, and the claims an editor had split apart between them may be grouped again."""

    @extend_schema(request=ClusterMergeSerializer, responses=ClusterSerializer)
    def post(self, request: Request, claim_id: int) -> Response:
        claim = selectors.claim_get(user=me(request), claim_id=claim_id, role=Role.EDITOR)
        data = _valid(ClusterMergeSerializer, request.data)
        try:
            other = selectors.claim_get(user=me(request), claim_id=data["claim"])
        except Http404 as missing:
            raise ValidationError({"claim": [_("No such claim in your workspaces.")]}) from missing
        clusters.clusters_merge(user=me(request), claim_a=claim, claim_b=other)
        return _cluster_answer(request, claim_id)


class ClaimClusterSplitView(APIView):
    """Editors: take the claim out of its cluster into one of its own. The workbench remembers
    it: no automatic grouping puts it back with those claims, only an editor's merge."""

    @extend_schema(request=None, responses=ClusterSerializer)
    def post(self, request: Request, claim_id: int) -> Response:
        claim = selectors.claim_get(user=me(request), claim_id=claim_id, role=Role.EDITOR)
        clusters.cluster_split(user=me(request), claim=claim)
        return _cluster_answer(request, claim_id)
