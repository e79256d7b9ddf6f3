"""Time compute_agreement on a workspace of 100,000 assessments, next to the krippendorff package.

Run: .venv/bin/python bench/agreement.py

The workspace is seeded and shaped like a busy desk: 25,000 claims, each assessed by 4 of 20
reviewers, with verdicts that mostly cluster around a claim's "true" verdict, a few Unverifiable,
and 2,000 articles highlighted by 3 reviewers each (about 10 spans each, most of them shared).
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import krippendorff
import numpy as np

# The script is run by path, which puts bench/ rather than the repository root on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotations.agreement import (
    DEFAULT_SCALE,
    Rating,
    SpanMark,
    compute_agreement,
    krippendorff_alpha,
)

CLAIMS = 25_000
REVIEWERS = 20
PER_CLAIM = 4
ARTICLES = 2_000
REVIEWERS_PER_ARTICLE = 3
SPANS_PER_ARTICLE = 10
REPEATS = 5


def build_ratings(rng: random.Random) -> list[Rating]:
    slugs = [label.slug for label in DEFAULT_SCALE]
    ratings = []
    for claim in range(CLAIMS):
        truth = rng.randrange(5)
        for reviewer in rng.sample(range(REVIEWERS), PER_CLAIM):
            if rng.random() < 0.05:
                slug = "unverifiable"
            else:
                slug = slugs[min(4, max(0, truth + rng.choice((-1, 0, 0, 0, 1))))]
            ratings.append(Rating(unit=claim, coder=reviewer, label=slug))
    return ratings


def build_marks(rng: random.Random) -> list[SpanMark]:
    marks = []
    for article in range(ARTICLES):
        claims = [(start, start + rng.randrange(40, 200)) for start in range(0, 5_000, 500)]
        for reviewer in rng.sample(range(REVIEWERS), REVIEWERS_PER_ARTICLE):
            for start, end in claims[:SPANS_PER_ARTICLE]:
                if rng.random() < 0.15:
                    continue
                shift = rng.choice((0, 0, 0, rng.randrange(-10, 10)))
                marks.append(SpanMark(article, reviewer, max(0, start + shift), end))
    return marks


def best_of(repeats: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def reliability_data(ratings: list[Rating]) -> np.ndarray:
    """The reviewers x claims table the krippendorff package takes (NaN where missing)."""
    values = {label.slug: label.value for label in DEFAULT_SCALE}
    table = np.full((REVIEWERS, CLAIMS), np.nan)
    for rating in ratings:
        value = values[rating.label]
        if value is not None:
            table[cast(int, rating.coder), cast(int, rating.unit)] = value
    return table


def main() -> None:
    rng = random.Random(20240611)
    ratings = build_ratings(rng)
    marks = build_marks(rng)
    print(f"{len(ratings):,} assessments, {CLAIMS:,} claims, {REVIEWERS} reviewers")
    print(f"{len(marks):,} span marks on {ARTICLES:,} articles")

    whole = best_of(REPEATS, lambda: compute_agreement(ratings, scale=DEFAULT_SCALE, marks=marks))
    verdicts = best_of(REPEATS, lambda: compute_agreement(ratings, scale=DEFAULT_SCALE))
    ours = best_of(
        REPEATS, lambda: krippendorff_alpha(ratings, level="ordinal", scale=DEFAULT_SCALE)
    )
    table = reliability_data(ratings)
    theirs = best_of(
        REPEATS, lambda: krippendorff.alpha(reliability_data=table, level_of_measurement="ordinal")
    )
    theirs_from_ratings = best_of(
        REPEATS,
        lambda: krippendorff.alpha(
            reliability_data=reliability_data(ratings), level_of_measurement="ordinal"
        ),
    )

    result = compute_agreement(ratings, scale=DEFAULT_SCALE, marks=marks)
    reference = krippendorff.alpha(reliability_data=table, level_of_measurement="ordinal")
    print(f"compute_agreement, verdicts and spans: {whole * 1000:.0f} ms (best of {REPEATS})")
    print(f"compute_agreement, verdicts only:      {verdicts * 1000:.0f} ms")
    print(f"ordinal alpha, from Rating tuples:      {ours * 1000:.0f} ms")
    print(f"ordinal alpha, krippendorff package:    {theirs_from_ratings * 1000:.0f} ms", end="")
    print(f" ({theirs * 1000:.0f} ms from a ready reviewers x claims array)")
    alpha = result["krippendorff_alpha"]
    print(f"alpha nominal {alpha['nominal']:.4f}, ordinal {alpha['ordinal']:.4f} ", end="")
    print(f"(package {reference:.4f}), interval {alpha['interval']:.4f}")
    print(f"{len(result['cohen_kappa'])} reviewer pairs with kappa")
    spans = result["span_agreement"]
    print(f"span F1 exact {spans['exact_f1']:.3f}, overlap {spans['overlap_f1']:.3f}")


if __name__ == "__main__":
    main()
