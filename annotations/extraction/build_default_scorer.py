"""Rebuild the shipped check-worthiness model (default_model/embed-1.json): `make default-scorer`.

Trained only on the news sets the project wrote: bench/data/fr, bench/data/en and the development
halves bench/data/news2/{fr,en}/dev. Never on the news2 test halves (held out) nor on the CLEF
debates (research licence; the shipped model must not depend on them).

What it does, and prints:

1. cross-validation over whole articles (5 folds) of the rules and of the model at a few
   regularisation strengths, for the record (the shipped C is ``checkworthy.C``, chosen this
   way);
2. the operating point: on the out-of-fold scores of the French articles, the highest decision
   value that keeps recall at ``RECALL_TARGET``; the intercept is then shifted so that this
   point falls at the extractor's default threshold (0.35), so a workspace's threshold means
   the same for the rules and for the model;
3. the model trained on every article, written as JSON.

    python -m annotations.extraction.build_default_scorer [--output PATH] [--check]

``--check`` retrains and compares with the shipped file instead of writing it (weights equal
to 4 decimals, same threshold), to show the file is what this script makes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .checkworthy import (
    DEFAULT_MODEL_PATH,
    C,
    CachingEmbedder,
    EmbeddingScorer,
    LinearModel,
    fit_linear,
    train_embedding_scorer,
    training_matrix,
)
from .embeddings import load_embedder
from .evaluation import average_precision, f1_at_threshold
from .pipeline import DEFAULT_THRESHOLD
from .training import LabelledSentence, assign_folds, examples_from_tsv

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / "data"
SOURCES = (
    ("fr", DATA / "fr"),
    ("en", DATA / "en"),
    ("fr", DATA / "news2" / "fr" / "dev"),
    ("en", DATA / "news2" / "en" / "dev"),
)
VERSION = "embed-1"
FOLDS = 5
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
# French recall the threshold keeps on out-of-fold development scores. The aim on held-out news
# is 0.88 at precision 0.75; recall measured on ~350 positives moves by a couple of points from
# one set of articles to another, so the development point keeps a margin.
RECALL_TARGET = 0.94


def training_examples() -> list[LabelledSentence]:
    examples: list[LabelledSentence] = []
    for language, folder in SOURCES:
        files = sorted(folder.glob("*.tsv"))
        if not files:
            raise SystemExit(f"no .tsv files in {folder}")
        examples += examples_from_tsv(files, language=language)
    return examples


def out_of_fold(
    features: np.ndarray, labels: np.ndarray, fold: Sequence[int], k: int, c: float
) -> np.ndarray:
    decisions = np.zeros(len(labels))
    folds = np.asarray(fold)
    for held in range(k):
        model = fit_linear(features[folds != held], labels[folds != held], c=c)
        decisions[folds == held] = model.decision(features[folds == held])
    return decisions


def article_map(examples: Sequence[LabelledSentence], scores: Any, language: str) -> float:
    groups: dict[str, tuple[list[float], list[int]]] = {}
    for example, score in zip(examples, scores, strict=True):
        if example.language == language:
            groups.setdefault(example.group, ([], []))
            groups[example.group][0].append(float(score))
            groups[example.group][1].append(example.label)
    return sum(average_precision(s, y) for s, y in groups.values()) / len(groups)


def operating_point(decisions: np.ndarray, labels: np.ndarray, target: float) -> float:
    """The highest decision value whose recall is at least ``target``."""
    positives = np.sort(decisions[labels == 1])[::-1]
    needed = math.ceil(target * len(positives))
    return float(positives[needed - 1])


def report(title: str, scores: np.ndarray, labels: np.ndarray, threshold: float) -> str:
    figures = f1_at_threshold(list(scores), list(labels), threshold)
    return (
        f"{title}: P {figures.precision:.3f} R {figures.recall:.3f} F1 {figures.f1:.3f} "
        f"(tp {figures.true_positives}, fp {figures.false_positives}, "
        f"fn {figures.false_negatives})"
    )


def build() -> tuple[EmbeddingScorer, dict[str, object]]:
    embedder = load_embedder("")
    if embedder is None:
        raise SystemExit("the default embedder (USE multilingual v3) did not load")
    cached = CachingEmbedder(embedder)
    examples = training_examples()
    rows = [(e.text, e.language, e.label) for e in examples]
    features, labels = training_matrix(rows, cached)
    french = np.asarray([e.language == "fr" for e in examples])
    positives = int(labels.sum())
    print(
        f"{len(examples)} sentences ({positives} check-worthy) in "
        f"{len({e.group for e in examples})} articles, from "
        + ", ".join(str(folder.relative_to(ROOT)) for _, folder in SOURCES)
    )
    fold, k, method = assign_folds(examples, FOLDS, unit="article")
    print(f"{method}:")
    rule_scores = 1 / (1 + np.exp(-features[:, len(features[0]) - embedder.dimension - 2]))
    print(
        f"  rules: article MAP fr {article_map(examples, rule_scores, 'fr'):.3f} "
        f"en {article_map(examples, rule_scores, 'en'):.3f}"
    )
    chosen = None
    for c in C_GRID:
        decisions = out_of_fold(features, labels, fold, k, c)
        marker = "  (shipped)" if c == C else ""
        print(
            f"  model C={c}: article MAP fr {article_map(examples, decisions, 'fr'):.3f} "
            f"en {article_map(examples, decisions, 'en'):.3f}{marker}"
        )
        if c == C:
            chosen = decisions
    assert chosen is not None
    point = operating_point(chosen[french], labels[french], RECALL_TARGET)
    shift = math.log(DEFAULT_THRESHOLD / (1 - DEFAULT_THRESHOLD)) - point
    shifted = 1 / (1 + np.exp(-(chosen + shift)))
    print(f"operating point: French out-of-fold recall {RECALL_TARGET} -> decision {point:+.3f}")
    print("  " + report("fr out-of-fold", shifted[french], labels[french], DEFAULT_THRESHOLD))
    print("  " + report("en out-of-fold", shifted[~french], labels[~french], DEFAULT_THRESHOLD))
    cv = {
        "fr": f1_at_threshold(list(shifted[french]), list(labels[french]), DEFAULT_THRESHOLD),
        "en": f1_at_threshold(list(shifted[~french]), list(labels[~french]), DEFAULT_THRESHOLD),
    }
    details: dict[str, object] = {
        "trained_on": [str(folder.relative_to(ROOT)) for _, folder in SOURCES],
        "cross_validation": method,
        "threshold": DEFAULT_THRESHOLD,
        "threshold_rule": f"French out-of-fold recall {RECALL_TARGET}, intercept shifted by "
        f"{shift:+.4f} so that it falls at {DEFAULT_THRESHOLD}",
        "out_of_fold_at_threshold": {
            language: {"precision": round(m.precision, 4), "recall": round(m.recall, 4)}
            for language, m in cv.items()
        },
        "built_by": "python -m annotations.extraction.build_default_scorer",
    }
    scorer = train_embedding_scorer(rows, version=VERSION, embedder=cached, c=C, details=details)
    model = scorer.model
    shipped = EmbeddingScorer(
        LinearModel(model.names, model.coefficients, model.intercept + shift),
        scorer.metadata,
        embedder,
    )
    return shipped, details


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    scorer, _ = build()
    if args.check:
        current = json.loads(args.output.read_text(encoding="utf-8"))
        made = scorer.to_json()
        same = np.allclose(current["coefficients"], made["coefficients"], atol=1e-4) and (
            abs(current["intercept"] - made["intercept"]) < 1e-4
        )
        print(f"{args.output}: {'same model' if same else 'DIFFERS from what this script makes'}")
        sys.exit(0 if same else 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(scorer.dumps())
    print(f"written {args.output} ({args.output.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
