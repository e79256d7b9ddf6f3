"""Inter-reviewer agreement: pure functions over plain data (no Django, only numpy).

The inputs are plain tuples the Django side builds from its rows:

- `Rating(unit, coder, label)`: one reviewer's verdict (a scale slug) on one claim.
- `ScaleLabel(slug, value)`: one step of the workspace's ordered verdict scale; `value` is None for
  labels such as "Unverifiable", which count for nominal statistics only.
- `SpanMark(group, coder, start, end)`: one reviewer's highlighted span on one article, in code
  point offsets with `end` exclusive.

Conventions shared by every function here:

- A statistic that is undefined is `None`, never NaN, so the result serialises to JSON as `null`.
- A coder may rate a unit at most once (the database enforces it); a repeat raises `ValueError`,
  because silently keeping both would count a reviewer as agreeing with themselves.
- Pairs of coders are reported with `coder_a` before `coder_b` in the coders' sorted order (or in
  order of first appearance when the ids cannot be compared with each other).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from itertools import pairwise
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_SCALE",
    "Level",
    "PairKappa",
    "PairSpanAgreement",
    "Rating",
    "ScaleLabel",
    "SpanAgreement",
    "SpanMark",
    "cohen_kappa_pairs",
    "compute_agreement",
    "krippendorff_alpha",
    "percent_agreement",
    "span_agreement",
]

Level = Literal["nominal", "ordinal", "interval", "ratio"]

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]

# The unit x label count matrix is built for this many cells at a time, which bounds memory when a
# nominal table has many distinct labels.
_MAX_CELLS_PER_CHUNK = 1 << 22

# Below this, 1 - p_e is rounding noise: both coders used one and the same label throughout.
_KAPPA_EPSILON = 1e-12


class Rating(NamedTuple):
    unit: Hashable
    coder: Hashable
    label: str


class ScaleLabel(NamedTuple):
    slug: str
    value: float | None


class SpanMark(NamedTuple):
    group: Hashable
    coder: Hashable
    start: int
    end: int


class PairKappa(NamedTuple):
    coder_a: Hashable
    coder_b: Hashable
    kappa: float | None
    shared_units: int
    percent_agreement: float | None


class PairSpanAgreement(NamedTuple):
    coder_a: Hashable
    coder_b: Hashable
    shared_groups: int
    spans_a: int
    spans_b: int
    exact_matches: int
    overlap_matches: int
    exact_f1: float | None
    overlap_f1: float | None


class SpanAgreement(NamedTuple):
    exact_f1: float | None
    overlap_f1: float | None
    pairs: list[PairSpanAgreement]
    spans: int


DEFAULT_SCALE: tuple[ScaleLabel, ...] = (
    ScaleLabel("false", 1.0),
    ScaleLabel("mostly-false", 2.0),
    ScaleLabel("half-true", 3.0),
    ScaleLabel("mostly-true", 4.0),
    ScaleLabel("true", 5.0),
    ScaleLabel("unverifiable", None),
)


# --- Encoding plain data into integer arrays ---------------------------------------------------


def _display_order(values: Iterable[Hashable]) -> list[Hashable]:
    """Distinct values, sorted when they can be compared, else in order of first appearance."""
    distinct = list(dict.fromkeys(values))
    try:
        return sorted(distinct)  # type: ignore[type-var]
    except TypeError:
        return distinct


def _encode(values: Sequence[Hashable], order: Sequence[Hashable]) -> IntArray:
    index = {value: i for i, value in enumerate(order)}
    return np.fromiter(map(index.__getitem__, values), dtype=np.intp, count=len(values))


class _Table(NamedTuple):
    """Ratings as integer codes, sorted by unit and then coder."""

    unit: IntArray
    coder: IntArray
    label: IntArray
    coders: list[Hashable]
    labels: Sequence[Hashable]
    n_units: int


def _table(ratings: Sequence[Rating], scale: Sequence[ScaleLabel] | None) -> _Table:
    ratings = list(ratings)
    if not ratings:
        empty = np.zeros(0, dtype=np.intp)
        labels = [item.slug for item in scale] if scale is not None else []
        return _Table(empty, empty, empty, [], labels, 0)
    units, coders, labels_seen = zip(*ratings, strict=True)
    unit_order = list(dict.fromkeys(units))
    coder_order = _display_order(coders)
    if scale is None:
        label_order: Sequence[Hashable] = _display_order(labels_seen)
    else:
        label_order = _scale_slugs(scale)
        unknown = set(labels_seen).difference(label_order)
        if unknown:
            raise ValueError(f"labels not on the scale: {sorted(map(str, unknown))}")
    unit = _encode(units, unit_order)
    coder = _encode(coders, coder_order)
    label = _encode(labels_seen, label_order)
    key = unit * len(coder_order) + coder
    order = np.argsort(key, kind="stable")
    key = key[order]
    repeated = np.flatnonzero(key[1:] == key[:-1])
    if repeated.size:
        first = int(order[repeated[0]])
        raise ValueError(
            f"coder {ratings[first].coder!r} rated unit {ratings[first].unit!r} more than once"
        )
    return _Table(
        unit[order], coder[order], label[order], coder_order, label_order, len(unit_order)
    )


def _scale_slugs(scale: Sequence[ScaleLabel]) -> list[str]:
    slugs = [item.slug for item in scale]
    if len(set(slugs)) != len(slugs):
        raise ValueError("the scale repeats a slug")
    return slugs


# --- Krippendorff's alpha ------------------------------------------------------------------------


def krippendorff_alpha(
    ratings: Sequence[Rating],
    *,
    level: Level,
    scale: Sequence[ScaleLabel] | None = None,
) -> float | None:
    """Krippendorff's alpha by the coincidence-matrix method, with missing data allowed.

    `scale` gives the label order (ranks for the ordinal level) and values (interval and ratio
    levels); it is required for every level but nominal, where the labels seen are used when it is
    None. Labels without a value are left out at the ordinal, interval and ratio levels, as if the
    reviewer had not rated the unit. Units with fewer than two remaining values are not pairable and
    are dropped, as Krippendorff defines it.

    Returns None when alpha is undefined: no pairable unit, or no variation at all among the
    pairable values (expected disagreement D_e == 0; every reviewer then used the same value, so
    agreement cannot be told apart from chance; `percent_agreement` still reports it).
    """
    if level != "nominal" and scale is None:
        raise ValueError(f"the {level} level needs a scale")
    table = _table(ratings, scale)
    return _alpha(table, level, scale)


def _alpha(table: _Table, level: Level, scale: Sequence[ScaleLabel] | None) -> float | None:
    unit, label = table.unit, table.label
    n_labels = len(table.labels)
    if level == "nominal":
        values = np.zeros(n_labels)
    else:
        assert scale is not None
        raw = [item.value for item in scale]
        # Labels without a value drop out here, before pairability is decided.
        kept = np.array([value is not None for value in raw], dtype=bool)
        keep = kept[label]
        unit, label = unit[keep], label[keep]
        # Renumber the kept labels so that their codes are their ranks in scale order.
        rank = np.cumsum(kept) - 1
        label = rank[label]
        values = np.array([value for value in raw if value is not None], dtype=np.float64)
        n_labels = values.size
    coincidences = _coincidences(unit, label, table.n_units, n_labels)
    if coincidences is None:
        return None
    marginals = coincidences.sum(axis=0)
    # Extreme values overflow the squared distances: caught below as an undefined figure.
    with np.errstate(over="ignore", invalid="ignore"):
        distances = _distances(level, values, marginals)
        total = float(marginals.sum())
        expected = float(marginals @ distances @ marginals)
        if not expected > 0.0:
            return None
        observed = float((coincidences * distances).sum())
        alpha = 1.0 - (total - 1.0) * observed / expected
    # An undefined figure, never inf or nan.
    return alpha if math.isfinite(alpha) and math.isfinite(expected) else None


def _coincidences(
    unit: IntArray, label: IntArray, n_units: int, n_labels: int
) -> FloatArray | None:
    """The label x label coincidence matrix over pairable units, or None if there is none."""
    if n_labels == 0 or unit.size == 0:
        return None
    sizes = np.bincount(unit, minlength=n_units)
    pairable = sizes[unit] >= 2
    if not pairable.any():
        return None
    # `unit` is sorted, so compacting the pairable units keeps it sorted.
    unit_ids, unit = np.unique(unit[pairable], return_inverse=True)
    label = label[pairable]
    weight = 1.0 / (sizes[unit_ids] - 1.0)
    result = np.zeros((n_labels, n_labels))
    chunk = max(1, _MAX_CELLS_PER_CHUNK // n_labels)
    bounds = np.searchsorted(unit, np.arange(0, unit_ids.size + chunk, chunk))
    for first, (lo, hi) in enumerate(pairwise(bounds)):
        if lo == hi:
            continue
        local = unit[lo:hi] - first * chunk
        n_local = int(local[-1]) + 1
        counts = np.bincount(local * n_labels + label[lo:hi], minlength=n_local * n_labels)
        counts = counts.reshape(n_local, n_labels).astype(np.float64)
        weighted = counts * weight[first * chunk : first * chunk + n_local, None]
        result += weighted.T @ counts
        # A value is not paired with itself: remove the m_u self-pairs from the diagonal.
        result[np.diag_indices(n_labels)] -= weighted.sum(axis=0)
    return result


def _distances(level: Level, values: FloatArray, marginals: FloatArray) -> FloatArray:
    """Squared difference function delta^2 between every two labels (codes in rank order)."""
    n_labels = marginals.size
    if level == "nominal":
        return 1.0 - np.eye(n_labels)
    if level == "ordinal":
        # delta(c, k) = (n_c + ... + n_k - (n_c + n_k) / 2)^2 for ranks c <= k.
        cumulative = np.cumsum(marginals)
        low = np.minimum.outer(np.arange(n_labels), np.arange(n_labels))
        high = np.maximum.outer(np.arange(n_labels), np.arange(n_labels))
        between = cumulative[high] - cumulative[low] + marginals[low]
        return np.asarray((between - (marginals[low] + marginals[high]) / 2.0) ** 2)
    difference = np.subtract.outer(values, values)
    if level == "interval":
        return np.asarray(difference**2)
    total = np.add.outer(values, values)
    ratio = np.divide(difference, total, out=np.zeros_like(difference), where=total != 0)
    return np.asarray(ratio**2)


# --- Pairs of coders: Cohen's kappa and percent agreement ---------------------------------------


class _Pairs(NamedTuple):
    """Every pair of ratings of one unit by two coders (coder_a < coder_b in display order)."""

    coder_a: IntArray
    coder_b: IntArray
    label_a: IntArray
    label_b: IntArray


def _rating_pairs(table: _Table) -> _Pairs:
    empty = np.zeros(0, dtype=np.intp)
    if table.unit.size == 0:
        return _Pairs(empty, empty, empty, empty)
    sizes = np.bincount(table.unit, minlength=table.n_units)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    first: list[IntArray] = []
    second: list[IntArray] = []
    # Units of the same size share one pattern of index pairs, so each size is one broadcast.
    for size in np.unique(sizes[sizes >= 2]):
        i, j = np.triu_indices(int(size), 1)
        offsets = starts[sizes == size][:, None]
        first.append((offsets + i).ravel())
        second.append((offsets + j).ravel())
    if not first:
        return _Pairs(empty, empty, empty, empty)
    a = np.concatenate(first)
    b = np.concatenate(second)
    # Within a unit the ratings are sorted by coder, so coder[a] < coder[b].
    return _Pairs(table.coder[a], table.coder[b], table.label[a], table.label[b])


def cohen_kappa_pairs(
    ratings: Sequence[Rating], *, scale: Sequence[ScaleLabel] | None = None
) -> list[PairKappa]:
    """Cohen's (nominal) kappa for every pair of coders who rated at least one unit in common.

    Each pair is computed on the units both coders rated. `kappa` is None when chance agreement
    p_e is 1 (both coders used one and the same label throughout, so kappa is 0/0). `scale` only
    checks that the labels are on it; every label, with or without a value, counts.
    """
    table = _table(ratings, scale)
    return _kappa_pairs(table, _rating_pairs(table))


def _kappa_pairs(table: _Table, pairs: _Pairs) -> list[PairKappa]:
    if pairs.coder_a.size == 0:
        return []
    n_coders, n_labels = len(table.coders), len(table.labels)
    pair_ids, pair = np.unique(pairs.coder_a * n_coders + pairs.coder_b, return_inverse=True)
    cells = (pair * n_labels + pairs.label_a) * n_labels + pairs.label_b
    confusion = np.bincount(cells, minlength=pair_ids.size * n_labels * n_labels)
    confusion = confusion.reshape(pair_ids.size, n_labels, n_labels).astype(np.float64)
    shared = confusion.sum(axis=(1, 2))
    observed = np.trace(confusion, axis1=1, axis2=2) / shared
    row = confusion.sum(axis=2) / shared[:, None]
    column = confusion.sum(axis=1) / shared[:, None]
    chance = (row * column).sum(axis=1)
    defined = 1.0 - chance > _KAPPA_EPSILON
    kappa = np.divide(observed - chance, 1.0 - chance, out=np.zeros_like(chance), where=defined)
    return [
        PairKappa(
            coder_a=table.coders[pair_id // n_coders],
            coder_b=table.coders[pair_id % n_coders],
            kappa=float(k) if ok else None,
            shared_units=int(n),
            percent_agreement=float(p),
        )
        for pair_id, k, ok, n, p in zip(
            pair_ids.tolist(), kappa, defined, shared, observed, strict=True
        )
    ]


def percent_agreement(
    ratings: Sequence[Rating], *, scale: Sequence[ScaleLabel] | None = None
) -> float | None:
    """Share of agreeing coder pairs, pooled over every pair of ratings of the same unit.

    A unit rated by m coders contributes m(m-1)/2 pairs, so every pair weighs the same (a unit
    with four reviewers weighs six times a unit with two). Units rated once contribute nothing;
    None when no unit has two ratings. Labels compare as they are (nominal).
    """
    table = _table(ratings, scale)
    return _percent(_rating_pairs(table))


def _percent(pairs: _Pairs) -> float | None:
    if pairs.label_a.size == 0:
        return None
    return float(np.count_nonzero(pairs.label_a == pairs.label_b) / pairs.label_a.size)


# --- Spans ---------------------------------------------------------------------------------------


Span = tuple[int, int]


def span_agreement(marks: Iterable[SpanMark]) -> SpanAgreement:
    """Exact-match and overlap F1 between the spans of every two coders, per pair and overall.

    A pair of coders is compared on each group (article) where both marked at least one span:
    marks alone cannot tell whether a coder who marked nothing read the article at all. Within a
    group, repeated identical spans of one coder count once.

    - Exact: a span of A matches a span of B when their offsets are identical.
    - Overlap: spans match one to one, greedily by the largest number of shared characters (ties
      broken by position), and only when they share at least one character (ends are exclusive,
      so touching spans do not overlap).

    With m matches, F1 = 2m / (spans of A + spans of B), which is symmetric in A and B. Each
    pair's F1 is micro-averaged over its groups, and the overall F1 over all pairs and groups.
    `spans` counts the distinct spans in groups marked by at least two coders.
    """
    by_group: dict[Hashable, dict[Hashable, set[Span]]] = defaultdict(lambda: defaultdict(set))
    for mark in marks:
        if not 0 <= mark.start < mark.end:
            raise ValueError(f"span {mark.start}-{mark.end} is empty or negative")
        by_group[mark.group][mark.coder].add((mark.start, mark.end))
    coders = _display_order(coder for spans in by_group.values() for coder in spans)
    rank = {coder: i for i, coder in enumerate(coders)}
    # Per pair: shared groups, spans of A, spans of B, exact matches, overlap matches.
    totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    n_spans = 0
    for per_coder in by_group.values():
        if len(per_coder) < 2:
            continue
        n_spans += sum(map(len, per_coder.values()))
        ordered = sorted((rank[coder], sorted(spans)) for coder, spans in per_coder.items())
        for i, (a, spans_a) in enumerate(ordered):
            for b, spans_b in ordered[i + 1 :]:
                row = totals[a, b]
                row[0] += 1
                row[1] += len(spans_a)
                row[2] += len(spans_b)
                row[3] += len(set(spans_a).intersection(spans_b))
                row[4] += _overlap_matches(spans_a, spans_b)
    pairs = [
        PairSpanAgreement(
            coder_a=coders[a],
            coder_b=coders[b],
            shared_groups=groups,
            spans_a=spans_a,
            spans_b=spans_b,
            exact_matches=exact,
            overlap_matches=overlap,
            exact_f1=_f1(exact, spans_a + spans_b),
            overlap_f1=_f1(overlap, spans_a + spans_b),
        )
        for (a, b), (groups, spans_a, spans_b, exact, overlap) in sorted(totals.items())
    ]
    both = sum(pair.spans_a + pair.spans_b for pair in pairs)
    return SpanAgreement(
        exact_f1=_f1(sum(pair.exact_matches for pair in pairs), both),
        overlap_f1=_f1(sum(pair.overlap_matches for pair in pairs), both),
        pairs=pairs,
        spans=n_spans,
    )


def _f1(matches: int, spans: int) -> float | None:
    return 2.0 * matches / spans if spans else None


def _overlap_matches(spans_a: list[Span], spans_b: list[Span]) -> int:
    """Size of the greedy one-to-one matching by largest overlap (both lists sorted by start)."""
    candidates: list[tuple[int, Span, Span, int, int]] = []
    # A sweep: `active` holds the spans of B that started before some span of A ended and may
    # still overlap the next ones. A span of B that ends at or before a span of A starts cannot
    # overlap any later span of A either (they are sorted by start): it leaves for good. Without
    # this, every span of A was compared with every earlier span of B (quadratic per article).
    active: list[int] = []
    following = 0
    for i, (start_a, end_a) in enumerate(spans_a):
        while following < len(spans_b) and spans_b[following][0] < end_a:
            active.append(following)
            following += 1
        active = [j for j in active if spans_b[j][1] > start_a]
        for j in active:
            start_b, end_b = spans_b[j]
            shared = min(end_a, end_b) - max(start_a, start_b)
            if shared > 0:
                # The tie-break is symmetric in A and B, so swapping them gives the same matching.
                low, high = sorted(((start_a, end_a), (start_b, end_b)))
                candidates.append((-shared, low, high, i, j))
    candidates.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _, _, _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
    return len(used_a)


# --- The workspace summary ------------------------------------------------------------------------


def compute_agreement(
    ratings: Sequence[Rating],
    *,
    scale: Sequence[ScaleLabel],
    marks: Iterable[SpanMark] = (),
) -> dict[str, Any]:
    """Every agreement figure of a set of assessments, as a JSON-ready dict.

    `units`, `assessments` and `coders` count what the figures rest on: the units rated by at least
    two reviewers, the ratings of those units and the reviewers who gave them. Ratings of units
    rated once are ignored, as every statistic here ignores them. `interval` is None when no label
    of the scale has a value. See each function for the definitions and when a figure is None.
    """
    table = _table(ratings, scale)
    sizes = np.bincount(table.unit, minlength=table.n_units)
    behind = sizes[table.unit] >= 2
    pairs = _rating_pairs(table)
    spans = span_agreement(marks)
    has_values = any(item.value is not None for item in scale)
    return {
        "units": int(np.count_nonzero(sizes >= 2)),
        "assessments": int(np.count_nonzero(behind)),
        "coders": int(np.unique(table.coder[behind]).size),
        "krippendorff_alpha": {
            "nominal": _alpha(table, "nominal", scale),
            "ordinal": _alpha(table, "ordinal", scale),
            "interval": _alpha(table, "interval", scale) if has_values else None,
        },
        "cohen_kappa": [
            {
                "reviewer_a": pair.coder_a,
                "reviewer_b": pair.coder_b,
                "kappa": pair.kappa,
                "shared_claims": pair.shared_units,
                "percent_agreement": pair.percent_agreement,
            }
            for pair in _kappa_pairs(table, pairs)
        ],
        "percent_agreement": _percent(pairs),
        "span_agreement": {
            "exact_f1": spans.exact_f1,
            "overlap_f1": spans.overlap_f1,
            "pairs": [
                {
                    "reviewer_a": pair.coder_a,
                    "reviewer_b": pair.coder_b,
                    "shared_articles": pair.shared_groups,
                    "spans_a": pair.spans_a,
                    "spans_b": pair.spans_b,
                    "exact_matches": pair.exact_matches,
                    "overlap_matches": pair.overlap_matches,
                    "exact_f1": pair.exact_f1,
                    "overlap_f1": pair.overlap_f1,
                }
                for pair in spans.pairs
            ],
            "spans": spans.spans,
        },
    }
