"""Reviewers' decisions on extracted candidates; both decisions are training data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.errors import Conflict
from annotations.models import Article, CandidateClaim, Claim, Role
from annotations.services.claims import ClaimCreation, claim_create


def _lock_pending(candidate: CandidateClaim) -> CandidateClaim:
    locked = (
        CandidateClaim.objects.select_for_update().select_related("article").get(pk=candidate.pk)
    )
    if locked.status != CandidateClaim.Status.PENDING:
        raise Conflict(
            _("This candidate was already %(status)s.") % {"status": locked.status},
            existing=locked,
        )
    return locked


@transaction.atomic
def candidate_accept(*, user: User, candidate: CandidateClaim) -> ClaimCreation:
    """Make the candidate a claim, with the accepting reviewer's highlight on it."""
    require_role(user=user, workspace_id=candidate.article.workspace_id, role=Role.ANNOTATOR)
    candidate = _lock_pending(candidate)
    creation = claim_create(
        user=user,
        article=candidate.article,
        start=candidate.start,
        end=candidate.end,
        exact=candidate.text,
        claimant=candidate.claimant_guess,
        origin=Claim.Origin.EXTRACTED,
    )
    candidate.status = CandidateClaim.Status.ACCEPTED
    candidate.claim = creation.claim
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "claim", "decided_by", "decided_at"])
    return creation


@transaction.atomic
def candidate_dismiss(*, user: User, candidate: CandidateClaim) -> CandidateClaim:
    require_role(user=user, workspace_id=candidate.article.workspace_id, role=Role.ANNOTATOR)
    candidate = _lock_pending(candidate)
    candidate.status = CandidateClaim.Status.DISMISSED
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    return candidate


@dataclass(frozen=True, slots=True)
class BulkDecision:
    candidate_ids: list[int]  # those decided now, in text order
    claims_created: int  # accept-all: new claims (the others joined an existing claim)


def _pending_for_update(
    article: Article,
    min_score: float | None,
    max_score: float | None,
    ids: Sequence[int] | None,
) -> list[CandidateClaim]:
    pending = CandidateClaim.objects.filter(article=article, status=CandidateClaim.Status.PENDING)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    if min_score is not None:
        pending = pending.filter(score__gte=min_score)
    if max_score is not None:
        pending = pending.filter(score__lte=max_score)
    # Locked in one statement, in a fixed order: a concurrent bulk decision on the same article
    # waits here, then finds these decided and skips them.
    return list(pending.select_for_update(of=("self",)).order_by("start", "end", "pk"))


def _check_score_range(min_score: float | None, max_score: float | None) -> None:
    if min_score is not None and max_score is not None and max_score < min_score:
        raise ValidationError({"max_score": [_("max_score must not be below min_score.")]})


@transaction.atomic
def candidates_accept_all(
    *,
    user: User,
    article: Article,
    min_score: float | None = None,
    max_score: float | None = None,
    ids: Sequence[int] | None = None,
) -> BulkDecision:
    """Accept every pending candidate of the article (optionally only those in `ids`, or within a
    score range), in one transaction.

    Each goes through candidate_accept, with the same rules as one by one; a candidate whose
    sentence this reviewer has already highlighted is recorded as accepted into that claim
    instead of being refused.
    """
    require_role(user=user, workspace_id=article.workspace_id, role=Role.ANNOTATOR)
    _check_score_range(min_score, max_score)
    decided: list[int] = []
    created = 0
    for candidate in _pending_for_update(article, min_score, max_score, ids):
        candidate.article = article
        try:
            with transaction.atomic():
                created += candidate_accept(user=user, candidate=candidate).created
        except Conflict as conflict:
            if not isinstance(conflict.existing, Claim):
                raise
            _accept_into(candidate, user, conflict.existing)
        decided.append(candidate.pk)
    return BulkDecision(candidate_ids=decided, claims_created=created)


@transaction.atomic
def candidates_dismiss_all(
    *,
    user: User,
    article: Article,
    min_score: float | None = None,
    max_score: float | None = None,
    ids: Sequence[int] | None = None,
) -> BulkDecision:
    """Dismiss every pending candidate of the article (optionally only those in `ids`, or within a
    score range), in one transaction and one UPDATE."""
    require_role(user=user, workspace_id=article.workspace_id, role=Role.ANNOTATOR)
    _check_score_range(min_score, max_score)
    decided = [c.pk for c in _pending_for_update(article, min_score, max_score, ids)]
    CandidateClaim.objects.filter(pk__in=decided).update(
        status=CandidateClaim.Status.DISMISSED, decided_by=user, decided_at=timezone.now()
    )
    return BulkDecision(candidate_ids=decided, claims_created=0)


def _accept_into(candidate: CandidateClaim, user: User, claim: Claim) -> None:
    candidate.status = CandidateClaim.Status.ACCEPTED
    candidate.claim = claim
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "claim", "decided_by", "decided_at"])
