"""Training data checks and the cross-validated evaluation of the learned scorer.

Shared by ``manage.py train_claim_scorer`` (the metrics stored with a model) and
bench/clef_eval.py (the leave-one-debate-out figures in the README), so that both come from the
same code. Examples carry a *group* (an article, a debate, a file): folds never split a group,
because sentences of one article share names, topics and wording, and a model that saw half of
an article would be judged on the other half too kindly. Mean average precision is taken per
group, as CLEF CheckThat! takes it per debate.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .evaluation import average_precision, f1_at_threshold, precision_at_k, read_clef_tsv
from .learned import train_scorer
from .pipeline import DEFAULT_THRESHOLD, BatchSentenceScorer

# Fewer than this and cross-validation folds hold one or two sentences of a class: the figures
# would be noise, and the model little better than the rules it starts from.
MIN_EXAMPLES = 20
MIN_PER_CLASS = 5
DEFAULT_FOLDS = 5
CUTOFFS = (5, 10)


class TrainingDataError(ValueError):
    """The examples cannot train (or evaluate) a model; the message says why."""


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    text: str
    language: str
    label: int  # 1: check-worthy
    group: str  # the article, debate or file it comes from


@dataclass(frozen=True, slots=True)
class Evaluation:
    method: str
    folds: int
    groups: int  # groups holding a check-worthy sentence: the ones mean average precision averages
    mean_average_precision: float
    precision_at: dict[int, float]
    threshold: float
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["precision_at"] = {str(k): round(v, 4) for k, v in self.precision_at.items()}
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in data.items()}


def class_counts(examples: Sequence[LabelledSentence]) -> tuple[int, int]:
    """(check-worthy, other) counts."""
    positives = sum(1 for example in examples if example.label)
    return positives, len(examples) - positives


def check_examples(
    examples: Sequence[LabelledSentence],
    *,
    min_examples: int = MIN_EXAMPLES,
    min_per_class: int = MIN_PER_CLASS,
) -> None:
    """Raise TrainingDataError when the examples are too few or hold only one class."""
    positives, negatives = class_counts(examples)
    counts = f"{positives} check-worthy and {negatives} other sentences"
    if not positives or not negatives:
        raise TrainingDataError(f"only one class in the examples ({counts}): training needs both")
    if len(examples) < min_examples:
        raise TrainingDataError(f"too few examples ({counts}): at least {min_examples} are needed")
    if min(positives, negatives) < min_per_class:
        raise TrainingDataError(
            f"too few examples of one class ({counts}): at least {min_per_class} of each are needed"
        )


def examples_from_tsv(paths: Iterable[str | Path], *, language: str) -> list[LabelledSentence]:
    """Labelled sentences of CLEF-format files, one group per file (its name without suffix).

    Raises FileNotFoundError for a missing file and ValueError (naming file and line) for a
    malformed one.
    """
    examples: list[LabelledSentence] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
        examples.extend(
            LabelledSentence(line.text, language, line.label, path.stem)
            for line in read_clef_tsv(path)
        )
    return examples


def assign_folds(
    examples: Sequence[LabelledSentence], folds: int, *, unit: str = "group"
) -> tuple[list[int], int, str]:
    """Give each example a fold; return (fold of each example, number of folds, method).

    Whole groups go to a fold when there are at least two groups and every training split then
    holds both classes; groups are dealt round-robin, those with most check-worthy sentences
    first, so each fold gets a share of them. Otherwise folds are made sentence by sentence,
    stratified by class.
    """
    if folds < 2:
        raise TrainingDataError("cross-validation needs at least 2 folds")
    groups = sorted({example.group for example in examples})
    if len(groups) >= 2:
        k = min(folds, len(groups))
        positives = Counter(example.group for example in examples if example.label)
        order = sorted(groups, key=lambda group: (-positives[group], group))
        fold_of = {group: position % k for position, group in enumerate(order)}
        assignment = [fold_of[example.group] for example in examples]
        if _training_splits_have_both_classes(examples, assignment, k):
            method = (
                f"leave-one-{unit}-out ({k} {unit}s)"
                if k == len(groups)
                else f"{k}-fold cross-validation, whole {unit}s per fold ({len(groups)} {unit}s)"
            )
            return assignment, k, method
    smaller = min(class_counts(examples))
    k = min(folds, smaller)
    if k < 2:
        raise TrainingDataError("too few examples of one class to cross-validate")
    seen: Counter[int] = Counter()
    assignment = []
    for example in examples:
        assignment.append(seen[example.label] % k)
        seen[example.label] += 1
    return assignment, k, f"{k}-fold cross-validation by sentence, stratified by label"


def _training_splits_have_both_classes(
    examples: Sequence[LabelledSentence], assignment: Sequence[int], k: int
) -> bool:
    for fold in range(k):
        labels = {
            example.label
            for example, assigned in zip(examples, assignment, strict=True)
            if assigned != fold
        }
        if labels != {0, 1}:
            return False
    return True


def out_of_fold_scores(
    examples: Sequence[LabelledSentence],
    assignment: Sequence[int],
    k: int,
    *,
    train: Callable[..., BatchSentenceScorer] = train_scorer,
) -> list[float]:
    """Each example's score from the model trained on the other folds."""
    scores = [0.0] * len(examples)
    for fold in range(k):
        training = [
            (example.text, example.language, example.label)
            for example, assigned in zip(examples, assignment, strict=True)
            if assigned != fold
        ]
        scorer = train(training, version=f"cross-validation-fold-{fold + 1}")
        held_out: dict[str, list[int]] = defaultdict(list)
        for index, assigned in enumerate(assignment):
            if assigned == fold:
                held_out[examples[index].language].append(index)
        for language, indexes in held_out.items():
            results = scorer.score_many([examples[i].text for i in indexes], language)
            for index, result in zip(indexes, results, strict=True):
                scores[index] = result.score
    return scores


