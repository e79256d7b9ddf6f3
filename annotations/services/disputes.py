"""A claim's status from its assessments and highlights, and the disagreements behind it.

The rule, applied after every assessment and every highlight that joins a claim:

- no assessment yet: **open**;
- the verdicts disagree: **disputed** (a verdict disagreement is opened). Two verdicts disagree
  when they are different labels and either the workspace sets no `dispute_distance`, or one of
  them has no value on the scale (e.g. Unverifiable against True), or their values are further
  apart than `dispute_distance`;
- the reviewers' highlights of the claim differ in extent (a span disagreement is opened as soon
  as it is seen) and at least `reviewers_per_claim` reviewers have assessed it: **disputed**, since
  the reviewers do not agree on what the claim is;
- every assessment gives the same verdict, there are at least `reviewers_per_claim` of them and the
  workspace has `consensus_resolves`: **resolved** with that verdict as the final one (a
  `status_changed` event with reason `consensus`), no adjudication needed;
- otherwise **assessed** (verdicts within the distance but not equal, too few reviewers yet, or a
  workspace where consensus does not resolve: such claims wait for an adjudicator once enough
  reviewers are in; see annotations.queues).

A disagreement that no longer holds (the reviewers converged) is resolved, never deleted.
A claim settled by an adjudicator, or published, keeps its status: later assessments and
highlights are recorded in its history but do not reopen it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import (
    BooleanField,
    Exists,
    F,
    Field,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
)
from django.utils import timezone

from annotations.models import Adjudication, Claim, Disagreement, Highlight
from annotations.services.history import record_event
from annotations.services.matching import claim_settled_later

# (reviewer username, verdict id, verdict slug, verdict value), in the order they were given.
VerdictRow = tuple[str, int, str, float | None]


def verdicts_disagree(rows: Sequence[VerdictRow], *, distance: float | None) -> bool:
    """Whether these verdicts make a claim disputed under the workspace's dispute distance."""
    if len({row[1] for row in rows}) < 2:
        return False
    if distance is None:
        return True
    values = [row[3] for row in rows]
    if any(value is None for value in values):
        # A label without a value (Unverifiable) cannot be near a valued one, nor another label.
        return True
    numbers = [float(value) for value in values if value is not None]
    return max(numbers) - min(numbers) > distance


def _verdict_details(rows: Sequence[VerdictRow]) -> dict[str, Any]:
    values = [row[3] for row in rows]
    spread = (
        max(v for v in values if v is not None) - min(v for v in values if v is not None)
        if all(v is not None for v in values)
        else None
    )
    return {
        "assessments": [
            {"reviewer": reviewer, "verdict": slug, "value": value}
            for reviewer, _, slug, value in rows
        ],
        "distance": spread,
    }


def _span_details(
    claim: Claim, disagreements: list[Disagreement], *, placed: int
) -> dict[str, Any] | None:
    """The spread of the claim's highlights, or None when they all have the same extent.

    Once a span disagreement has been settled, only highlights added after it count, compared with
    the canonical span the adjudicator chose. `placed`: how many live highlights the claim has that
    are not orphaned (read with the claim's other facts); with fewer than two, and no settled span
    to compare one with, there is no spread to read.
    """
    settled = max(
        (d.resolved_at for d in disagreements if d.kind == "span" and d.resolved_at), default=None
    )
    if placed == 0 or (placed == 1 and (settled is None or claim.orphaned)):
        return None
    highlights = Highlight.objects.filter(claim_id=claim.pk, orphaned=False)
    if settled is not None:
        highlights = highlights.filter(created_at__gt=settled)
    rows = list(
        highlights.order_by("created_at", "id").values_list("user__username", "start", "end")
    )
    extents = {(start, end) for _, start, end in rows}
    if settled is not None and not claim.orphaned:
        extents.add((claim.start, claim.end))
    if len(extents) < 2:
        return None
    return {
        "spans": [{"reviewer": user, "start": start, "end": end} for user, start, end in rows],
        "canonical": {"start": claim.start, "end": claim.end},
    }


def _resolve(disagreement: Disagreement, *, actor: User | None, how: str, **outcome: Any) -> None:
    disagreement.resolved_at = timezone.now()
    disagreement.resolved_by = actor
    disagreement.details = {**disagreement.details, "resolution": {"how": how, **outcome}}
    disagreement.save(update_fields=["resolved_at", "resolved_by", "details"])
    record_event(
        claim=disagreement.claim_id,
        actor=actor,
        kind="disagreement_resolved",
        after={"disagreement": disagreement.pk, "kind": disagreement.kind, "how": how, **outcome},
    )


