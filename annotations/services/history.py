"""The history of a claim: one ClaimEvent row for every change a user would want to trace.

Kinds written by the services (`before` / `after` hold what changed, as plain JSON):

- `highlight_added`: another reviewer's highlight joins the claim (after: reviewer and span).
- `assessment_created`, `assessment_updated`: a reviewer's verdict, rationale and confidence.
- `adjudicated`: an adjudicator's final verdict and note (before: the previous final verdict).
- `span_changed`: the claim's canonical span, as set by an adjudicator.
- `reanchored`: the span moved by a text revision (written by services.revisions).
- `edited`: the claimant or the normalised wording.
- `status_changed`: every change of status, with `reason` (assessments, consensus, adjudication,
  published) and the final verdict.
- `disagreement_opened`, `disagreement_resolved`: a verdict or span disagreement (its details).
- `source_linked`, `source_removed`: a source link (its URL, stance, title).
- `withdrawn`, `highlight_withdrawn`: the claim, or one person's highlight, undone.
- `merged`: with independent highlighting, another claim of the same passage merged into this one
  (services.merging; the absorbed claim's own events move here).
- `cluster_grouped`: the claim joined the cluster of the claims it matches (automatic; names no
  other claim, since a match says the other claim was checked), `cluster_merged`: an editor
  grouped it with another claim (after: that claim and the cluster), `cluster_split`: an editor
  split it off its group (before: the claims left), `cluster_left`: another claim was split off
  this one's group (services.clusters).

Rows are only ever added: nothing here updates or deletes one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User

from annotations.models import Assessment, Claim, ClaimEvent, LiveEvent
from annotations.services.live import live_events
from annotations.services.notifications import notify_event
from annotations.services.webhooks import webhooks_for_claim_event

_QUIET: ContextVar[bool] = ContextVar("history_quiet", default=False)


@dataclass(slots=True)
class _Recorded:
    event: ClaimEvent
    claim: Claim | None  # the claim row when the caller had it (spares reading it again)
    quiet: bool


# The events recorded inside `batched()`, written when it ends.
_BATCH: ContextVar[list[_Recorded] | None] = ContextVar("history_batch", default=None)


@contextmanager
def quietly() -> Iterator[None]:
    """Write history without telling anyone: no notification, webhook or live event for the
    events recorded inside (an import, which sends one summary when it ends instead)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


@contextmanager
def batched() -> Iterator[None]:
    """Write the events recorded inside in one insert when the block ends, then what they call
    for (notifications, webhook deliveries, and the article's live events in one statement).

    For a write that records several events (a verdict and the status it leads to): use it
    inside the write's transaction, around the changes; the events keep the order they were
    recorded in, and their live events are numbered last, as every write takes the feed's lock
    last (services.live). Events recorded inside have no id until the block ends. An exception
    inside writes nothing (the transaction rolls back anyway); inside another batch, the
    outermost one writes."""
    if _BATCH.get() is not None:
        yield
        return
    recorded: list[_Recorded] = []
    token = _BATCH.set(recorded)
    try:
        yield
    finally:
        _BATCH.reset(token)
    _write(recorded)


def record_event(
    *,
    claim: Claim | int,
    actor: User | None,
    kind: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> ClaimEvent:
    """Add one event to a claim's history (call inside the transaction that made the change), with
    the notifications it calls for (services.notifications.notify_event), the webhook deliveries
    (services.webhooks) and its place in the article's live feed (services.live); only the row
    inside quietly(). Inside batched(), all of that waits for the end of the block."""
    claim_id = claim if isinstance(claim, int) else claim.pk
    event = ClaimEvent(claim_id=claim_id, actor=actor, kind=kind, before=before, after=after)
    recorded = _Recorded(event, claim if isinstance(claim, Claim) else None, _QUIET.get())
    batch = _BATCH.get()
    if batch is not None:
        batch.append(recorded)
    else:
        _write([recorded])
    return event


def _write(recorded: list[_Recorded]) -> None:
    if not recorded:
        return
    ClaimEvent.objects.bulk_create([r.event for r in recorded])
    loud = [r for r in recorded if not r.quiet]
    for r in loud:
        notify_event(r.event, claim=r.claim)
        webhooks_for_claim_event(r.event, claim=r.claim)
    unknown = sorted({r.event.claim_id for r in loud if r.claim is None})
    article_of = (
        dict(Claim.objects.filter(pk__in=unknown).values_list("pk", "article_id"))
        if unknown
        else {}
    )
    by_article: dict[int, list[LiveEvent]] = {}
    for r in loud:
        if r.claim is not None:
            article_id = r.claim.article_id
        elif r.event.claim_id in article_of:
            article_id = article_of[r.event.claim_id]
        else:
            raise Claim.DoesNotExist(f"claim {r.event.claim_id} is not a live claim")
        by_article.setdefault(article_id, []).append(
            LiveEvent(
                kind=LiveEvent.Kind.CLAIM,
                claim_id=r.event.claim_id,
                claim_event=r.event,
                actor=r.event.actor,
            )
        )
    for article_id in sorted(by_article):
        live_events(article_id=article_id, events=by_article[article_id])


def assessment_state(assessment: Assessment) -> dict[str, Any]:
    """What the history keeps of an assessment (the verdict travels as its slug)."""
    return {
        "assessment": assessment.pk,
        "reviewer": assessment.reviewer.username,
        "verdict": assessment.verdict.slug,
        "rationale": assessment.rationale,
        "confidence": assessment.confidence,
    }


def span_state(claim: Claim) -> dict[str, Any]:
    return {"start": claim.start, "end": claim.end, "exact": claim.exact}
