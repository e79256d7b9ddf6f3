"""Storing the extractor's candidates for an article. Runs in a worker (annotations.tasks)."""

from __future__ import annotations

from django.db import transaction

from annotations.extraction.pipeline import extract_candidates
from annotations.extraction.scoring import RuleScorer, SentenceScorer
from annotations.models import Article, CandidateClaim
from annotations.services.articles import article_mark


def scorer_for_workspace(workspace_id: int) -> SentenceScorer:
    """The scorer a workspace extracts with: the shipped explainable rules."""
    return RuleScorer()


def article_extract(*, article_id: int) -> int:
    """Extract and store an article's candidates; return how many it has now.

    Idempotent: candidates are keyed on (article, start, end); pending ones are refreshed or
    removed, decided ones (accepted, dismissed) are never touched, so running twice changes nothing.
    """
    article = Article.objects.select_related("workspace").get(pk=article_id)
    article_mark(article_id=article_id, stage="extraction", status=Article.Status.RUNNING)
    scorer = scorer_for_workspace(article.workspace_id)
    result = extract_candidates(
        article.text,
        language=article.language or None,
        scorer=scorer,
        threshold=article.workspace.candidate_threshold,
    )
    with transaction.atomic():
        locked = Article.objects.select_for_update().only("checksum", "language").get(pk=article_id)
        if locked.checksum != article.checksum:
            # The text was revised while we read it; the revision queued a fresh extraction.
            return CandidateClaim.objects.filter(article_id=article_id).count()
        existing = {
            (c.start, c.end): c for c in CandidateClaim.objects.filter(article_id=article_id)
        }
        fresh = {(c.start, c.end): c for c in result.candidates}
        stale = [
            c.pk
            for key, c in existing.items()
            if key not in fresh and c.status == CandidateClaim.Status.PENDING
        ]
        CandidateClaim.objects.filter(pk__in=stale).delete()
        to_create = []
        to_update = []
        for key, found in fresh.items():
            fields = {
                "text": found.text,
                "score": round(found.score, 6),
                "kinds": list(found.kinds),
                "reasons": list(found.reasons),
                "claimant_guess": (found.claimant or "")[:300],
                "scorer": scorer.name,
            }
            current = existing.get(key)
            if current is None:
                to_create.append(
                    CandidateClaim(article_id=article_id, start=key[0], end=key[1], **fields)
                )
            elif current.status == CandidateClaim.Status.PENDING:
                for name, value in fields.items():
                    setattr(current, name, value)
                to_update.append(current)
        CandidateClaim.objects.bulk_create(to_create)
        CandidateClaim.objects.bulk_update(
            to_update, ["text", "score", "kinds", "reasons", "claimant_guess", "scorer"]
        )
        if not locked.language and result.language != "und":
            Article.objects.filter(pk=article_id).update(language=result.language)
        article_mark(article_id=article_id, stage="extraction", status=Article.Status.DONE)
    return CandidateClaim.objects.filter(article_id=article_id).count()
