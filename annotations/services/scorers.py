"""Trained check-worthiness scorers: the training data a workspace's reviewers made, and storing
versioned models. Training itself is in annotations.extraction (no Django); the command
`manage.py train_claim_scorer` ties the two together.

What counts as a label (sentence by sentence, as the scorer is used):

- an accepted candidate is check-worthy (1), a dismissed one is not (0);
- in an article where someone highlighted a claim by hand, each sentence holding a claim is
  check-worthy, and each other sentence is not, unless the extractor proposed it and nobody has
  decided yet (left out: undecided). Someone who highlights by hand has read the article and
  passed over those sentences; that is the CLEF labelling itself (a sentence no journalist
  checked is 0). It can be turned off (`article_negatives=False`) for desks whose reviewers
  highlight only some of what is check-worthy; sentences holding a claim still count as 1;
- a sentence holding a claim is check-worthy even if its candidate was dismissed (someone
  highlighted it: usually the dismissal only meant "already there").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction

from annotations.extraction.language import detect_language, normalise_language
from annotations.extraction.learned import LearnedScorer
from annotations.extraction.segment import split_sentences
from annotations.extraction.training import LabelledSentence
from annotations.models import Article, CandidateClaim, Claim, ScorerModel

Span = tuple[int, int]


def _overlaps(start: int, end: int, spans: Iterable[Span]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)


def _language(article: Article) -> str:
    return normalise_language(article.language or None) or detect_language(article.text)


def workspace_training_examples(
    *, workspace_id: int, article_negatives: bool = True
) -> list[LabelledSentence]:
    """The workspace's reviewers' decisions as labelled sentences, one group per article."""
    labels: dict[tuple[int, Span], tuple[str, int]] = {}
    claim_spans: dict[int, list[Span]] = defaultdict(list)
    for article_id, start, end in Claim.objects.filter(
        workspace_id=workspace_id, orphaned=False
    ).values_list("article_id", "start", "end"):
        if start is not None and end is not None:  # orphans have no span
            claim_spans[article_id].append((start, end))
    candidate_spans: dict[int, list[Span]] = defaultdict(list)
    for article_id, start, end, text, status in CandidateClaim.objects.filter(
        article__workspace_id=workspace_id
    ).values_list("article_id", "start", "end", "text", "status"):
        candidate_spans[article_id].append((start, end))
        if status == CandidateClaim.Status.PENDING:
            continue
        holds_claim = _overlaps(start, end, claim_spans[article_id])
        label = 1 if status == CandidateClaim.Status.ACCEPTED or holds_claim else 0
        labels[(article_id, (start, end))] = (text, label)

    hand_marked = (
        Claim.objects.filter(workspace_id=workspace_id, orphaned=False, origin=Claim.Origin.MANUAL)
        .values_list("article_id", flat=True)
        .distinct()
    )
    languages: dict[int, str] = {}
    articles = Article.objects.filter(pk__in=hand_marked).only("pk", "text", "language")
    for article in articles.iterator(chunk_size=100):
        languages[article.pk] = _language(article)
        for start, end in split_sentences(article.text, languages[article.pk]):
            key = (article.pk, (start, end))
            text = article.text[start:end]
            if _overlaps(start, end, claim_spans[article.pk]):
                labels[key] = (text, 1)
            elif (
                article_negatives
                and key not in labels
                and not _overlaps(start, end, candidate_spans[article.pk])
            ):
                labels[key] = (text, 0)

    missing = {article_id for article_id, _ in labels} - set(languages)
    for article in Article.objects.filter(pk__in=missing).only("pk", "text", "language"):
        languages[article.pk] = _language(article)
    return [
        LabelledSentence(text, languages[article_id], label, f"article {article_id}")
        for (article_id, _), (text, label) in sorted(labels.items())
        if text.strip()
    ]


@transaction.atomic
def scorer_model_store(
    *,
    scorer: LearnedScorer,
    workspace_id: int | None,
    trained_from: str,
    metrics: dict[str, object],
    activate: bool = False,
    user: User | None = None,
) -> ScorerModel:
    """Save a trained model under its version; with ``activate`` the workspace extracts with it
    from now on (its previously active model is kept, inactive)."""
    if activate:
        if workspace_id is None:
            raise ValueError("only a workspace's model can be activated")
        ScorerModel.objects.select_for_update().filter(
            workspace_id=workspace_id, is_active=True
        ).update(is_active=False)
    return ScorerModel.objects.create(
        workspace_id=workspace_id,
        version=scorer.name,
        trained_from=trained_from[:200],
        n_examples=scorer.metadata.n_examples,
        metrics=metrics,
        data=scorer.dumps(),
        is_active=activate,
        created_by=user,
    )
