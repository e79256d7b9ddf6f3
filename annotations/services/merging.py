"""Merging the reviewers' separate claims of one passage, for independent highlighting.

With independent highlighting a reviewer's highlight never joins a claim they cannot see
(annotations.policy): two reviewers who mark the same sentence make two claims, each assessed
blind by its highlighter. Once every reviewer who highlighted a group of such claims has submitted
the article, nothing is hidden among them any more and the group becomes one claim, as if they
had highlighted it together: the oldest claim is kept; the others' highlights, assessments, source
links, history, disagreements and candidates move to it; each absorbed claim is withdrawn (kept,
never deleted) with a `merged` event; the kept claim's status is worked out again, so verdict and
span disagreements appear then.

Claims are "the same" as everywhere else: their passages overlap with a character Jaccard of at
least SAME_CLAIM_JACCARD. A claim with an adjudication or published stays as it is, and so does
one that would bring the same reviewer's assessment twice (nothing saved is ever dropped).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django.utils import timezone

from annotations.models import (
    Adjudication,
    Article,
    Assessment,
    Assignment,
    CandidateClaim,
    Claim,
    ClaimEvent,
    ClaimMatch,
    ClaimSource,
    Disagreement,
    Highlight,
    Membership,
    Role,
)
from annotations.services.disputes import claim_status_refresh
from annotations.services.history import record_event, span_state
from annotations.text import SAME_CLAIM_JACCARD, span_jaccard


def _groups(claims: list[Claim]) -> list[list[Claim]]:
    """Claims whose passages are the same claim, transitively (union-find), oldest first."""
    parent = list(range(len(claims)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(claims):
        for j in range(i + 1, len(claims)):
            b = claims[j]
            same = span_jaccard(a.start or 0, a.end or 0, b.start or 0, b.end or 0)
            if same >= SAME_CLAIM_JACCARD:
                parent[root(j)] = root(i)
    grouped: dict[int, list[Claim]] = {}
    for i, claim in enumerate(claims):
        grouped.setdefault(root(i), []).append(claim)
    return [
        sorted(group, key=lambda c: (c.created_at, c.pk))
        for group in grouped.values()
        if len(group) > 1
    ]


def _everyone_submitted(article: Article, group: list[Claim]) -> bool:
    """Whether every reviewer who highlighted these claims has submitted the article."""
    reviewers = Membership.objects.filter(
        workspace_id=article.workspace_id, role__gte=Role.REVIEWER
    ).values("user_id")
    highlighters = set(
        Highlight.objects.filter(claim__in=group, user_id__in=reviewers).values_list(
            "user_id", flat=True
        )
    )
    submitted = set(
        Assignment.objects.filter(
            article=article, user_id__in=highlighters, completed_at__isnull=False
        ).values_list("user_id", flat=True)
    )
    return highlighters <= submitted


def _mergeable(kept: Claim, other: Claim) -> bool:
    settled = Adjudication.objects.filter(claim__in=[kept, other]).exists()
    published = Claim.Status.PUBLISHED in (kept.status, other.status)
    twice = Assessment.objects.filter(
        claim=other,
        reviewer_id__in=Assessment.objects.filter(claim=kept).values("reviewer_id"),
    ).exists()
    return not (settled or published or twice)


def _absorb(kept: Claim, other: Claim, actor: User) -> None:
    now = timezone.now()
    # A person's second highlight or link of the same claim is withdrawn (kept), not moved.
    Highlight.objects.filter(
        claim=other, user_id__in=Highlight.objects.filter(claim=kept).values("user_id")
    ).update(withdrawn_at=now, withdrawn_by=actor)
    Highlight.objects.filter(claim=other).update(claim=kept)
    same_link = ClaimSource.objects.filter(
        claim=kept, source_id=OuterRef("source_id"), added_by_id=OuterRef("added_by_id")
    )
    ClaimSource.objects.filter(claim=other).filter(Exists(same_link)).update(
        withdrawn_at=now, withdrawn_by=actor
    )
    ClaimSource.objects.filter(claim=other).update(claim=kept)
    Assessment.objects.filter(claim=other).update(claim=kept)
    CandidateClaim.objects.filter(claim=other).update(claim=kept)
    ClaimMatch.objects.filter(claim=other).delete()  # found again for the kept claim
    # Disagreements were about the absorbed claim alone: closed, then worked out anew.
    Disagreement.objects.filter(claim=other, resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=actor
    )
    Disagreement.objects.filter(claim=other).update(claim=kept)
    ClaimEvent.objects.filter(claim=other).update(claim=kept)
    fields = {}
    if not kept.claimant and other.claimant:
        fields["claimant"] = other.claimant
    if not kept.normalised_text and other.normalised_text:
        fields["normalised_text"] = other.normalised_text
    if fields:
        Claim.objects.filter(pk=kept.pk).update(**fields)
    Claim.objects.filter(pk=other.pk).update(withdrawn_at=now, withdrawn_by=actor)
    record_event(
        claim=kept,
        actor=actor,
        kind="merged",
        after={"claim": other.pk, **span_state(other)},
    )


def independent_claims_merge(*, article: Article, actor: User) -> int:
    """Merge the article's claims of the same passage whose highlighters have all submitted;
    return how many claims were absorbed. Call inside the transaction of the submission, with
    the article locked."""
    claims = list(
        Claim.objects.filter(article=article, orphaned=False).order_by("created_at", "pk")
    )
    absorbed = 0
    for group in _groups(claims):
        if not _everyone_submitted(article, group):
            continue
        kept, others = group[0], group[1:]
        merged = False
        for other in others:
            if _mergeable(kept, other):
                _absorb(kept, other, actor)
                absorbed += 1
                merged = True
        if merged:
            claim_status_refresh(claim_id=kept.pk, actor=actor)
            from annotations import tasks  # the tasks module imports the services
            from annotations.services.dispatch import enqueue_on_commit

            enqueue_on_commit(tasks.match_claim, kept.pk)
    return absorbed
