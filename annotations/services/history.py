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
from typing import Any

from django.contrib.auth.models import User

from annotations.models import Assessment, Claim, ClaimEvent, LiveEvent
from annotations.services.live import live_event
from annotations.services.notifications import notify_event
from annotations.services.webhooks import webhooks_for_claim_event

_QUIET: ContextVar[bool] = ContextVar("history_quiet", default=False)


@contextmanager
def quietly() -> Iterator[None]:
    """Write history without telling anyone: no notification, webhook or live event for the
    events recorded inside (an import, which sends one summary when it ends instead)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


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
    inside quietly()."""
    claim_id = claim if isinstance(claim, int) else claim.pk
    event = ClaimEvent.objects.create(
        claim_id=claim_id, actor=actor, kind=kind, before=before, after=after
    )
    if _QUIET.get():
        return event
    notify_event(event)
    webhooks_for_claim_event(event)
    article_id = claim.article_id if isinstance(claim, Claim) else None
    if article_id is None:
        article_id = Claim.objects.values_list("article_id", flat=True).get(pk=claim_id)
    live_event(
        article_id=article_id,
        kind=LiveEvent.Kind.CLAIM,
        claim_id=claim_id,
        claim_event=event,
        actor=actor,
    )
    return event


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
