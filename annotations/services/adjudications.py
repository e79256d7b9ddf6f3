"""Final verdicts set by adjudicators. Every decision is a new row: the history stays."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.errors import Conflict
from annotations.models import (
    Adjudication,
    Article,
    Assessment,
    Claim,
    Disagreement,
    Highlight,
    Role,
    Workspace,
)
from annotations.services.assessments import verdict_by_slug
from annotations.services.claims import check_span
from annotations.services.disputes import claim_disagreements_resolve
from annotations.services.history import record_event, span_state
from annotations.services.matching import claim_settled_later
from annotations.text import quote_at


def check_may_adjudicate(*, user: User, claim: Claim) -> None:
    """Nobody settles a claim they assessed, unless the workspace allows it."""
    if Workspace.objects.filter(pk=claim.workspace_id, allow_self_adjudication=True).exists():
        return
    if Assessment.objects.filter(claim_id=claim.pk, reviewer_id=user.pk).exists():
        raise PermissionDenied(
            _(
                "You assessed this claim, so another adjudicator settles it (this workspace does "
                "not allow adjudicating one's own claims)."
            )
        )


def _check_span_from(claim: Claim, username: str, start: int | None, end: int | None) -> None:
    if start is None or end is None:
        raise ValidationError({"span_from": [_("Give the extent (start and end) too.")]})
    if not Highlight.objects.filter(
        claim_id=claim.pk, user__username=username, start=start, end=end
    ).exists():
        raise ValidationError(
            {
                "span_from": [
                    _("%(name)s has no highlight of this claim from %(start)d to %(end)d.")
                    % {"name": username, "start": start, "end": end}
                ]
            }
        )


def _check_span_given(start: int | None, end: int | None, claim: Claim) -> None:
    if start is None and end is None:
        if Disagreement.objects.filter(
            claim_id=claim.pk, kind=Disagreement.Kind.SPAN, resolved_at__isnull=True
        ).exists():
            raise ValidationError(
                {
                    "start": [
                        _(
                            "The reviewers' highlights of this claim differ: give the canonical "
                            "span as start and end."
                        )
                    ]
                }
            )
        return
    if start is None or end is None:
        missing = "start" if start is None else "end"
        raise ValidationError({missing: [_("Give both start and end, or neither.")]})


@transaction.atomic
def adjudication_create(
    *,
    user: User,
    claim: Claim,
    verdict: str,
    note: str = "",
    start: int | None = None,
    end: int | None = None,
    exact: str | None = None,
    span_from: str = "",
) -> Adjudication:
    """Set a claim's final verdict, and its canonical span when the reviewers' spans differ.

    The span is checked against the article's text like a new highlight; `span_from` names the
    reviewer whose extent it is (the history records whose extent was chosen), and must match
    that reviewer's highlight. Every open disagreement of the claim is resolved (kept, with who
    settled it and how); the claim becomes resolved. A published claim is refused (409): an
    editor corrects it in public (services.publishing.claim_correct).
    """
    require_role(user=user, workspace_id=claim.workspace_id, role=Role.ADJUDICATOR)
    check_may_adjudicate(user=user, claim=claim)
    label = verdict_by_slug(workspace_id=claim.workspace_id, slug=verdict)
    _check_span_given(start, end, claim)
    # Article before claim: the order text revisions lock them in, so the two cannot deadlock.
    article = Article.objects.select_for_update(no_key=True).only("text").get(pk=claim.article_id)
    claim = (
        Claim.objects.select_for_update(no_key=True, of=("self",))
        .select_related("final_verdict")
        .get(pk=claim.pk)
    )
    if claim.status == Claim.Status.PUBLISHED:
        # What the public reads changes only openly: a correction with its note and date.
        raise Conflict(
            _(
                "This claim is published: its verdict changes only by a public correction, "
                "which an editor makes on the claim's page."
            ),
            field="verdict",
        )
    fields = ["final_verdict", "status"]
    if span_from:
        _check_span_from(claim, span_from, start, end)
    if start is not None and end is not None:
        check_span(text=article.text, start=start, end=end, exact=exact)
        if (claim.start, claim.end) != (start, end):
            before = span_state(claim)
            quote = quote_at(article.text, start, end)
            claim.start, claim.end, claim.orphaned = start, end, False
            claim.exact, claim.prefix, claim.suffix = quote.exact, quote.prefix, quote.suffix
            claim.version = F("version") + 1
            fields += ["start", "end", "orphaned", "exact", "prefix", "suffix", "version"]
            fields += ["updated_at"]
            record_event(
                claim=claim, actor=user, kind="span_changed", before=before, after=span_state(claim)
            )

    adjudication = Adjudication.objects.create(
        claim=claim, adjudicator=user, verdict=label, note=note
    )
    old_verdict = claim.final_verdict.slug if claim.final_verdict else None
    old_status = claim.status
    record_event(
        claim=claim,
        actor=user,
        kind="adjudicated",
        before={"final_verdict": old_verdict},
        after={
            "final_verdict": label.slug,
            "note": note,
            "adjudication": adjudication.pk,
            "span": {"start": claim.start, "end": claim.end, "from": span_from or None},
        },
    )
    claim.final_verdict = label
    claim.status = Claim.Status.RESOLVED
    claim.settled_at = timezone.now()
    fields.append("settled_at")
    claim.save(update_fields=fields)
    claim_settled_later(claim.pk)
    if claim.status != old_status:
        record_event(
            claim=claim,
            actor=user,
            kind="status_changed",
            before={"status": old_status, "final_verdict": old_verdict},
            after={"status": claim.status, "final_verdict": label.slug, "reason": "adjudication"},
        )
    claim_disagreements_resolve(
        claim=claim, actor=user, verdict=label.slug, adjudication=adjudication.pk
    )
    claim.refresh_from_db()
    return adjudication
