"""Check-worthiness ranking quality on the CLEF 2019 CheckThat! English training debates.

Prints, per debate, the average precision and P@5/P@10/P@20 of the default rules and of the
learned scorer trained leave-one-debate-out (trained on the other 18 debates, scored on the
held-out one), then the means. The data is read from /work/shared/data/clef2019-en at run time
(research-use licence): it is never copied into the project, and no model trained on it is
saved.

    .venv/bin/python bench/clef_eval.py [--data DIR] [--rules-only] [--features ngrams|embeddings]

``--features`` picks the learned model as ``train_claim_scorer --features`` does: ``embeddings``
(the command's default when the embedder loads) or ``ngrams`` (this script's default, the
figure the README has reported since the first version).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotations.extraction.evaluation import (  # noqa: E402
    ClefLine,
    average_precision,
    precision_at_k,
    read_clef_tsv,
)
from annotations.extraction.scoring import RuleScorer  # noqa: E402

DEFAULT_DATA = Path("/work/shared/data/clef2019-en")
CUTOFFS = (5, 10, 20)


def ranking_figures(scores: Sequence[float], labels: Sequence[int]) -> list[float]:
    return [average_precision(scores, labels)] + [
        precision_at_k(scores, labels, k) for k in CUTOFFS
    ]


def print_table(title: str, rows: dict[str, list[float]]) -> list[float]:
    print(f"\n{title}")
    print(f"{'debate':32} {'AP':>6} " + " ".join(f"{'P@' + str(k):>6}" for k in CUTOFFS))
    for name, figures in rows.items():
        print(f"{name:32} " + " ".join(f"{value:6.3f}" for value in figures))
    means = [sum(column) / len(column) for column in zip(*rows.values(), strict=True)]
    print(f"{'mean (MAP, mean P@k)':32} " + " ".join(f"{value:6.3f}" for value in means))
    return means


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rules-only", action="store_true")
    parser.add_argument("--features", choices=("ngrams", "embeddings"), default="ngrams")
    args = parser.parse_args(argv)

    debates: dict[str, list[ClefLine]] = {
        path.stem: read_clef_tsv(path) for path in sorted(args.data.glob("*.tsv"))
    }
    if not debates:
        raise SystemExit(f"no .tsv files in {args.data}")
    lines = sum(len(rows) for rows in debates.values())
    positives = sum(row.label for rows in debates.values() for row in rows)
    print(f"{len(debates)} debates, {lines} sentences, {positives} check-worthy")

    rules = RuleScorer()
    rule_rows = {
        name: ranking_figures(
            [rules.score(row.text, "en").score for row in rows], [row.label for row in rows]
        )
        for name, rows in debates.items()
    }
    rule_means = print_table(f"default rules ({rules.name})", rule_rows)
    if args.rules_only:
        return

    # The code path of `manage.py train_claim_scorer --from-tsv FILE... --folds 19`: examples
    # grouped by file, whole files per fold (here one debate per fold: leave-one-debate-out).
    from annotations.extraction.learned import train_scorer
    from annotations.extraction.training import (
        assign_folds,
        check_examples,
        examples_from_tsv,
        out_of_fold_scores,
        ranking_metrics,
    )

    examples = examples_from_tsv(sorted(args.data.glob("*.tsv")), language="en")
    check_examples(examples)
    started = time.perf_counter()
    # Kept in memory only: a model trained on CLEF data must not be saved in the project.
    assignment, folds, method = assign_folds(examples, len(debates), unit="debate")
    train: Callable[..., Any] = train_scorer
    label = "word+char TF-IDF + rule features, LR"
    if args.features == "embeddings":
        from functools import partial

        from annotations.extraction.checkworthy import (
            CachingEmbedder,
            default_embedder,
            train_embedding_scorer,
        )

        embedder = default_embedder()
        if embedder is None:
            raise SystemExit("--features embeddings: no embedder loaded (EMBEDDING_MODEL)")
        train = partial(train_embedding_scorer, embedder=CachingEmbedder(embedder))
        label = "rule features + sentence embedding, LR"
    scores = out_of_fold_scores(examples, assignment, folds, train=train)
    learned_rows = {
        name: ranking_figures(
            [score for score, e in zip(scores, examples, strict=True) if e.group == name],
            [e.label for e in examples if e.group == name],
        )
        for name in debates
    }
    learned_means = print_table(f"learned scorer, {method} ({label})", learned_rows)
    _, mean_ap, _, pooled = ranking_metrics(examples, scores)
    print(f"\n(learned: {folds} trainings in {time.perf_counter() - started:.0f} s)")
    print(
        f"MAP: rules {rule_means[0]:.3f}, learned (LODO) {learned_means[0]:.3f} "
        f"(as train_claim_scorer reports it: {mean_ap:.3f}; pooled at the default threshold: "
        f"P {pooled.precision:.3f} R {pooled.recall:.3f} F1 {pooled.f1:.3f})"
    )


if __name__ == "__main__":
    main()
