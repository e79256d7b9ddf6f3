"""Reviewers' verdicts on claims, and the claim status they imply."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.errors import Conflict
from annotations.models import Assessment, Claim, Role, VerdictLabel
from annotations.services.disputes import claim_status_refresh
from annotations.services.history import assessment_state, record_event
from annotations.services.versioning import update_if_current

__all__ = ["assessment_create", "assessment_update", "claim_status_refresh", "verdict_by_slug"]


def verdict_by_slug(
    *, workspace_id: int, slug: str, field: str = "verdict", keep: VerdictLabel | None = None
) -> VerdictLabel:
    """The label of the workspace's scale a new verdict names; a retired label is refused, unless
    it is the one the verdict already had (`keep`)."""
    verdict = VerdictLabel.objects.filter(workspace_id=workspace_id, slug=slug).first()
    if verdict is not None and verdict.retired and verdict != keep:
        raise ValidationError(
            {
                field: [
                    _("%(name)s is retired from this workspace's scale: choose another verdict.")
                    % {"name": verdict.name}
                ]
            }
        )
    if verdict is None:
        choices = ", ".join(
            VerdictLabel.objects.filter(workspace_id=workspace_id, retired=False).values_list(
                "slug", flat=True
            )
        )
        raise ValidationError(
            {
                field: [
                    _("Unknown verdict %(slug)r; this workspace's scale has: %(choices)s.")
                    % {"slug": slug, "choices": choices}
                ]
            }
        )
    return verdict


def check_confidence(confidence: float | None) -> None:
    if confidence is not None and not 0 <= confidence <= 1:
        raise ValidationError({"confidence": [_("confidence must be between 0 and 1.")]})


def _existing_conflict(claim: Claim, user: User) -> Conflict | None:
    existing = Assessment.objects.filter(claim=claim, reviewer_id=user.pk).first()
    if existing is None:
        return None
    return Conflict(
        _("You have already assessed this claim; change your assessment instead."),
        field="verdict",
        existing=existing,
    )


@transaction.atomic
def assessment_create(
    *,
    user: User,
    claim: Claim,
    verdict: str,
    rationale: str = "",
    confidence: float | None = None,
) -> Assessment:
    require_role(user=user, workspace_id=claim.workspace_id, role=Role.REVIEWER)
    label = verdict_by_slug(workspace_id=claim.workspace_id, slug=verdict)
    check_confidence(confidence)
    conflict = _existing_conflict(claim, user)
    if conflict:
        raise conflict
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                claim=claim,
                reviewer=user,
                verdict=label,
                initial_verdict=label,
                rationale=rationale,
                confidence=confidence,
            )
    except IntegrityError:
        # The same reviewer's second tab won the race; point at what it saved.
        conflict = _existing_conflict(claim, user)
        if conflict:
            raise conflict from None
        raise
    record_event(
        claim=claim, actor=user, kind="assessment_created", after=assessment_state(assessment)
    )
    claim_status_refresh(claim_id=claim.pk, actor=user)
    return assessment


@transaction.atomic
def assessment_update(
    *,
    user: User,
    assessment: Assessment,
    version: int,
    verdict: str | None = None,
    rationale: str | None = None,
    confidence: float | None = None,
    clear_confidence: bool = False,
) -> Assessment:
    """A reviewer changes their own assessment; a write based on an older version is refused."""
    workspace_id = assessment.claim.workspace_id
    require_role(user=user, workspace_id=workspace_id, role=Role.REVIEWER)
    if assessment.reviewer_id != user.pk:
        raise ValidationError({"reviewer": [_("You can only change your own assessment.")]})
    fields: dict[str, object] = {}
    if verdict is not None:
        fields["verdict"] = verdict_by_slug(
            workspace_id=workspace_id, slug=verdict, keep=assessment.verdict
        )
    if rationale is not None:
        fields["rationale"] = rationale
    if confidence is not None or clear_confidence:
        check_confidence(confidence)
        fields["confidence"] = confidence
    before = (
        Assessment.objects.select_related("reviewer", "verdict")
        .filter(pk=assessment.pk, version=version)
        .first()
    )
    update_if_current(
        Assessment,
        pk=assessment.pk,
        version=version,
        fields=fields,
        stale_message=_("This assessment was changed since you loaded it (now version %(v)d)."),
    )
    assert before is not None  # the row was at `version` when read, inside this transaction
    assessment.refresh_from_db()
    old, new = assessment_state(before), assessment_state(assessment)
    if old != new:
        record_event(
            claim=assessment.claim_id,
            actor=user,
            kind="assessment_updated",
            before=old,
            after=new,
        )
    claim_status_refresh(claim_id=assessment.claim_id, actor=user)
    return assessment
