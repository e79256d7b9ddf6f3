"""Judge a claim scorer on labelled files: MAP, P@k and F1 at a threshold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from annotations.extraction.evaluation import (
    average_precision,
    f1_at_threshold,
    precision_at_k,
    read_clef_tsv,
)
from annotations.extraction.pipeline import DEFAULT_THRESHOLD, default_scorer, score_sentences

from ._claim_cli import add_model_argument, checked_language, checked_threshold, load_scorer


class Command(BaseCommand):
    help = (
        "Score the sentences of labelled TSV files (CLEF CheckThat! format: line_number, "
        "speaker, text, label; no header) and print, per file and overall: average precision "
        "(MAP over the files), precision at k, and precision, recall and F1 at a threshold."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--language", default="en", help="Language of the files (default en).")
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"Sentences scoring at least this count as predicted (default {DEFAULT_THRESHOLD}).",
        )
        parser.add_argument(
            "--k", type=int, nargs="+", default=[5, 10, 20], help="Cut-offs for P@k."
        )
        add_model_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        language = checked_language(options["language"]) or "en"
        threshold = checked_threshold(options["threshold"])
        cutoffs: list[int] = options["k"]
        if any(k <= 0 for k in cutoffs):
            raise CommandError("--k: cut-offs must be positive")
        files = self._read(options["files"])
        scorer = load_scorer(options["model"]) or default_scorer()
        self.stdout.write(f"scorer: {scorer.name}; language {language}; threshold {threshold}")
        header = " ".join(f"{'P@' + str(k):>6}" for k in cutoffs)
        self.stdout.write(f"{'file':40} {'lines':>6} {'pos':>5} {'AP':>6} {header}")
        all_scores: list[float] = []
        all_labels: list[int] = []
        aps: list[float] = []
        at_k: dict[int, list[float]] = {k: [] for k in cutoffs}
        for name, lines in files:
            scores = [
                result.score
                for result in score_sentences(scorer, [line.text for line in lines], language)
            ]
            labels = [line.label for line in lines]
            all_scores += scores
            all_labels += labels
            ap = average_precision(scores, labels)
            aps.append(ap)
            figures = []
            for k in cutoffs:
                at_k[k].append(precision_at_k(scores, labels, k))
                figures.append(f"{at_k[k][-1]:6.3f}")
            self.stdout.write(
                f"{name[:40]:40} {len(lines):6d} {sum(labels):5d} {ap:6.3f} {' '.join(figures)}"
            )
        means = " ".join(f"{sum(values) / len(values):6.3f}" for values in at_k.values())
        self.stdout.write(
            f"{'mean (MAP, mean P@k)':40} {'':6} {'':5} {sum(aps) / len(aps):6.3f} {means}"
        )
        pooled = f1_at_threshold(all_scores, all_labels, threshold)
        self.stdout.write(
            f"at threshold {threshold}: precision {pooled.precision:.3f}, recall "
            f"{pooled.recall:.3f}, F1 {pooled.f1:.3f} (tp {pooled.true_positives}, "
            f"fp {pooled.false_positives}, fn {pooled.false_negatives})"
        )

    def _read(self, paths: list[str]) -> list[tuple[str, list[Any]]]:
        files = []
        for path in paths:
            if not Path(path).is_file():
                raise CommandError(f"no such file: {path}")
            try:
                lines = read_clef_tsv(path)
            except (ValueError, UnicodeDecodeError) as error:
                raise CommandError(str(error)) from None
            if not lines:
                raise CommandError(f"{path} holds no labelled sentence")
            files.append((Path(path).name, lines))
        return files
