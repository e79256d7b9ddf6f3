"""Reviewers' decisions on extracted candidates; both decisions are training data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations import policy
from annotations.access import require_role
from annotations.errors import Conflict
from annotations.models import Article, CandidateClaim, Claim, LiveEvent, Role
from annotations.services.claims import ClaimCreation, claim_create
from annotations.services.live import live_event


def _decision_hidden(user: User, candidate: CandidateClaim) -> bool:
    """Whether another reviewer's decision on this candidate is hidden from the user
    (annotations.policy.candidate_decision_hidden: independent highlighting)."""
    return (
        CandidateClaim.objects.filter(pk=candidate.pk)
        .filter(policy.candidate_decision_hidden(policy.sight_of(user)))
        .exists()
    )


def _lock_undecided(candidate: CandidateClaim, user: User) -> tuple[CandidateClaim, bool]:
    """The candidate, locked after its article (the lock order of services/__init__.py), and
    whether the user decides it as if it were still pending: it is, or another reviewer's
    decision on it is hidden from them. A decision they can see is a Conflict."""
    article = Article.objects.select_for_update(no_key=True).get(pk=candidate.article_id)
    locked = CandidateClaim.objects.select_for_update(no_key=True).filter(pk=candidate.pk).first()
    if locked is None:
        # A correction of the text (or a new extraction) removed it while the reviewer read it.
        raise Conflict(
            _(
                "This candidate is no longer proposed: the article's text changed since you "
                "loaded it. Reload the article."
            ),
            field="candidate",
        )
    locked.article = article
    if locked.status == CandidateClaim.Status.PENDING:
        return locked, False
    if _decision_hidden(user, locked):
        return locked, True
    raise Conflict(
        _("This candidate was already %(status)s.") % {"status": locked.status},
        existing=locked,
    )


def _private(user: User, candidate: CandidateClaim) -> bool:
    return policy.decides_privately(policy.sight_of(user), candidate.article.workspace_id)


@transaction.atomic
def candidate_accept(*, user: User, candidate: CandidateClaim) -> ClaimCreation:
    """Make the candidate a claim, with the accepting reviewer's highlight on it. With
    independent highlighting a reviewer's acceptance is theirs alone: it makes (or joins) a claim
    they may see, and leaves the candidate as the others see it."""
    require_role(user=user, workspace_id=candidate.article.workspace_id, role=Role.ANNOTATOR)
    candidate, _hidden = _lock_undecided(candidate, user)
    creation = _highlight_of(candidate, user)
    if _private(user, candidate):
        return creation
    candidate.status = CandidateClaim.Status.ACCEPTED
    candidate.claim = creation.claim
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "claim", "decided_by", "decided_at"])
    return creation


def _highlight_of(candidate: CandidateClaim, user: User) -> ClaimCreation:
    return claim_create(
        user=user,
        article=candidate.article,
        start=candidate.start,
        end=candidate.end,
        exact=candidate.text,
        claimant=candidate.claimant_guess,
        origin=Claim.Origin.EXTRACTED,
    )


@transaction.atomic
def candidate_dismiss(*, user: User, candidate: CandidateClaim) -> CandidateClaim:
    """Dismiss a pending candidate. With independent highlighting a reviewer's dismissal is theirs
    alone (their page stops showing it): the candidate stays as the others see it."""
    require_role(user=user, workspace_id=candidate.article.workspace_id, role=Role.ANNOTATOR)
    candidate, _hidden = _lock_undecided(candidate, user)
    if _private(user, candidate):
        return candidate
    candidate.status = CandidateClaim.Status.DISMISSED
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    live_event(article_id=candidate.article_id, kind=LiveEvent.Kind.ARTICLE, actor=user)
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
    user: User,
) -> list[CandidateClaim]:
    """The candidates a bulk decision takes: the pending ones, and those another reviewer decided
    unseen by this user (which they see as pending)."""
    undecided = Q(status=CandidateClaim.Status.PENDING) | policy.candidate_decision_hidden(
        policy.sight_of(user)
    )
    pending = CandidateClaim.objects.filter(article=article).filter(undecided)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    if min_score is not None:
        pending = pending.filter(score__gte=min_score)
    if max_score is not None:
        pending = pending.filter(score__lte=max_score)
    # The article first, then the candidates in one statement by id (the lock order of
    # services/__init__.py): a concurrent decision or correction on the same article waits for
    # the article, then finds these decided (or gone) and skips them. Decided in text order.
    Article.objects.select_for_update(no_key=True).only("pk").get(pk=article.pk)
    locked = list(pending.select_for_update(of=("self",)).order_by("pk"))
    return sorted(locked, key=lambda c: (c.start, c.end, c.pk))


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
    for candidate in _pending_for_update(article, min_score, max_score, ids, user):
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
    taken = _pending_for_update(article, min_score, max_score, ids, user)
    decided = [c.pk for c in taken]
    private = policy.decides_privately(policy.sight_of(user), article.workspace_id)
    pending = [c.pk for c in taken if c.status == CandidateClaim.Status.PENDING and not private]
    if CandidateClaim.objects.filter(pk__in=pending).update(
        status=CandidateClaim.Status.DISMISSED, decided_by=user, decided_at=timezone.now()
    ):
        live_event(article_id=article.pk, kind=LiveEvent.Kind.ARTICLE, actor=user)
    return BulkDecision(candidate_ids=decided, claims_created=0)


def _accept_into(candidate: CandidateClaim, user: User, claim: Claim) -> None:
    if _private(user, candidate):
        return
    candidate.status = CandidateClaim.Status.ACCEPTED
    candidate.claim = claim
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "claim", "decided_by", "decided_at"])
