from __future__ import annotations

import json
import math
import warnings
from collections.abc import Sequence

import hypothesis.strategies as st
import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from sklearn.metrics import cohen_kappa_score

from annotations.agreement import (
    DEFAULT_SCALE,
    Level,
    Rating,
    ScaleLabel,
    SpanMark,
    cohen_kappa_pairs,
    compute_agreement,
    krippendorff_alpha,
    percent_agreement,
    span_agreement,
)

FIVE_POINTS = [ScaleLabel(str(value), float(value)) for value in range(1, 6)]

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the example with missing data:
# observers A to D (rows) on units 1 to 12 (columns); "." is a unit the observer did not code.
WORKED_EXAMPLE = [
    "1 2 3 3 2 1 4 1 2 . . .",
    "1 2 3 3 2 2 4 1 2 5 . 3",
    ". 3 3 3 2 3 4 2 2 5 1 .",
    "1 2 3 3 2 4 4 1 2 5 1 .",
]


def ratings_from_rows(rows: Sequence[Sequence[str | None]]) -> list[Rating]:
    return [
        Rating(unit=unit, coder=f"reviewer-{coder}", label=label)
        for coder, row in enumerate(rows)
        for unit, label in enumerate(row)
        if label is not None
    ]


def worked_example() -> list[Rating]:
    return ratings_from_rows(
        [[None if cell == "." else cell for cell in row.split()] for row in WORKED_EXAMPLE]
    )


def test_it_reproduces_krippendorffs_worked_example() -> None:
    # Published: nominal 0.743, ordinal 0.815, interval 0.849; the krippendorff package gives the
    # same to 3 decimals (0.743421, 0.815388, 0.849107), and 0.797 at the ratio level.
    ratings = worked_example()
    expected = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}
    for level, published in expected.items():
        alpha = krippendorff_alpha(ratings, level=level, scale=FIVE_POINTS)  # type: ignore[arg-type]
        assert alpha is not None
        assert round(alpha, 3) == published, level


def test_it_reports_the_worked_example_in_the_workspace_summary() -> None:
    summary = compute_agreement(worked_example(), scale=FIVE_POINTS)

    assert summary["units"] == 11  # unit 12 was coded by one observer only
    assert summary["assessments"] == 40
    assert summary["coders"] == 4
    assert {level: round(value, 3) for level, value in summary["krippendorff_alpha"].items()} == {
        "nominal": 0.743,
        "ordinal": 0.815,
        "interval": 0.849,
    }


# --- Against the krippendorff package on random tables ---------------------------------------------

# Cells are scale positions 0-4 (values below) or 5 for "unverifiable" (no value), or None (missing).
cells = st.one_of(st.none(), st.integers(min_value=0, max_value=5))
tables = st.integers(min_value=2, max_value=6).flatmap(
    lambda coders: st.lists(
        st.lists(cells, min_size=coders, max_size=coders), min_size=1, max_size=15
    )
)
scale_values = st.lists(
    st.integers(min_value=-20, max_value=20), min_size=5, max_size=5, unique=True
).map(sorted)


def reference_alpha(
    table: list[list[int | None]], level: Level, values: Sequence[float]
) -> float | None:
    """The package's alpha on the same table, None where it refuses or answers NaN."""

    def cell(code: int | None) -> float:
        if code is None or (code == 5 and level != "nominal"):
            return math.nan
        return float(code) if level == "nominal" else float(values[code])

    data = np.array([[cell(code) for code in unit] for unit in table]).T
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            alpha = float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    except ValueError:  # no unit coded twice, or fewer than two values in the domain
        return None
    return None if math.isnan(alpha) else alpha


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@settings(max_examples=150, deadline=None)
@given(table=tables, values=scale_values)
def test_it_matches_the_krippendorff_package_on_random_tables(
    level: Level, table: list[list[int | None]], values: list[int]
) -> None:
    if level == "ratio":
        # A ratio scale has a true zero and no negative values.
        values = [value - values[0] + 1 for value in values]
    slugs = ["false", "mostly-false", "half-true", "mostly-true", "true", "unverifiable"]
    scale = [ScaleLabel(slug, float(value)) for slug, value in zip(slugs, values, strict=False)]
    scale.append(ScaleLabel("unverifiable", None))
    ratings = [
        Rating(unit=f"claim-{unit}", coder=coder, label=slugs[code])
        for unit, row in enumerate(table)
        for coder, code in enumerate(row)
        if code is not None
    ]

    ours = krippendorff_alpha(ratings, level=level, scale=scale)
    theirs = reference_alpha(table, level, values)

    if theirs is None:
        assert ours is None
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


