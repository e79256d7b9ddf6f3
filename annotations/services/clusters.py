"""The same claim across articles: clusters of a workspace's claims that say the same thing.

A claim's cluster (Claim.cluster) holds the claims of other articles (or of the same one) that
make the same claim. Clusters form by themselves from the claim registry's matches
(annotations.services.matching): `clusters_refresh_for` joins a claim with every claim of its
workspace it matches, in either direction (its own matches, and those of claims it was offered to
once checked), whatever their status, when the match scores at or above the threshold of the
method that found it. Editors correct them: `clusters_merge` groups two claims (and their
clusters) by hand, `cluster_split` takes a claim out into a cluster of its own and remembers the
decision as pairs kept apart (ClaimKeptApart), so that no later refresh pulls it back; only an
editor's merge brings such claims together again (and forgets the pairs it overrides).

Every change is in the history of each claim it moves (`cluster_grouped` when automatic,
`cluster_merged`, `cluster_split` and `cluster_left` by an editor). Automatic events name no other
claim: a match with a checked claim says that claim was checked, which blind review hides.

Rules across tables, kept here: a claim only ever joins a cluster of its own workspace, and a
merge refuses a claim of another workspace (naming the field `claim`).

Locks, in the order of annotations.services: the workspace row first (every cluster write of a
workspace queues behind it, so two refreshes never work from each other's stale groups), then
the claims they move, in ascending id, without their articles (rows hanging from a claim's
cluster only; nobody holding a claim waits for a workspace row). Each write is one short
transaction; the matches are read in it, nothing slow runs under the locks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.extraction.claim_matching import threshold_for
from annotations.extraction.similarity import FUZZY_MIN_SCORE, TRIGRAM_MIN_SIMILARITY
from annotations.models import Claim, ClaimCluster, ClaimKeptApart, ClaimMatch, Role, Workspace
from annotations.services.history import batched, record_event

# How a ClaimMatch was found (ClaimMatch.method, annotations.services.matching).
EMBEDDING, TRIGRAM, FUZZY = "embedding", "trigram", "rapidfuzz"
# At most this many claim ids are written into one history event.
EVENT_IDS = 50


def match_threshold_for(method: str) -> float:
    """The score from which a stored match of this method counts as the same claim."""
    if method == TRIGRAM:
        return TRIGRAM_MIN_SIMILARITY
    if method == FUZZY:
        return FUZZY_MIN_SCORE
    if method == EMBEDDING:
        from annotations.services.embedding import current_embedder, match_threshold

        embedder = current_embedder()
        if embedder is not None:
            return match_threshold(embedder)
        return threshold_for("", settings.EMBEDDING_MATCH_THRESHOLD)
    return 2.0  # a method this module does not know never groups


@dataclass(frozen=True, slots=True)
class ClusterChange:
    """What a write did: the claim's cluster now, and the claims it moved."""

    cluster_id: int | None
    moved: tuple[int, ...]


def _lock_workspace(workspace_id: int) -> None:
    Workspace.objects.select_for_update(no_key=True).only("pk").get(pk=workspace_id)


def _lock_claims(ids: Iterable[int]) -> dict[int, Claim]:
    """Claims by id, withdrawn ones too, locked in ascending id."""
    rows = (
        Claim.all_objects.select_for_update(no_key=True)
        .filter(pk__in=sorted(set(ids)))
        .only("pk", "workspace_id", "cluster_id", "withdrawn_at")
        .order_by("pk")
    )
    return {claim.pk: claim for claim in rows}


def _live(claim_id: int) -> Claim | None:
    return Claim.objects.filter(pk=claim_id).only("pk", "workspace_id", "cluster_id").first()


def _group_of(claim: Claim) -> set[int]:
    """The live claims in this claim's cluster, itself included."""
    if claim.cluster_id is None:
        return {claim.pk}
    return {
        claim.pk,
        *Claim.objects.filter(cluster_id=claim.cluster_id).values_list("pk", flat=True),
    }


def _pairs(one: set[int], other: set[int]) -> Q:
    condition = Q(pk__in=[])
    for a in one:
        for b in other:
            if a != b:
                condition |= Q(claim_id=min(a, b), other_id=max(a, b))
    return condition


def _kept_apart(one: set[int], other: set[int]) -> bool:
    return ClaimKeptApart.objects.filter(_pairs(one, other)).exists()


def _neighbours(claim: Claim) -> list[Claim]:
    """Live claims of the same workspace that this claim matches, either way, best match first."""
    rows = ClaimMatch.objects.filter(
        Q(claim_id=claim.pk, matched_claim__isnull=False)
        | Q(matched_claim_id=claim.pk, claim__isnull=False)
    ).values_list("claim_id", "matched_claim_id", "score", "method")
    best: dict[int, float] = {}
    for owner, matched, score, method in rows:
        other = matched if owner == claim.pk else owner
        if other is None or other == claim.pk or score < match_threshold_for(method):
            continue
        best[other] = max(score, best.get(other, 0.0))
    found = Claim.objects.filter(pk__in=sorted(best), workspace_id=claim.workspace_id).only(
        "pk", "workspace_id", "cluster_id"
    )
    return sorted(found, key=lambda other: (-best[other.pk], other.pk))


