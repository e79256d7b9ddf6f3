"""Reads of the same claim across articles (annotations.services.clusters): a claim's cluster as
one reader may see it, through annotations.policy like every other read.

A cluster forms from the registry's matches, and a match with another desk claim exists because
one of the two was checked: being grouped says something about a claim's status. So a reader sees
the other claims of a cluster only where the policy lets them see the true status both of the
claim they read and of each other claim (editors, adjudicators and open workspaces: all of them;
a blind reviewer: the claims they assessed, and published ones; an annotator: every one, with a
verdict once published). Each is shown with the status and verdict the policy gives that reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser

from annotations import policy
from annotations.models import Claim

User = AuthUser | AnonymousUser


@dataclass(frozen=True, slots=True)
class ClusterView:
    """A claim's cluster for one reader: its id (None when not grouped, or when the reader may
    not know), and its other claims they may see, each annotated by policy.annotate_claims
    (`shown_status`, `shown_verdict`) with its article."""

    cluster: int | None
    claims: list[Claim] = field(default_factory=list)


def claim_cluster(*, user: User, claim: Claim) -> ClusterView:
    """`claim` read through selectors.claim_get (so the reader is a member who may see it)."""
    if claim.cluster_id is None:
        return ClusterView(None)
    sight = policy.sight_of(user).only(claim.workspace_id)
    status_known = Claim.objects.filter(pk=claim.pk).filter(policy.status_visible(sight)).exists()
    if not status_known:
        return ClusterView(None)
    others = (
        policy.annotate_claims(
            Claim.objects.filter(cluster_id=claim.cluster_id).exclude(pk=claim.pk), sight
        )
        .filter(policy.status_visible(sight))
        .select_related("article")
        .order_by("article__created_at", "article_id", "pk")
    )
    listed = list(others)
    if not listed and not sight.sees_all(claim.workspace_id):
        return ClusterView(None)
    return ClusterView(claim.cluster_id, listed)
