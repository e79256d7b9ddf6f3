"""Reviewers' decisions on extracted candidates; both decisions are training data."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.errors import Conflict
from annotations.models import CandidateClaim, Claim, Role
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