def _unite(workspace_id: int, group: set[int], clusters: Iterable[int | None]) -> ClusterChange:
    """Put these live claims, and every claim of these clusters, in one cluster: the oldest of
    theirs, or a new one; the others are emptied (their withdrawn claims follow) and deleted.
    Called under the workspace's lock, which keeps every claim's cluster as it was read."""
    existing = sorted({pk for pk in clusters if pk is not None})
    target = existing[0] if existing else ClaimCluster.objects.create(workspace_id=workspace_id).pk
    absorbed = existing[1:]
    rows = Claim.all_objects.filter(Q(pk__in=sorted(group)) | Q(cluster_id__in=absorbed)).exclude(
        cluster_id=target
    )
    movers = list(rows.values_list("pk", flat=True))
    _lock_claims(movers)
    Claim.all_objects.filter(pk__in=movers).update(cluster_id=target)
    if absorbed:
        ClaimCluster.objects.filter(pk__in=absorbed).delete()
    return ClusterChange(target, tuple(sorted(pk for pk in movers if pk in group)))


def clusters_refresh_for(claim_id: int) -> ClusterChange:
    """Join this claim with the claims it matches into one cluster, unless an editor kept them
    apart. Idempotent; run by the registry's tasks after their work. A claim that is gone (or
    withdrawn) changes nothing."""
    workspace_id = Claim.objects.filter(pk=claim_id).values_list("workspace_id", flat=True).first()
    if workspace_id is None:
        return ClusterChange(None, ())
    with transaction.atomic():
        _lock_workspace(workspace_id)
        claim = _live(claim_id)
        if claim is None:
            return ClusterChange(None, ())
        group = _group_of(claim)
        clusters: list[int | None] = [claim.cluster_id]
        for other in _neighbours(claim):
            if other.pk in group:
                continue
            other_group = _group_of(other)
            if _kept_apart(group, other_group):
                continue
            group |= other_group
            clusters.append(other.cluster_id)
        if len(group) == 1:
            return ClusterChange(claim.cluster_id, ())
        before = dict(Claim.objects.filter(pk__in=sorted(group)).values_list("pk", "cluster_id"))
        change = _unite(workspace_id, group, clusters)
        with batched():  # one insert for the claims moved, one live statement per article
            for pk in change.moved:
                record_event(
                    claim=pk,
                    actor=None,
                    kind="cluster_grouped",
                    before={"cluster": before.get(pk)},
                    after={"cluster": change.cluster_id},
                )
        return change


def _ids(ids: Iterable[int]) -> list[int]:
    return sorted(ids)[:EVENT_IDS]


def clusters_merge(*, user: User, claim_a: Claim, claim_b: Claim) -> ClusterChange:
    """An editor says two claims are the same claim: their clusters become one (pairs kept apart
    between them are forgotten). The second claim must be of the first one's workspace."""
    require_role(user=user, workspace_id=claim_a.workspace_id, role=Role.EDITOR)
    if claim_b.workspace_id != claim_a.workspace_id:
        raise ValidationError({"claim": _("This claim belongs to another workspace.")})
    if claim_b.pk == claim_a.pk:
        raise ValidationError({"claim": _("Choose another claim than this one.")})
    with transaction.atomic():
        _lock_workspace(claim_a.workspace_id)
        a, b = _live(claim_a.pk), _live(claim_b.pk)
        if a is None:
            raise ValidationError(_("This claim was withdrawn."))
        if b is None:
            raise ValidationError({"claim": _("This claim was withdrawn.")})
        group_a = _group_of(a)
        if b.pk in group_a:
            return ClusterChange(a.cluster_id, ())
        group_b = _group_of(b)
        before = dict(
            Claim.objects.filter(pk__in=sorted(group_a | group_b)).values_list("pk", "cluster_id")
        )
        ClaimKeptApart.objects.filter(_pairs(group_a, group_b)).delete()
        change = _unite(a.workspace_id, group_a | group_b, [a.cluster_id, b.cluster_id])
        for pk in sorted({*change.moved, a.pk, b.pk}):
            mine = pk in group_a
            record_event(
                claim=pk,
                actor=user,
                kind="cluster_merged",
                before={"cluster": before.get(pk)},
                after={
                    "cluster": change.cluster_id,
                    "claim": b.pk if mine else a.pk,
                    "with": _ids(group_b if mine else group_a),
                },
            )
        return change


def cluster_split(*, user: User, claim: Claim) -> ClusterChange:
    """An editor takes a claim out of its cluster into one of its own; it stays apart from the
    claims it leaves until an editor merges it back."""
    require_role(user=user, workspace_id=claim.workspace_id, role=Role.EDITOR)
    with transaction.atomic():
        _lock_workspace(claim.workspace_id)
        me = _live(claim.pk)
        if me is None:
            raise ValidationError(_("This claim was withdrawn."))
        old_cluster = me.cluster_id
        others = _group_of(me) - {me.pk}
        if not others:
            raise ValidationError(_("This claim is not grouped with any other claim."))
        ClaimKeptApart.objects.bulk_create(
            [
                ClaimKeptApart(
                    workspace_id=me.workspace_id,
                    claim_id=min(me.pk, other),
                    other_id=max(me.pk, other),
                    created_by=user,
                )
                for other in sorted(others)
            ],
            ignore_conflicts=True,
        )
        cluster_id = ClaimCluster.objects.create(workspace_id=me.workspace_id).pk
        _lock_claims([me.pk])
        Claim.all_objects.filter(pk=me.pk).update(cluster_id=cluster_id)
        record_event(
            claim=me.pk,
            actor=user,
            kind="cluster_split",
            before={"cluster": old_cluster, "with": _ids(others)},
            after={"cluster": cluster_id},
        )
        for other in sorted(others):
            record_event(
                claim=other,
                actor=user,
                kind="cluster_left",
                before={"cluster": old_cluster},
                after={"cluster": old_cluster, "claim": me.pk},
            )
        return ClusterChange(cluster_id, (me.pk,))
