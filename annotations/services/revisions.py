"""Correcting an article's text without losing the claims that point into it.

A revision keeps the text it replaces (ArticleRevision), then places every claim's canonical span
and every reviewer's highlight again in the new text (annotations.anchoring): by position when the
quote is still there, through the diff, by exact search of the quote, or by approximate search with
its prefix and suffix. What cannot be placed is kept as an orphan (no offsets), never deleted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.anchoring import ORPHAN, Anchor, Selector, reanchor, reanchor_all
from annotations.models import (
    Article,
    ArticleRevision,
    CandidateClaim,
    Claim,
    ClaimEvent,
    Highlight,
    Role,
)
from annotations.services.articles import (
    ARTICLE_STALE,
    _checked_text,
    article_request_extraction,
)
from annotations.services.versioning import require_version
from annotations.text import checksum, fingerprint, quote_at

Span = Claim | Highlight


@dataclass(frozen=True, slots=True)
class RevisionOutcome:
    """What a correction did: the revision that keeps the old text, and how each span fared."""

    revision: ArticleRevision
    article: Article
    # Re-anchoring method -> number of claims / highlights placed that way ("orphan" included).
    claims: dict[str, int] = field(default_factory=dict)
    highlights: dict[str, int] = field(default_factory=dict)
    orphaned_claim_ids: list[int] = field(default_factory=list)


def _selector(span: Span) -> Selector | None:
    if span.orphaned or span.start is None or span.end is None:
        return None
    return Selector(
        start=span.start, end=span.end, exact=span.exact, prefix=span.prefix, suffix=span.suffix
    )


def _place_all(old_text: str, new_text: str, spans: list[Span]) -> list[Anchor]:
    """One anchor per span, in order. Placed spans go through the diff; an orphan from an earlier
    revision is looked for again by its quote alone (a later correction may have restored it)."""
    selectors = [_selector(span) for span in spans]
    placed = iter(reanchor_all(old_text, new_text, [s for s in selectors if s is not None]))
    anchors = []
    for span, selector in zip(spans, selectors, strict=True):
        if selector is not None:
            anchors.append(next(placed))
        elif not span.exact:
            anchors.append(ORPHAN)
        else:
            # No old position to trust: a selector at 0 only makes the search start there.
            quote = Selector(0, len(span.exact), span.exact, span.prefix, span.suffix)
            anchors.append(reanchor(new_text, quote))
    return anchors


def _apply(span: Span, anchor: Anchor, new_text: str) -> bool:
    """Move the span to its anchor (or orphan it); return whether anything changed."""
    before = (span.start, span.end, span.exact, span.prefix, span.suffix, span.orphaned)
    if anchor.start is None or anchor.end is None:
        span.start = span.end = None
        span.orphaned = True
    else:
        quote = quote_at(new_text, anchor.start, anchor.end)
        span.start, span.end = anchor.start, anchor.end
        span.exact, span.prefix, span.suffix = quote.exact, quote.prefix, quote.suffix
        span.orphaned = False
    return before != (span.start, span.end, span.exact, span.prefix, span.suffix, span.orphaned)


def _span_state(span: Span) -> dict[str, object]:
    return {"start": span.start, "end": span.end, "exact": span.exact, "orphaned": span.orphaned}


@transaction.atomic
def article_revise(
    *, user: User, article: Article, text: str, version: int, note: str = ""
) -> RevisionOutcome:
    """Replace an article's text (editors only), keeping the old one and re-anchoring every span.

    `version` is the article's version the editor corrected: another editor's correction (or a
    change of the details) saved meanwhile refuses this one with StaleVersion, instead of one of
    the two being silently lost. Holds the article row and its claims' rows locked (in the order
    of services/__init__.py), so no highlight is made against, and no claim edited on, the text
    being replaced; extraction is queued again after commit.
    """
    require_role(user=user, workspace_id=article.workspace_id, role=Role.EDITOR)
    new_text = _checked_text(text, "text")
    article = Article.objects.select_for_update(no_key=True).get(pk=article.pk)
    require_version(current=article.version, expected=version, stale_message=_(ARTICLE_STALE))
    old_text = article.text
    if new_text == old_text:
        raise ValidationError({"text": [_("The new text is the same as the current one.")]})

    revision = ArticleRevision.objects.create(
        article=article,
        number=article.revision,
        text=old_text,
        checksum=article.checksum or checksum(old_text),
        note=note,
        created_by=user,
    )

    claims = list(
        Claim.objects.select_for_update(no_key=True).filter(article=article).order_by("pk")
    )
    highlights = list(Highlight.objects.filter(article=article).order_by("pk"))
    spans: list[Span] = [*claims, *highlights]
    anchors = _place_all(old_text, new_text, spans)
    claim_methods: Counter[str] = Counter()
    highlight_methods: Counter[str] = Counter()
    moved_claims: list[Claim] = []
    events: list[ClaimEvent] = []
    for span, anchor in zip(spans, anchors, strict=True):
        before = _span_state(span)
        changed = _apply(span, anchor, new_text)
        if isinstance(span, Claim):
            claim_methods[anchor.method] += 1
            if changed:
                span.version += 1
                moved_claims.append(span)
                events.append(
                    ClaimEvent(
                        claim=span,
                        actor=user,
                        kind="reanchored",
                        before=before,
                        after={
                            **_span_state(span),
                            "method": anchor.method,
                            "revision": revision.number + 1,
                        },
                    )
                )
        else:
            highlight_methods[anchor.method] += 1
    span_fields = ["start", "end", "exact", "prefix", "suffix", "orphaned"]
    now = timezone.now()
    for claim in moved_claims:
        claim.updated_at = now  # bulk_update does not apply auto_now
    Claim.objects.bulk_update(moved_claims, [*span_fields, "version", "updated_at"])
    Highlight.objects.bulk_update(highlights, span_fields)
    ClaimEvent.objects.bulk_create(events)

    # Pending candidates point into the old text; the extraction queued below proposes them again.
    # Decided ones stay as the record of what reviewers did.
    CandidateClaim.objects.filter(article=article, status=CandidateClaim.Status.PENDING).delete()

    article.text = new_text
    article.checksum = checksum(new_text)
    article.fingerprint = fingerprint(new_text)
    article.revision += 1
    article.version += 1
    if article.fetch_status == Article.Status.FAILED:
        # The editor supplied the text that could not be fetched: nothing is failing any more.
        article.fetch_status = ""
        article.fetch_error = ""
    article.save(
        update_fields=[
            "text",
            "checksum",
            "fingerprint",
            "revision",
            "version",
            "fetch_status",
            "fetch_error",
            "updated_at",
        ]
    )
    article_request_extraction(article_id=article.pk)
    article.refresh_from_db()
    return RevisionOutcome(
        revision=revision,
        article=article,
        claims=dict(claim_methods),
        highlights=dict(highlight_methods),
        orphaned_claim_ids=[c.pk for c in claims if c.orphaned],
    )