def test_it_ranks_ordinal_labels_by_scale_order_not_by_name() -> None:
    # Slugs sort as "a" < "b" < "c", but the scale says b, then a, then c.
    scale = [ScaleLabel("b", 10.0), ScaleLabel("a", 20.0), ScaleLabel("c", 30.0)]
    rows: list[list[str | None]] = [["b", "a", "c", "b", "c"], ["a", "a", "c", "b", "a"]]
    as_numbers = np.array(
        [[{"b": 1, "a": 2, "c": 3}[label or ""] for label in row] for row in rows]
    )

    ours = krippendorff_alpha(ratings_from_rows(rows), level="ordinal", scale=scale)

    expected = krippendorff.alpha(reliability_data=as_numbers, level_of_measurement="ordinal")
    assert ours == pytest.approx(expected)


def test_it_gives_near_misses_credit_at_the_ordinal_level_only() -> None:
    # Two reviewers who are always one step apart on the scale.
    rows: list[list[str | None]] = [["1", "2", "3", "4", "5"], ["2", "3", "4", "5", "4"]]
    ratings = ratings_from_rows(rows)

    nominal = krippendorff_alpha(ratings, level="nominal")
    ordinal = krippendorff_alpha(ratings, level="ordinal", scale=FIVE_POINTS)

    assert nominal is not None
    assert ordinal is not None
    assert nominal < 0 < ordinal


def test_it_counts_unverifiable_for_nominal_and_leaves_it_out_of_ordinal() -> None:
    rows: list[list[str | None]] = [
        ["false", "true", "unverifiable", "half-true"],
        ["false", "true", "unverifiable", "unverifiable"],
    ]
    ratings = ratings_from_rows(rows)

    # Nominal: 3 of 4 claims agree, and the 4th disagreement counts.
    nominal = krippendorff_alpha(ratings, level="nominal", scale=DEFAULT_SCALE)
    # Ordinal: claims 3 and 4 lose their unverifiable ratings and drop out; the rest agree.
    ordinal = krippendorff_alpha(ratings, level="ordinal", scale=DEFAULT_SCALE)

    assert nominal is not None
    assert nominal < 1.0
    assert ordinal == 1.0


def test_it_returns_none_when_alpha_is_undefined() -> None:
    everyone_agrees = ratings_from_rows([["true", "true"], ["true", "true"]])
    nobody_shares = ratings_from_rows([["true", None], [None, "false"]])

    assert krippendorff_alpha(everyone_agrees, level="nominal") is None
    assert krippendorff_alpha(nobody_shares, level="nominal") is None
    assert krippendorff_alpha([], level="ordinal", scale=DEFAULT_SCALE) is None
    assert percent_agreement(everyone_agrees) == 1.0


def test_it_leaves_interval_alpha_out_when_the_scale_has_no_values() -> None:
    scale = [ScaleLabel("check-worthy", None), ScaleLabel("not-a-claim", None)]
    ratings = ratings_from_rows([["check-worthy", "not-a-claim"], ["check-worthy", "check-worthy"]])

    summary = compute_agreement(ratings, scale=scale)

    assert summary["krippendorff_alpha"]["interval"] is None
    assert summary["krippendorff_alpha"]["ordinal"] is None
    assert summary["krippendorff_alpha"]["nominal"] is not None


def test_it_rejects_labels_off_the_scale() -> None:
    ratings = [Rating(1, "bob", "true"), Rating(1, "carol", "pants-on-fire")]

    with pytest.raises(ValueError, match="pants-on-fire"):
        compute_agreement(ratings, scale=DEFAULT_SCALE)


def test_it_rejects_a_reviewer_rating_a_claim_twice() -> None:
    ratings = [Rating(1, "bob", "true"), Rating(1, "carol", "true"), Rating(1, "bob", "false")]

    with pytest.raises(ValueError, match="'bob' rated unit 1 more than once"):
        krippendorff_alpha(ratings, level="nominal")


def test_it_needs_a_scale_beyond_the_nominal_level() -> None:
    with pytest.raises(ValueError, match="ordinal level needs a scale"):
        krippendorff_alpha(worked_example(), level="ordinal")


# --- Cohen's kappa and percent agreement ---------------------------------------------------------


def test_it_computes_cohens_kappa_on_the_textbook_example() -> None:
    # 50 claims, two reviewers, yes/no: both yes 20, A yes B no 5, A no B yes 10, both no 15.
    # p_o = (20 + 15) / 50 = 0.70. A says yes 25/50 = 0.5, B says yes 30/50 = 0.6, so
    # p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.50 and kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40.
    cells = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    ratings = [
        Rating(claim, coder, label)
        for claim, pair in enumerate(cells)
        for coder, label in zip(("ann", "ben"), pair, strict=True)
    ]

    [pair] = cohen_kappa_pairs(ratings)

    assert (pair.coder_a, pair.coder_b) == ("ann", "ben")
    assert pair.kappa == pytest.approx(0.40)
    assert pair.percent_agreement == pytest.approx(0.70)
    assert pair.shared_units == 50


