"""Reviewers' verdicts on claims, and the claim status they imply."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, F, Func, JSONField, OuterRef, Subquery, Value
from django.db.models.functions import JSONObject
from django.http import Http404
from django.utils.translation import gettext as _

from annotations.access import check_role, require_role, role_column, role_of
from annotations.errors import Conflict
from annotations.models import Assessment, Claim, Role, VerdictLabel
from annotations.services.disputes import claim_status_refresh, claims_locked
from annotations.services.history import assessment_state, batched, record_event
from annotations.services.versioning import update_if_current

__all__ = ["assessment_create", "assessment_update", "claim_status_refresh", "verdict_by_slug"]


def verdict_by_slug(
    *, workspace_id: int, slug: str, field: str = "verdict", keep: VerdictLabel | None = None
) -> VerdictLabel:
    """The label of the workspace's scale a new verdict names; a retired label is refused, unless
    it is the one the verdict already had (`keep`)."""
    verdict = VerdictLabel.objects.filter(workspace_id=workspace_id, slug=slug).first()
    return _verdict_offered(
        workspace_id=workspace_id, slug=slug, verdict=verdict, field=field, keep=keep
    )


class _AssessmentOf(Func):
    """The id of the user's assessment of the claim (the row), NULL when none: written out,
    since Django builds a Subquery at the cost of a millisecond on every verdict."""

    template = (
        '(SELECT "mine"."id" FROM "annotations_assessment" AS "mine" '
        'WHERE "mine"."claim_id" = %(expressions)s LIMIT 1)'
    )
    arg_joiner = ' AND "mine"."reviewer_id" = '
    output_field = BigIntegerField(null=True)


def _label_column(slug: str) -> Subquery:
    """The workspace's label of that slug (None when there is none), read as a column of the
    claim's row: the label's fields as JSON."""
    fields = ("id", "slug", "name", "value", "position", "retired")
    return Subquery(
        VerdictLabel.objects.filter(workspace_id=OuterRef("workspace_id"), slug=slug).values(
            json=JSONObject(**{name: name for name in fields})
        )[:1],
        output_field=JSONField(),
    )


def _label_from(workspace_id: int, column: dict[str, Any] | str | None) -> VerdictLabel | None:
    if column is None:
        return None
    values = json.loads(column) if isinstance(column, str) else column
    return VerdictLabel(
        id=values["id"],
        workspace_id=workspace_id,
        slug=values["slug"],
        name=values["name"],
        value=values["value"],
        position=values["position"],
        retired=bool(values["retired"]),
    )


def _verdict_offered(
    *,
    workspace_id: int,
    slug: str,
    verdict: VerdictLabel | None,
    field: str = "verdict",
    keep: VerdictLabel | None = None,
) -> VerdictLabel:
    """`verdict`, the label found for `slug`, checked: a retired one is refused unless it is
    `keep`, none at all names the labels on offer."""
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
    return _conflict(existing)


def _conflict(existing: Assessment) -> Conflict:
    return Conflict(
        _("You have already assessed this claim; change your assessment instead."),
        field="verdict",
        existing=existing,
    )


def assessment_create(
    *,
    user: User,
    claim: Claim,
    verdict: str,
    rationale: str = "",
    confidence: float | None = None,
) -> Assessment:
    """A reviewer's verdict on a claim, and the claim's status and disagreements that follow.

    One transaction: the claim is locked first, read with the writer's role, the label named and
    whether the writer assessed it already (one statement); then the assessment, the status rule
    (services.disputes) and the history, written in one insert with its live events."""
    try:
        return _assessment_create(
            user=user, claim=claim, verdict=verdict, rationale=rationale, confidence=confidence
        )
    except IntegrityError:
        # The same reviewer's second tab won the race (saved while this one waited for the claim,
        # which its first look could not see); the transaction is rolled back: point at it.
        conflict = _existing_conflict(claim, user)
        if conflict:
            raise conflict from None
        raise


@transaction.atomic
def _assessment_create(
    *, user: User, claim: Claim, verdict: str, rationale: str, confidence: float | None
) -> Assessment:
    locked = (
        claims_locked()
        .annotate(
            writer_role=role_column(user=user),
            label=_label_column(verdict),
            mine=_AssessmentOf(F("pk"), Value(user.pk)),
        )
        # Someone outside the workspace locks nothing: 404, as for a claim that is not there.
        .filter(pk=claim.pk, writer_role__isnull=False)
        .first()
    )
    if locked is None:
        raise Http404(_("Not found."))
    check_role(current=role_of(locked.writer_role), needed=Role.REVIEWER)
    label = _verdict_offered(
        workspace_id=locked.workspace_id,
        slug=verdict,
        verdict=_label_from(locked.workspace_id, locked.label),
    )
    check_confidence(confidence)
    if locked.mine is not None:
        raise _conflict(Assessment.objects.get(pk=locked.mine))
    with batched():
        assessment = Assessment.objects.create(
            claim=locked,
            reviewer=user,
            verdict=label,
            initial_verdict=label,
            rationale=rationale,
            confidence=confidence,
        )
        record_event(
            claim=locked, actor=user, kind="assessment_created", after=assessment_state(assessment)
        )
        claim_status_refresh(claim_id=locked.pk, actor=user, locked=locked)
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
    with batched():  # the change and the status it leads to, in one insert
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