def ranking_metrics(
    examples: Sequence[LabelledSentence],
    scores: Sequence[float],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    cutoffs: Sequence[int] = CUTOFFS,
) -> tuple[int, float, dict[int, float], Any]:
    """(groups with a positive, MAP over them, mean P@k over them, pooled threshold metrics)."""
    by_group: dict[str, tuple[list[float], list[int]]] = defaultdict(lambda: ([], []))
    for example, score in zip(examples, scores, strict=True):
        by_group[example.group][0].append(score)
        by_group[example.group][1].append(example.label)
    # A group without a check-worthy sentence has no ranking to judge (its AP would be 0 whatever
    # the scores): CLEF's debates all have some; a desk's dismissed-only articles may not.
    ranked = [(s, labels) for s, labels in by_group.values() if any(labels)]
    if not ranked:
        raise TrainingDataError("no group holds a check-worthy sentence")
    mean_ap = sum(average_precision(s, labels) for s, labels in ranked) / len(ranked)
    at_k = {
        k: sum(precision_at_k(s, labels, k) for s, labels in ranked) / len(ranked) for k in cutoffs
    }
    pooled = f1_at_threshold(scores, [example.label for example in examples], threshold)
    return len(ranked), mean_ap, at_k, pooled


def cross_validate(
    examples: Sequence[LabelledSentence],
    *,
    folds: int = DEFAULT_FOLDS,
    threshold: float = DEFAULT_THRESHOLD,
    unit: str = "group",
    train: Callable[..., BatchSentenceScorer] = train_scorer,
) -> Evaluation:
    """Train on all folds but one, score the one held out, for each fold; judge the scores.

    ``folds`` at or above the number of groups is leave-one-group-out (bench/clef_eval.py uses
    it for leave-one-debate-out).
    """
    assignment, k, method = assign_folds(examples, folds, unit=unit)
    scores = out_of_fold_scores(examples, assignment, k, train=train)
    groups, mean_ap, at_k, pooled = ranking_metrics(examples, scores, threshold=threshold)
    return Evaluation(
        method=method,
        folds=k,
        groups=groups,
        mean_average_precision=mean_ap,
        precision_at=at_k,
        threshold=threshold,
        precision=pooled.precision,
        recall=pooled.recall,
        f1=pooled.f1,
    )