def _sync(
    claim: Claim,
    kind: str,
    details: dict[str, Any] | None,
    current: Disagreement | None,
    actor: User | None,
) -> None:
    """Open, update or resolve (as converged) the claim's disagreement of this kind."""
    if details is None:
        if current is not None:
            _resolve(current, actor=actor, how="converged")
        return
    if current is None:
        created = Disagreement.objects.create(claim_id=claim.pk, kind=kind, details=details)
        record_event(
            claim=claim,
            actor=actor,
            kind="disagreement_opened",
            after={"disagreement": created.pk, "kind": kind, **details},
        )
    elif current.details != details:
        # Who said what now (a third reviewer, a changed verdict); each change is in the history.
        current.details = details
        current.save(update_fields=["details"])


def _set_status(
    claim: Claim,
    status: str,
    final: tuple[int, str] | None,
    reason: str,
    actor: User | None,
) -> None:
    """`final`: the final verdict's id and slug, if any."""
    final_verdict_id = final[0] if final else None
    if claim.status == status and claim.final_verdict_id == final_verdict_id:
        return
    before = {"status": claim.status, "final_verdict": claim.final_slug}  # type: ignore[attr-defined]
    # The claim's version and updated_at stay: they follow what the claim says, and under blind
    # review a colleague's verdict must not move anything another reviewer can read.
    settled = timezone.now() if status == Claim.Status.RESOLVED else None
    Claim.objects.filter(pk=claim.pk).update(
        status=status, final_verdict_id=final_verdict_id, settled_at=settled
    )
    # The locked row, as just written (setting the id drops a cached final verdict of another id,
    # which is then read when asked for).
    claim.status, claim.final_verdict_id, claim.settled_at = status, final_verdict_id, settled
    claim.final_slug = final[1] if final else None  # type: ignore[attr-defined]
    if status == Claim.Status.RESOLVED:
        claim_settled_later(claim.pk)
    record_event(
        claim=claim,
        actor=actor,
        kind="status_changed",
        before=before,
        after={"status": status, "final_verdict": final[1] if final else None, "reason": reason},
    )


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the rule reads of a claim besides its row."""

    verdicts: list[VerdictRow]
    adjudicated: bool
    placed_highlights: int
    disagreements: bool


class _AboutClaim(Func):
    """A subquery about the claim of each row (its id, the one expression), written out: Django
    builds an Exists or a Subquery at a cost of about a millisecond, paid on every verdict."""

    def __init__(self, template: str, output_field: Field[Any, Any]) -> None:
        super().__init__(F("pk"), template=template, output_field=output_field)


_ADJUDICATED = (
    'EXISTS (SELECT 1 FROM "annotations_adjudication" AS "adjudication" '
    'WHERE "adjudication"."claim_id" = %(expressions)s)'
)
# Live (not withdrawn) and placed (not orphaned) highlights: what _span_details reads.
_PLACED = (
    '(SELECT COUNT(*) FROM "annotations_highlight" AS "placed" '
    'WHERE "placed"."claim_id" = %(expressions)s AND NOT "placed"."orphaned" '
    'AND "placed"."withdrawn_at" IS NULL)'
)
_DISPUTED_ONCE = (
    'EXISTS (SELECT 1 FROM "annotations_disagreement" AS "disagreement" '
    'WHERE "disagreement"."claim_id" = %(expressions)s)'
)


def _facts(claim_id: int) -> _Facts:
    """The claim's verdicts in the order given, whether it was adjudicated, how many placed
    highlights it has and whether it ever had a disagreement: one statement, made after the claim
    is locked. (Not in the locking statement: a statement sees what was committed when it
    started, and a writer that held the lock meanwhile, a colleague's verdict, committed after.)"""
    rows = list(
        Claim.all_objects.filter(pk=claim_id)
        .annotate(
            adjudicated=_AboutClaim(_ADJUDICATED, BooleanField()),
            placed=_AboutClaim(_PLACED, IntegerField()),
            disputed_once=_AboutClaim(_DISPUTED_ONCE, BooleanField()),
        )
        # One row per assessment (a LEFT JOIN: one row of NULLs when there is none).
        .order_by("assessments__created_at", "assessments__id")
        .values_list(
            "assessments__reviewer__username",
            "assessments__verdict_id",
            "assessments__verdict__slug",
            "assessments__verdict__value",
            "adjudicated",
            "placed",
            "disputed_once",
        )
    )
    if not rows:
        raise Claim.DoesNotExist(f"claim {claim_id} does not exist")
    _user, _verdict, _slug, _value, adjudicated, placed_count, disputed_once = rows[0]
    return _Facts(
        verdicts=[(u, v, s, value) for u, v, s, value, *_ in rows if v is not None],
        adjudicated=bool(adjudicated),
        placed_highlights=int(placed_count),
        disagreements=bool(disputed_once),
    )


# What the rule reads of a claim's row besides its own columns: its workspace's settings and its
# final verdict's slug, read with the locked row (columns rather than the related rows: the
# workspace row has many columns the rule never reads).
_RULE_COLUMNS = {
    "rule_distance": F("workspace__dispute_distance"),
    "rule_reviewers": F("workspace__reviewers_per_claim"),
    "rule_consensus": F("workspace__consensus_resolves"),
    "final_slug": F("final_verdict__slug"),
}


def claims_locked() -> QuerySet[Claim]:
    """Claims to lock for the rest of the transaction (filter to the one wanted), with what the
    rule reads of them: what claim_status_refresh takes as `locked`. A caller may annotate more
    (what it needs of the writer, read in the same statement)."""
    return Claim.objects.select_for_update(no_key=True, of=("self",)).annotate(**_RULE_COLUMNS)


def claim_status_refresh(
    *, claim_id: int, actor: User | None = None, locked: Claim | None = None
) -> Claim:
    """Derive a claim's status and disagreements from its assessments and highlights.

    Call inside a transaction: the claim row is locked (SELECT ... FOR UPDATE) so that two
    reviewers saving at once are counted one after the other; `locked`: the row as the caller
    already locked it in this transaction (from claims_locked). See the module docstring for the
    rule; `actor` is whoever's change triggered it, recorded in the history.
    """
    claim = locked if locked is not None else claims_locked().get(pk=claim_id)
    if claim.status == Claim.Status.PUBLISHED:
        return claim
    facts = _facts(claim.pk)
    if facts.adjudicated:
        return claim
    rows = facts.verdicts
    disagreements = (
        list(Disagreement.objects.filter(claim_id=claim.pk)) if facts.disagreements else []
    )
    open_of = {d.kind: d for d in disagreements if d.resolved_at is None}

    verdict_split = verdicts_disagree(rows, distance=claim.rule_distance)  # type: ignore[attr-defined]
    verdict_details = _verdict_details(rows) if verdict_split else None
    span_details = _span_details(claim, disagreements, placed=facts.placed_highlights)
    _sync(claim, "verdict", verdict_details, open_of.get("verdict"), actor)
    _sync(claim, "span", span_details, open_of.get("span"), actor)

    enough = len(rows) >= claim.rule_reviewers  # type: ignore[attr-defined]
    final: tuple[int, str] | None = None
    if not rows:
        status, reason = Claim.Status.OPEN, "assessments"
    elif verdict_split:
        status, reason = Claim.Status.DISPUTED, "verdict_disagreement"
    elif span_details is not None and enough:
        status, reason = Claim.Status.DISPUTED, "span_disagreement"
    elif enough and claim.rule_consensus and len({row[1] for row in rows}) == 1:  # type: ignore[attr-defined]
        status, reason, final = Claim.Status.RESOLVED, "consensus", (rows[0][1], rows[0][2])
    else:
        status, reason = Claim.Status.ASSESSED, "assessments"
    _set_status(claim, status, final, reason, actor)
    return claim


def claim_disagreements_resolve(*, claim: Claim, actor: User, **outcome: Any) -> int:
    """Resolve every open disagreement of a claim as settled by an adjudicator; return how many."""
    open_ = list(Disagreement.objects.filter(claim_id=claim.pk, resolved_at__isnull=True))
    for disagreement in open_:
        _resolve(disagreement, actor=actor, how="adjudicated", **outcome)
    return len(open_)


# Settings that change the rule above: claims follow them as soon as they change.
RULE_SETTINGS = frozenset({"dispute_distance", "consensus_resolves", "reviewers_per_claim"})


def workspace_claims_refresh(*, workspace_id: int) -> int:
    """Apply the workspace's current rule to every claim not yet settled; return how many changed.

    Run by a worker after an editor changes a setting in RULE_SETTINGS. Each claim is refreshed in
    its own short transaction; running it twice changes nothing the second time.
    """
    settled = Adjudication.objects.filter(claim_id=OuterRef("pk"))
    pending = (
        Claim.objects.filter(workspace_id=workspace_id)
        .exclude(status=Claim.Status.PUBLISHED)
        .exclude(Exists(settled))
        .order_by("pk")
        .values_list("pk", "status", "final_verdict_id")
    )
    changed = 0
    for pk, status, final in list(pending):
        with transaction.atomic():
            claim = claim_status_refresh(claim_id=pk)
        changed += (claim.status, claim.final_verdict_id) != (status, final)
    return changed
