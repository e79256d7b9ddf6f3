"""Ranking and threshold metrics against hand-computed values; the CLEF TSV reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.extraction.evaluation import (
    ClefLine,
    average_precision,
    f1_at_threshold,
    mean_average_precision,
    precision_at_k,
    read_clef_tsv,
)


def test_it_computes_average_precision_as_clef_does() -> None:
    # Ranked labels 1, 0, 1, 0: precision 1/1 at rank 1 and 2/3 at rank 3.
    assert average_precision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0]) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision([0.1, 0.9, 0.5], [1, 0, 0]) == pytest.approx(1 / 3)


def test_it_keeps_file_order_for_tied_scores() -> None:
    assert average_precision([0.5, 0.5], [0, 1]) == pytest.approx(0.5)
    assert average_precision([0.5, 0.5], [1, 0]) == pytest.approx(1.0)


def test_it_gives_zero_average_precision_without_positives() -> None:
    assert average_precision([0.9, 0.1], [0, 0]) == 0.0


def test_it_averages_average_precision_over_groups() -> None:
    groups = [([0.9, 0.1], [1, 0]), ([0.9, 0.1], [0, 1])]
    assert mean_average_precision(groups) == pytest.approx((1.0 + 0.5) / 2)
    with pytest.raises(ValueError, match="no groups"):
        mean_average_precision([])


def test_it_computes_precision_at_k_dividing_by_k() -> None:
    assert precision_at_k([0.9, 0.8, 0.7], [1, 0, 1], 2) == pytest.approx(0.5)
    assert precision_at_k([0.9, 0.8, 0.7], [1, 0, 1], 5) == pytest.approx(0.4)


def test_it_computes_precision_recall_and_f1_at_a_threshold() -> None:
    metrics = f1_at_threshold([0.9, 0.6, 0.4, 0.2], [1, 0, 1, 0], 0.5)
    assert (metrics.true_positives, metrics.false_positives, metrics.false_negatives) == (1, 1, 1)
    assert (metrics.precision, metrics.recall, metrics.f1) == (0.5, 0.5, 0.5)
    inclusive = f1_at_threshold([0.5], [1], 0.5)
    assert inclusive.recall == 1.0
    nothing = f1_at_threshold([0.1], [1], 0.5)
    assert (nothing.precision, nothing.recall, nothing.f1) == (0.0, 0.0, 0.0)


def test_it_reads_clef_tsv_files(tmp_path: Path) -> None:
    path = tmp_path / "debate.tsv"
    path.write_text("1\tTODD\tGood evening.\t0\n\n2\t\tIt rose 3%.\t1\n", encoding="utf-8")
    assert read_clef_tsv(path) == [
        ClefLine(1, "TODD", "Good evening.", 0),
        ClefLine(2, "", "It rose 3%.", 1),
    ]


def test_it_names_the_line_of_a_malformed_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("1\tA\tFine.\t0\n2\tB\tNo label here\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv:2"):
        read_clef_tsv(path)


def test_it_reads_the_project_news_sets() -> None:
    root = Path(__file__).resolve().parents[2] / "bench" / "data"
    french = [line for path in sorted((root / "fr").glob("*.tsv")) for line in read_clef_tsv(path)]
    assert len(list((root / "fr").glob("*.tsv"))) >= 10
    assert len(french) >= 300
    assert {line.label for line in french} == {0, 1}