def test_it_computes_kappa_only_on_the_claims_a_pair_shares() -> None:
    ratings = [
        Rating(1, "bob", "true"),
        Rating(1, "carol", "true"),
        Rating(2, "bob", "false"),
        Rating(2, "carol", "true"),
        Rating(2, "dave", "true"),
        Rating(3, "erin", "true"),
    ]

    pairs = {(pair.coder_a, pair.coder_b): pair for pair in cohen_kappa_pairs(ratings)}

    # erin shares no claim with anyone, so she is in no pair.
    assert sorted(pairs) == [("bob", "carol"), ("bob", "dave"), ("carol", "dave")]
    assert pairs["bob", "carol"].shared_units == 2
    assert pairs["bob", "carol"].percent_agreement == 0.5
    assert pairs["bob", "dave"].shared_units == 1
    assert pairs["bob", "dave"].kappa == 0.0  # one label each, never the same
    assert pairs["carol", "dave"].kappa is None  # both always said "true": kappa is 0/0
    assert pairs["carol", "dave"].percent_agreement == 1.0


labels = st.sampled_from(["false", "half-true", "true", "unverifiable"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(labels, labels), min_size=1, max_size=40))
def test_it_matches_sklearn_kappa_and_is_symmetric(claims: list[tuple[str, str]]) -> None:
    forward = [Rating(i, c, label) for i, pair in enumerate(claims) for c, label in enumerate(pair)]
    # The same verdicts with the reviewers' ids swapped: the pair is now reported the other way.
    swapped = [Rating(unit, 1 - int(str(coder)), label) for unit, coder, label in forward]

    [pair] = cohen_kappa_pairs(forward)
    [mirror] = cohen_kappa_pairs(swapped)

    assert mirror.kappa == pair.kappa
    a, b = zip(*claims, strict=True)
    if len(set(a) | set(b)) == 1:
        assert pair.kappa is None
    else:
        assert pair.kappa == pytest.approx(cohen_kappa_score(a, b))


@settings(max_examples=50, deadline=None)
@given(st.lists(labels, min_size=1, max_size=30).filter(lambda verdicts: len(set(verdicts)) > 1))
def test_it_gives_kappa_one_to_reviewers_who_always_agree(verdicts: list[str]) -> None:
    ratings = [Rating(i, coder, v) for i, v in enumerate(verdicts) for coder in ("bob", "carol")]

    [pair] = cohen_kappa_pairs(ratings)

    assert pair.kappa == 1.0
    assert pair.percent_agreement == 1.0


def test_it_pools_percent_agreement_over_all_pairs_of_reviewers() -> None:
    ratings = [
        # 3 reviewers: 3 pairs, 1 agreeing.
        Rating(1, "bob", "true"),
        Rating(1, "carol", "true"),
        Rating(1, "dave", "false"),
        # 2 reviewers: 1 pair, agreeing.
        Rating(2, "bob", "false"),
        Rating(2, "carol", "false"),
        # Rated once: no pair.
        Rating(3, "bob", "false"),
    ]

    assert percent_agreement(ratings) == 2 / 4
    assert percent_agreement(ratings[-1:]) is None


# --- Spans ---------------------------------------------------------------------------------------


def test_it_scores_identical_highlights_as_full_agreement() -> None:
    marks = [SpanMark("a1", coder, 10, 42) for coder in ("bob", "carol")]
    marks += [SpanMark("a1", coder, 50, 60) for coder in ("bob", "carol")]

    result = span_agreement(marks)

    assert (result.exact_f1, result.overlap_f1, result.spans) == (1.0, 1.0, 4)


def test_it_credits_overlapping_highlights_only_in_overlap_f1() -> None:
    marks = [
        SpanMark("a1", "bob", 0, 20),
        SpanMark("a1", "carol", 5, 25),  # overlaps bob's first span
        SpanMark("a1", "bob", 30, 40),
        SpanMark("a1", "carol", 40, 50),  # touches bob's second span: no shared character
    ]

    result = span_agreement(marks)

    assert result.exact_f1 == 0.0
    assert result.overlap_f1 == 2 * 1 / (2 + 2)


def test_it_matches_overlapping_highlights_one_to_one() -> None:
    # carol's one long span covers both of bob's; it can only stand for one of them.
    marks = [
        SpanMark("a1", "bob", 0, 10),
        SpanMark("a1", "bob", 12, 40),
        SpanMark("a1", "carol", 0, 40),
    ]

    [pair] = span_agreement(marks).pairs

    assert pair.overlap_matches == 1
    assert pair.overlap_f1 == pytest.approx(2 / 3)


