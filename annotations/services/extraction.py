"""Storing the extractor's candidates for an article. Runs in a worker (annotations.tasks).

In three steps, so that the article's row is locked only while the result is written:

1. start (a short transaction): an article whose extraction is done already is left alone (a
   redelivered or duplicated task is a no-op; every change of the text queues the extraction
   again in the transaction that makes it); otherwise it is marked running and its text read;
2. score the sentences and look for already-checked claims that say the same, outside any
   transaction (seconds for a long article: nobody waits for it);
3. apply (one short transaction, the article locked first, as services/__init__.py orders): if
   the text or language changed meanwhile (a correction, which queued a fresh extraction), the
   result is dropped; otherwise the candidates are brought to the result with set-based writes
   (a few statements whatever their number, only the rows that differ), and the article is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Q

from annotations.extraction.pipeline import ExtractionResult, default_scorer, extract_candidates
from annotations.extraction.scoring import SentenceScorer
from annotations.models import Article, CandidateClaim, ScorerModel
from annotations.services.articles import article_mark, article_request_extraction
from annotations.services.matching import Match, candidate_matches_store, find_similar

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


@dataclass(frozen=True, slots=True)
class _Read:
    """What the extraction read when it started: the result applies to this text only."""

    workspace_id: int
    threshold: float
    text: str
    checksum: str
    language: str
    version: int
    # When the run being done was asked for: a later request (a new scorer, a changed threshold,
    # "Re-run extraction") made while this one scores must still run.
    requested_at: datetime | None


# Fields the extractor sets on a pending candidate (decided ones are never touched).
_FIELDS = ("text", "score", "kinds", "reasons", "claimant_guess", "scorer")
# Rows per UPDATE when many pending candidates change at once (a new scorer): a bulk_update
# compares each row with every row of its statement, so unbounded statements grew with the
# square of the candidates (8,000 took 400 s); bounded ones grow linearly.
_UPDATE_BATCH = 200


def article_extract(*, article_id: int) -> int:
    """Extract and store an article's candidates; return how many it has now.

    Idempotent: candidates are keyed on (article, start, end); pending ones are refreshed or
    removed, decided ones (accepted, dismissed) are never touched, and an article already done
    for its current text is left as it is, so running twice changes nothing.
    """
    read = _start(article_id)
    if read is not None:
        scorer = scorer_for_workspace(read.workspace_id)
        result = extract_candidates(
            read.text,
            language=read.language or None,
            scorer=scorer,
            threshold=read.threshold,
        )
        texts = [found.text for found in result.candidates]
        matches = find_similar(workspace_id=read.workspace_id, texts=texts)
        _apply(article_id, read, result, scorer.name, dict(zip(texts, matches, strict=True)))
    return CandidateClaim.objects.filter(article_id=article_id).count()


@transaction.atomic
def _start(article_id: int) -> _Read | None:
    """Mark the extraction running and read the text, or None when there is nothing to do."""
    article = (
        Article.objects.select_for_update(no_key=True, of=("self",))
        .select_related("workspace")
        .filter(pk=article_id)
        .first()
    )
    if article is None or not article.text:
        return None
    if article.extraction_status == Article.Status.DONE:
        # Done for the current text: a redelivered or duplicated task (a correction or "Re-run
        # extraction" sets it queued first). Scoring again could only fail (a time limit) a
        # finished article.
        return None
    article_mark(article_id=article_id, stage="extraction", status=Article.Status.RUNNING)
    return _Read(
        workspace_id=article.workspace_id,
        threshold=article.workspace.candidate_threshold,
        text=article.text,
        checksum=article.checksum,
        language=article.language,
        version=article.version,
        requested_at=article.extraction_requested_at,
    )


@transaction.atomic
def _apply(
    article_id: int,
    read: _Read,
    result: ExtractionResult,
    scorer: str,
    matches: dict[str, list[Match]],
) -> bool:
    """Store the result if the article still has the text it was computed from; return whether
    it was stored. The article is marked done only when no other run was asked for meanwhile:
    otherwise it stays queued, for that run."""
    locked = (
        Article.objects.select_for_update(no_key=True)
        .only("checksum", "language", "version", "extraction_status", "extraction_requested_at")
        .filter(pk=article_id)
        .first()
    )
    if locked is None:
        return False  # deleted meanwhile
    asked_again = locked.extraction_requested_at != read.requested_at
    if locked.version != read.version and (
        locked.checksum != read.checksum or locked.language != read.language
    ):
        # Corrected (or its language changed) while we scored: the result is for a text that is
        # gone, and dropped. A correction queues a fresh extraction itself; a change that did
        # not (the language set by hand) gets one here, so the article is never left running.
        if not asked_again:
            article_request_extraction(article_id=article_id)
        return False
    _store_candidates(article_id, result, scorer)
    pending = list(
        CandidateClaim.objects.filter(
            article_id=article_id, status=CandidateClaim.Status.PENDING
        ).values_list("pk", "text")
    )
    candidate_matches_store(
        candidates=pending, found=[matches.get(text, []) for _pk, text in pending]
    )
    fields: dict[str, Any] = {}
    if not read.language and result.language != "und":
        fields["language"] = result.language
        fields["version"] = locked.version + 1  # a change of the details (Article.version)
    if fields:
        Article.objects.filter(pk=article_id).update(**fields)
    if not asked_again:
        article_mark(article_id=article_id, stage="extraction", status=Article.Status.DONE)
    return True


def _store_candidates(article_id: int, result: ExtractionResult, scorer: str) -> None:
    """Bring the article's pending candidates to the result: delete those no longer found,
    create the new ones, update only those that differ, each in statements of bounded size."""
    wanted = {
        (found.start, found.end): {
            "text": found.text,
            "score": round(found.score, 6),
            "kinds": list(found.kinds),
            "reasons": list(found.reasons),
            "claimant_guess": (found.claimant or "")[:300],
            "scorer": scorer,
        }
        for found in result.candidates
    }
    existing = CandidateClaim.objects.filter(article_id=article_id).values_list(
        "pk", "start", "end", "status", *_FIELDS
    )
    stale: list[int] = []
    changed: list[CandidateClaim] = []
    kept: set[tuple[int, int]] = set()
    for pk, start, end, status, *values in existing:
        key = (start, end)
        kept.add(key)
        fields = wanted.get(key)
        if status != CandidateClaim.Status.PENDING:
            continue  # a reviewer's decision stays as it is
        if fields is None:
            stale.append(pk)
        elif list(fields.values()) != values:
            changed.append(CandidateClaim(pk=pk, **fields))
    if stale:
        _delete_pending(stale)
    CandidateClaim.objects.bulk_update(changed, list(_FIELDS), batch_size=_UPDATE_BATCH)
    CandidateClaim.objects.bulk_create(
        CandidateClaim(article_id=article_id, start=key[0], end=key[1], **fields)
        for key, fields in wanted.items()
        if key not in kept
    )


def _delete_pending(ids: Sequence[int]) -> None:
    # Still pending: checked again in the statement, though the article's lock already keeps
    # reviewers' decisions out while this runs.
    CandidateClaim.objects.filter(Q(pk__in=ids), status=CandidateClaim.Status.PENDING).delete()
