"""Labelled sentence files and ranking metrics for judging claim scorers.

The file format is CLEF CheckThat! 2019 task 1's: one sentence per line, tab-separated
``line_number, speaker, text, label`` with label 1 for check-worthy, no header. Ranking metrics
follow that task's definitions: sentences are ranked by descending score (ties keep file order),
average precision averages the precision at the rank of each check-worthy sentence.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClefLine:
    line_number: int
    speaker: str
    text: str
    label: int


@dataclass(frozen=True, slots=True)
class ThresholdMetrics:
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int


def read_clef_tsv(path: str | os.PathLike[str]) -> list[ClefLine]:
    """Read a CLEF-format TSV file. Blank lines are skipped; a malformed line raises ValueError
    naming the file and line."""
    lines: list[ClefLine] = []
    with open(path, encoding="utf-8") as handle:
        for position, raw in enumerate(handle, start=1):
            row = raw.rstrip("\r\n")
            if not row.strip():
                continue
            fields = row.split("\t")
            if len(fields) < 4 or fields[-1].strip() not in {"0", "1"}:
                raise ValueError(f"{path}:{position}: expected line_number, speaker, text, label")
            try:
                number = int(fields[0])
            except ValueError as error:
                raise ValueError(f"{path}:{position}: line number is not an integer") from error
            text = "\t".join(fields[2:-1]).strip()
            lines.append(ClefLine(number, fields[1].strip(), text, int(fields[-1])))
    return lines


def _ranked_labels(scores: Sequence[float], labels: Sequence[int]) -> list[int]:
    if len(scores) != len(labels):
        raise ValueError("scores and labels differ in length")
    order = sorted(range(len(scores)), key=lambda index: -scores[index])
    return [1 if labels[index] else 0 for index in order]


def average_precision(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Mean of the precision at the rank of each positive; 0.0 when there is no positive."""
    ranked = _ranked_labels(scores, labels)
    hits = 0
    total = 0.0
    for rank, label in enumerate(ranked, start=1):
        if label:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def mean_average_precision(groups: Iterable[tuple[Sequence[float], Sequence[int]]]) -> float:
    """Mean of the average precision of each group (one group per debate or article)."""
    values = [average_precision(scores, labels) for scores, labels in groups]
    if not values:
        raise ValueError("no groups to average")
    return sum(values) / len(values)


def precision_at_k(scores: Sequence[float], labels: Sequence[int], k: int) -> float:
    """Share of positives among the ``k`` best-scored sentences (divided by ``k`` even when
    there are fewer sentences, as in CLEF's scorer)."""
    if k <= 0:
        raise ValueError("k must be positive")
    return sum(_ranked_labels(scores, labels)[:k]) / k


def f1_at_threshold(
    scores: Sequence[float], labels: Sequence[int], threshold: float
) -> ThresholdMetrics:
    """Precision, recall and F1 when sentences scoring at least ``threshold`` are predicted
    check-worthy. Precision is 0.0 when nothing is predicted, recall 0.0 when nothing is
    positive."""
    if len(scores) != len(labels):
        raise ValueError("scores and labels differ in length")
    tp = fp = fn = 0
    for score, label in zip(scores, labels, strict=True):
        predicted = score >= threshold
        if predicted and label:
            tp += 1
        elif predicted:
            fp += 1
        elif label:
            fn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ThresholdMetrics(precision, recall, f1, tp, fp, fn)