def test_it_prefers_the_largest_overlap_when_matching() -> None:
    # Pairing bob's 0-10 with carol's 8-25 (the first span it meets) would leave bob's 12-30
    # unmatched; the largest overlap (12-30 with 8-25, 13 characters) goes first instead.
    marks = [
        SpanMark("a1", "bob", 0, 10),
        SpanMark("a1", "bob", 12, 30),
        SpanMark("a1", "carol", 8, 25),
        SpanMark("a1", "carol", 9, 10),
    ]

    [pair] = span_agreement(marks).pairs

    assert pair.overlap_matches == 2


def test_it_compares_reviewers_only_on_articles_both_highlighted() -> None:
    marks = [
        SpanMark("a1", "bob", 0, 10),
        SpanMark("a1", "carol", 0, 10),
        SpanMark("a2", "bob", 0, 10),  # carol left no mark on a2
        SpanMark("a3", "dave", 5, 9),  # dave alone on a3
    ]

    result = span_agreement(marks)

    [pair] = result.pairs
    assert (pair.coder_a, pair.coder_b, pair.shared_groups) == ("bob", "carol", 1)
    assert (pair.spans_a, pair.spans_b, pair.exact_f1) == (1, 1, 1.0)
    assert result.spans == 2


def test_it_rejects_empty_spans() -> None:
    with pytest.raises(ValueError, match="empty"):
        span_agreement([SpanMark("a1", "bob", 5, 5)])


spans = st.tuples(st.integers(0, 60), st.integers(1, 20)).map(lambda s: (s[0], s[0] + s[1]))


@settings(max_examples=150, deadline=None)
@given(st.lists(spans, max_size=8), st.lists(spans, max_size=8))
def test_it_gives_the_same_span_f1_whichever_reviewer_comes_first(
    first: list[tuple[int, int]], second: list[tuple[int, int]]
) -> None:
    def marks(a: str, b: str) -> list[SpanMark]:
        return [SpanMark("a1", a, s, e) for s, e in first] + [
            SpanMark("a1", b, s, e) for s, e in second
        ]

    forward = span_agreement(marks("ann", "ben"))
    backward = span_agreement(marks("ben", "ann"))

    assert (forward.exact_f1, forward.overlap_f1) == (backward.exact_f1, backward.overlap_f1)
    if forward.exact_f1 is not None and forward.overlap_f1 is not None:
        assert 0.0 <= forward.exact_f1 <= forward.overlap_f1 <= 1.0


# --- The workspace summary -----------------------------------------------------------------------


def test_it_returns_the_documented_json_shape() -> None:
    ratings = [
        Rating(1, 7, "true"),
        Rating(1, 3, "mostly-true"),
        Rating(2, 7, "false"),
        Rating(2, 3, "false"),
        Rating(3, 7, "unverifiable"),  # rated once: behind no figure
    ]
    marks = [SpanMark(100, 7, 0, 10), SpanMark(100, 3, 2, 10)]

    summary = compute_agreement(ratings, scale=DEFAULT_SCALE, marks=marks)

    assert json.loads(json.dumps(summary)) == summary
    assert summary["units"] == 2
    assert summary["assessments"] == 4
    assert summary["coders"] == 2
    assert set(summary["krippendorff_alpha"]) == {"nominal", "ordinal", "interval"}
    assert summary["cohen_kappa"] == [
        {
            "reviewer_a": 3,
            "reviewer_b": 7,
            # p_o = 1/2; each splits its two verdicts over labels sharing only "false": p_e = 1/4.
            "kappa": (0.5 - 0.25) / (1 - 0.25),
            "shared_claims": 2,
            "percent_agreement": 0.5,
        }
    ]
    assert summary["percent_agreement"] == 0.5
    assert summary["span_agreement"] == {
        "exact_f1": 0.0,
        "overlap_f1": 1.0,
        "pairs": [
            {
                "reviewer_a": 3,
                "reviewer_b": 7,
                "shared_articles": 1,
                "spans_a": 1,
                "spans_b": 1,
                "exact_matches": 0,
                "overlap_matches": 1,
                "exact_f1": 0.0,
                "overlap_f1": 1.0,
            }
        ],
        "spans": 2,
    }


def test_it_summarises_an_empty_workspace_with_nulls() -> None:
    summary = compute_agreement([], scale=DEFAULT_SCALE)

    assert summary == {
        "units": 0,
        "assessments": 0,
        "coders": 0,
        "krippendorff_alpha": {"nominal": None, "ordinal": None, "interval": None},
        "cohen_kappa": [],
        "percent_agreement": None,
        "span_agreement": {"exact_f1": None, "overlap_f1": None, "pairs": [], "spans": 0},
    }
