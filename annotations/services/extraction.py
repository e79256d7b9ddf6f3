"""Storing the extractor's candidates for an article. Runs in a worker (annotations.tasks)."""

from __future__ import annotations

from functools import lru_cache

from django.db import transaction

from annotations.extraction.pipeline import default_scorer, extract_candidates
from annotations.extraction.scoring import SentenceScorer
from annotations.models import Article, CandidateClaim, ScorerModel
from annotations.services.articles import article_mark
from annotations.services.matching import candidate_matches_refresh

# Trained models kept loaded per worker process (a few MB each), keyed by their version: a
# newly activated model has a new version, so nothing stale is ever served.
_LOADED_MODELS = 8


def scorer_for_workspace(workspace_id: int) -> SentenceScorer:
    """The scorer a workspace extracts with: its active trained model, else the shipped rules."""
    active = (
        ScorerModel.objects.filter(workspace_id=workspace_id, is_active=True)
        .values_list("pk", "version")
        .first()
    )
    if active is None:
        return default_scorer()
    return _learned_scorer(*active)


@lru_cache(maxsize=_LOADED_MODELS)
def _learned_scorer(pk: int, version: str) -> SentenceScorer:
    # Imported here so that the default path never loads scikit-learn.
    from annotations.extraction.learned import LearnedScorer

    data = ScorerModel.objects.values_list("data", flat=True).get(pk=pk)
    scorer = LearnedScorer.loads(bytes(data))
    if scorer.name != version:
        raise ValueError(f"scorer model {pk} holds version {scorer.name!r}, not {version!r}")
    return scorer


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
        # Already-checked claims that say the same, shown beside each candidate.
        candidate_matches_refresh(article_id=article_id, workspace_id=article.workspace_id)
        article_mark(article_id=article_id, stage="extraction", status=Article.Status.DONE)
    return CandidateClaim.objects.filter(article_id=article_id).count()
