"""Recall and precision of the default rules at DEFAULT_THRESHOLD on the news sets.

bench/data/fr (12 invented French news articles) and bench/data/en (4 English ones), one
sentence per line, label 1 for check-worthy (guideline in bench/data/README.md). Prints, per
language: per-article figures, totals, the development / held-out halves separately (the rules
were tuned looking at the development half only; see the README for how the held-out half was
used), a threshold sweep, the end-to-end figures through ``extract_candidates`` on the article
text, sentence-splitting agreement with the lines, and claimant accuracy.

    .venv/bin/python bench/french_eval.py [--ner]

``--ner`` scores the French set with ``RuleScorer(use_ner=True)`` (spaCy's fr_core_news_sm) to
show what the optional entity signal changes; the end-to-end figures always use the default.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotations.extraction.evaluation import (  # noqa: E402
    ClefLine,
    f1_at_threshold,
    mean_average_precision,
    read_clef_tsv,
)
from annotations.extraction.pipeline import (  # noqa: E402
    DEFAULT_THRESHOLD,
    ClaimantResolver,
    default_scorer,
    extract_candidates,
)
from annotations.extraction.scoring import RuleScorer, SentenceScorer  # noqa: E402
from annotations.extraction.segment import split_sentences  # noqa: E402

DATA = ROOT / "bench" / "data"
DEVELOPMENT = {"fr_01", "fr_02", "fr_03", "fr_04", "fr_05", "fr_06", "en_01", "en_02"}
SWEEP = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
SENTENCES_PER_PARAGRAPH = 3


def article_text(lines: Sequence[ClefLine]) -> str:
    texts = [line.text for line in lines]
    return "\n\n".join(
        " ".join(texts[start : start + SENTENCES_PER_PARAGRAPH])
        for start in range(0, len(texts), SENTENCES_PER_PARAGRAPH)
    )


def prf(scores: Sequence[float], labels: Sequence[int], threshold: float) -> str:
    figures = f1_at_threshold(scores, labels, threshold)
    return (
        f"P={figures.precision:.3f} R={figures.recall:.3f} F1={figures.f1:.3f} "
        f"(tp={figures.true_positives} fp={figures.false_positives} "
        f"fn={figures.false_negatives})"
    )


def evaluate(language: str, scorer: SentenceScorer) -> None:
    articles = {path.stem: read_clef_tsv(path) for path in sorted((DATA / language).glob("*.tsv"))}
    scores: dict[str, list[float]] = {}
    for name, lines in articles.items():
        scores[name] = [scorer.score(line.text, language).score for line in lines]
    labels = {name: [line.label for line in lines] for name, lines in articles.items()}
    total = sum(len(lines) for lines in articles.values())
    positives = sum(sum(values) for values in labels.values())
    print(
        f"\n=== {language}: {len(articles)} articles, {total} sentences, {positives} check-worthy"
    )
    print(f"scorer {scorer.name}, threshold {DEFAULT_THRESHOLD}")
    for name in articles:
        print(f"  {name:28} {prf(scores[name], labels[name], DEFAULT_THRESHOLD)}")

    def pooled(names: Sequence[str]) -> tuple[list[float], list[int]]:
        return (
            [score for name in names for score in scores[name]],
            [label for name in names for label in labels[name]],
        )

    every = list(articles)
    development = [name for name in every if name[:5] in DEVELOPMENT]
    held_out = [name for name in every if name[:5] not in DEVELOPMENT]
    for title, names in (("all", every), ("development", development), ("held-out", held_out)):
        print(f"{title:12} {prf(*pooled(names), DEFAULT_THRESHOLD)}")
    article_map = mean_average_precision((scores[name], labels[name]) for name in every)
    print(f"MAP over articles: {article_map:.3f}")
    print("threshold sweep (all):")
    for threshold in SWEEP:
        print(f"  {threshold:.2f} {prf(*pooled(every), threshold)}")

    end_to_end(language, articles)


def end_to_end(language: str, articles: dict[str, list[ClefLine]]) -> None:
    """Run the real pipeline on each article's text and match candidates back to lines."""
    exact = sentences = 0
    predicted: list[float] = []
    gold: list[int] = []
    claimants_right = claimants_expected = claimants_spurious = 0
    detected = set()
    for lines in articles.values():
        text = article_text(lines)
        spans = split_sentences(text, language)
        pieces = {text[start:end] for start, end in spans}
        exact += sum(1 for line in lines if line.text in pieces)
        sentences += len(lines)
        result = extract_candidates(text)
        detected.add(result.language)
        chosen = {candidate.text for candidate in result.candidates}
        predicted += [1.0 if line.text in chosen else 0.0 for line in lines]
        gold += [line.label for line in lines]
        resolver = ClaimantResolver([line.text for line in lines], language)
        for index, line in enumerate(lines):
            guess = resolver.at(index) or ""
            if line.speaker:
                claimants_expected += 1
                claimants_right += guess == line.speaker
            elif guess:
                claimants_spurious += 1
    print(f"end to end (extract_candidates, language detected as {sorted(detected)}):")
    print(f"  {prf(predicted, gold, 0.5)}")
    print(f"sentence splitting: {exact}/{sentences} lines recovered exactly")
    print(
        f"claimants: {claimants_right}/{claimants_expected} right where the line names one; "
        f"{claimants_spurious} guessed where the line names none"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ner", action="store_true")
    args = parser.parse_args(argv)
    evaluate("fr", RuleScorer(use_ner=True) if args.ner else default_scorer())
    evaluate("en", default_scorer())


if __name__ == "__main__":
    main()
