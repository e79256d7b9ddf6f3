"""Undo, without losing history: withdrawing claims, highlights and source links, reopening
candidates.

Nothing here deletes a row. A withdrawn claim, highlight or link keeps its row with `withdrawn_at`
and `withdrawn_by` (the models' default managers leave them out of every read) and its history;
the claim's history records the withdrawal. Published claims, and claims frozen in a dataset
release, are never withdrawn.

Who may withdraw what:

- an editor: any claim, and any source link;
- whoever made a claim: their own, while nobody else is on it, that is while no other member has
  assessed it or highlighted it as a reviewer, and the article is not assigned to another reviewer
  (the refusal does not say which; a reviewer's source link does not count, since under blind
  review an annotator may not know of it: it is withdrawn with the claim, and kept). Under blind review a reviewer
  does not withdraw claims at all (whether the others are on one is what it hides): they
  withdraw their highlight;
- whoever highlighted a claim: their own highlight, whenever the claim is not kept; the claim
  stays;
- whoever linked a source: their own link.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations import policy
from annotations.access import require_role
from annotations.errors import Conflict
from annotations.models import (
    Article,
    Assessment,
    Assignment,
    CandidateClaim,
    Claim,
    ClaimSource,
    DatasetRelease,
    Highlight,
    Membership,
    Role,
)
from annotations.services.disputes import claim_status_refresh
from annotations.services.history import record_event, span_state


def claim_is_released(claim: Claim) -> bool:
    """Whether a dataset release froze this claim."""
    releases = DatasetRelease.objects.filter(workspace_id=claim.workspace_id)
    if connection.vendor == "postgresql":
        return releases.filter(claim_ids__contains=[claim.pk]).exists()
    # JSON containment has no SQLite lookup; the embedded default holds few releases.
    return any(claim.pk in ids for ids in releases.values_list("claim_ids", flat=True))


def _check_kept(claim: Claim, *, released_too: bool = True) -> None:
    """Published claims are kept as they are; a claim frozen in a release too, but only what
    withdrawing the claim itself would change is checked against releases (a release freezes the
    claim, and saying so would tell a blind reviewer it was resolved)."""
    if claim.status == Claim.Status.PUBLISHED:
        raise Conflict(_("A published claim is kept as it is."), field="status", existing=claim)
    if released_too and claim_is_released(claim):
        raise Conflict(
            _("This claim is part of a dataset release, which is kept as it is."),
            field="status",
            existing=claim,
        )


def _someone_else_is_on_it(claim: Claim, user: User) -> bool:
    reviewers = Membership.objects.filter(
        workspace_id=claim.workspace_id, role__gte=Role.REVIEWER
    ).values("user_id")
    others = [
        Assessment.objects.filter(claim_id=claim.pk).exclude(reviewer_id=user.pk),
        Highlight.objects.filter(claim_id=claim.pk, user_id__in=reviewers).exclude(user_id=user.pk),
        Assignment.objects.filter(article_id=claim.article_id, user_id__in=reviewers).exclude(
            user_id=user.pk
        ),
    ]
    return any(queryset.exists() for queryset in others)


def _refuse_when_taken(claim: Claim, user: User, role: Role) -> None:
    if role < Role.EDITOR and _someone_else_is_on_it(claim, user):
        raise PermissionDenied(
            _(
                "This claim is in review now, so only an editor can withdraw it. "
                "Ask your desk's editor."
            )
        )


def _lock(claim: Claim) -> Claim:
    # Article, then claim: the order text revisions and adjudications lock them in.
    Article.objects.select_for_update(no_key=True).only("pk").get(pk=claim.article_id)
    locked = Claim.objects.select_for_update(no_key=True, of=("self",)).filter(pk=claim.pk).first()
    if locked is None:
        raise Conflict(_("This claim was already withdrawn."), field="claim")
    return locked


def _withdraw_claim_rows(claim: Claim, user: User) -> None:
    now = timezone.now()
    Highlight.objects.filter(claim_id=claim.pk).update(withdrawn_at=now, withdrawn_by=user)
    ClaimSource.objects.filter(claim_id=claim.pk).update(withdrawn_at=now, withdrawn_by=user)
    # A candidate that became this claim is proposed again.
    CandidateClaim.objects.filter(claim_id=claim.pk).update(
        status=CandidateClaim.Status.PENDING, claim=None, decided_by=None, decided_at=None
    )
    Claim.objects.filter(pk=claim.pk).update(withdrawn_at=now, withdrawn_by=user)
    record_event(claim=claim, actor=user, kind="withdrawn", before=span_state(claim))


@transaction.atomic
def claim_withdraw(*, user: User, claim: Claim) -> None:
    """Withdraw a claim with its highlights and source links (see the module for who may)."""
    role = require_role(user=user, workspace_id=claim.workspace_id, role=Role.ANNOTATOR)
    if role < Role.EDITOR and claim.created_by_id != user.pk:
        raise PermissionDenied(_("Only whoever made this claim, or an editor, can withdraw it."))
    if Role.REVIEWER <= role < Role.EDITOR and policy.sight_of(user).is_blind(claim.workspace_id):
        # Whether the others are on the claim is what blind review hides from a reviewer: the
        # answer must not depend on it. They withdraw their highlight; the claim stays.
        raise PermissionDenied(
            _(
                "Under blind review a reviewer withdraws their own highlight, not the claim: an "
                "editor withdraws claims."
            )
        )
    claim = _lock(claim)
    _check_kept(claim)
    _refuse_when_taken(claim, user, role)
    _withdraw_claim_rows(claim, user)


@transaction.atomic
def highlight_withdraw(*, user: User, claim: Claim) -> Claim:
    """Withdraw the user's own highlight of a claim. The claim stays, with its canonical span, even
    when no highlight is left (withdrawing the claim is its own act): the answer is then the same
    whatever the others did, which blind review requires. Its status is worked out again (an
    extent that differed no longer does)."""
    require_role(user=user, workspace_id=claim.workspace_id, role=Role.ANNOTATOR)
    claim = _lock(claim)
    _check_kept(claim, released_too=False)
    mine = Highlight.objects.filter(claim_id=claim.pk, user_id=user.pk).first()
    if mine is None:
        raise Conflict(_("You have no highlight on this claim."), field="claim")
    Highlight.objects.filter(pk=mine.pk).update(withdrawn_at=timezone.now(), withdrawn_by=user)
    record_event(
        claim=claim,
        actor=user,
        kind="highlight_withdrawn",
        before={"reviewer": user.username, "start": mine.start, "end": mine.end},
    )
    return claim_status_refresh(claim_id=claim.pk, actor=user)


@transaction.atomic
def source_link_withdraw(*, user: User, link: ClaimSource) -> None:
    """Remove a source link: its author or an editor; kept with the claim's history."""
    role = require_role(user=user, workspace_id=link.claim.workspace_id, role=Role.ANNOTATOR)
    if role < Role.EDITOR and link.added_by_id != user.pk:
        raise PermissionDenied(_("Only whoever linked this source, or an editor, can remove it."))
    claim = _lock(link.claim)
    _check_kept(claim, released_too=False)
    removed = ClaimSource.objects.filter(pk=link.pk).update(
        withdrawn_at=timezone.now(), withdrawn_by=user
    )
    if not removed:
        raise Conflict(_("This source link was already removed."), field="source")
    record_event(
        claim=claim,
        actor=user,
        kind="source_removed",
        before={"url": link.url, "stance": link.stance},
    )


@transaction.atomic
def candidate_reopen(*, user: User, candidate: CandidateClaim) -> CandidateClaim:
    """Put a dismissed candidate back among the pending ones."""
    require_role(user=user, workspace_id=candidate.article.workspace_id, role=Role.ANNOTATOR)
    # The article, then the candidate: the lock order of services/__init__.py.
    Article.objects.select_for_update(no_key=True).only("pk").get(pk=candidate.article_id)
    locked = CandidateClaim.objects.select_for_update(no_key=True).get(pk=candidate.pk)
    hidden = (
        CandidateClaim.objects.filter(pk=locked.pk)
        .filter(policy.candidate_decision_hidden(policy.sight_of(user)))
        .exists()
    )
    # A dismissal the user may not know of is, for them, a pending candidate.
    if locked.status != CandidateClaim.Status.DISMISSED or hidden:
        raise Conflict(
            _(
                "Only a dismissed candidate can be reopened; to undo an accepted one, withdraw "
                "its claim."
            ),
            field="status",
            existing=locked,
        )
    locked.status = CandidateClaim.Status.PENDING
    locked.decided_by = None
    locked.decided_at = None
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked
