"""Re-anchoring highlights after an article's text is corrected: pure Python, no Django imports.

A highlight is stored as a W3C TextPositionSelector (``start``, ``end``: code-point offsets, end
exclusive) plus a TextQuoteSelector (``exact``, ``prefix``, ``suffix``). When the text changes, each
highlight is placed again, trying in order:

1. ``position``: the stored offsets still cover the quote;
2. ``shifted``: the offsets mapped through a diff of the old text to the new one cover the quote;
3. ``exact``: an exact search for the quote, occurrences ranked by how well their surroundings
   match the stored prefix and suffix, then by closeness to the expected position;
4. ``fuzzy``: an approximate search with a bounded edit distance, candidates ranked by
   :func:`_score` and accepted at :data:`FUZZY_ACCEPT_SCORE` or above;
5. ``orphan``: nothing fits; the highlight is kept by the caller and shown as an orphan.

Offsets are Python string indices (code points), never UTF-16 units.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import Levenshtein

from annotations.text import CONTEXT_CHARS, quote_at

Method = Literal["position", "shifted", "exact", "fuzzy", "orphan"]

# Weights of a candidate's score (they sum to 1). The quote itself dominates; prefix and suffix
# tell apart repeated or near-repeated sentences; proximity only breaks what is left of a tie,
# since a correction may legitimately move a passage far away.
QUOTE_WEIGHT = 0.5
PREFIX_WEIGHT = 0.2
SUFFIX_WEIGHT = 0.2
PROXIMITY_WEIGHT = 0.1

# With intact context and position a quote needs a similarity of 0.4 to pass, with half its
# context damaged 0.8. Unrelated prose scores about 0.2-0.4 on context, so a near-duplicate
# sentence elsewhere, or "7,3 %" for a deleted "7,1 %", stays below and the highlight is orphaned
# rather than moved onto a different claim.
FUZZY_ACCEPT_SCORE = 0.7

# Below this length an approximate match is mostly noise ("a", "3%").
MIN_FUZZY_LENGTH = 3

# The edit distance allowed is max(FUZZY_MIN_EDITS, FUZZY_EDIT_RATIO * len(exact)).
FUZZY_MIN_EDITS = 2
FUZZY_EDIT_RATIO = 0.25

# Bounds the work per highlight when a short or repetitive quote matches in many places.
MAX_FUZZY_CANDIDATES = 48

# Extra characters searched around the expected position before falling back to the whole text:
# most corrections are local, and the window keeps a fuzzy re-anchor well under a millisecond.
WINDOW_MARGIN = 256


@dataclass(frozen=True, slots=True)
class Selector:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"need 0 <= start < end, got {self.start}, {self.end}")
        if not self.exact:
            raise ValueError("exact must not be empty")


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a highlight lies in the new text; ``start`` and ``end`` are None for an orphan.

    ``score`` is a confidence in [0, 1]: 1.0 for ``position`` and ``shifted``, the candidate's
    weighted score for ``exact`` and ``fuzzy``, 0.0 for ``orphan``.
    """

    start: int | None
    end: int | None
    method: Method
    score: float

    @property
    def is_orphan(self) -> bool:
        return self.method == "orphan"


ORPHAN = Anchor(None, None, "orphan", 0.0)


def selector_for(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> Selector:
    if not 0 <= start < end <= len(text):
        raise ValueError(f"need 0 <= start < end <= {len(text)}, got {start}, {end}")
    if context < 0:
        raise ValueError("context must not be negative")
    quote = quote_at(text, start, end, context)
    return Selector(
        start=start, end=end, exact=quote.exact, prefix=quote.prefix, suffix=quote.suffix
    )


def reanchor(new_text: str, selector: Selector, *, old_text: str | None = None) -> Anchor:
    """Place one highlight in ``new_text``; give ``old_text`` to map positions through a diff.

    To re-anchor several highlights on the same revision use :func:`reanchor_all`, which
    computes the diff once.
    """
    alignment = None if old_text is None else _Alignment.between(old_text, new_text)
    return _reanchor(new_text, selector, alignment)


def reanchor_all(old_text: str, new_text: str, selectors: Sequence[Selector]) -> list[Anchor]:
    """Re-anchor every selector: one Anchor per selector, in the same order, orphans included."""
    alignment = _Alignment.between(old_text, new_text)
    return [_reanchor(new_text, selector, alignment) for selector in selectors]


class _Alignment:
    """Maps offsets of the old text to the new one through the unchanged blocks of a diff."""

    __slots__ = ("_new_starts", "_old_ends", "_old_starts")

    def __init__(self, blocks: Sequence[tuple[int, int, int]]) -> None:
        self._old_starts = [old_start for old_start, _, _ in blocks]
        self._old_ends = [old_end for _, old_end, _ in blocks]
        self._new_starts = [new_start for _, _, new_start in blocks]

    @classmethod
    def between(cls, old_text: str, new_text: str) -> _Alignment:
        if old_text == new_text:
            return cls([(0, len(old_text), 0)])
        # rapidfuzz's bit-parallel Levenshtein takes about 12 ms on 20,000 characters, where
        # difflib needs seconds (and with autojunk it treats every common letter as junk).
        opcodes = Levenshtein.opcodes(old_text, new_text)
        return cls(
            [(op.src_start, op.src_end, op.dest_start) for op in opcodes if op.tag == "equal"]
        )

    def _new_end(self, block: int) -> int:
        return self._new_starts[block] + self._old_ends[block] - self._old_starts[block]

    def map_start(self, offset: int) -> int:
        # A start inside changed text maps to where the replacement begins, so that the mapped
        # span covers the whole replacement; text inserted right at the start stays outside.
        block = bisect.bisect_right(self._old_starts, offset) - 1
        if block < 0:
            return 0
        if offset < self._old_ends[block]:
            return self._new_starts[block] + offset - self._old_starts[block]
        return self._new_end(block)

    def map_end(self, offset: int, new_length: int) -> int:
        # Mirror image of map_start: text inserted right at the end stays outside the span.
        block = bisect.bisect_left(self._old_ends, offset)
        if block == len(self._old_ends):
            return new_length
        if self._old_starts[block] < offset:
            return self._new_starts[block] + offset - self._old_starts[block]
        return self._new_starts[block]


def _reanchor(new_text: str, selector: Selector, alignment: _Alignment | None) -> Anchor:
    exact = selector.exact
    if new_text[selector.start : selector.end] == exact:
        return Anchor(selector.start, selector.end, "position", 1.0)

    expected = selector.start
    if alignment is not None:
        start = alignment.map_start(selector.start)
        end = alignment.map_end(selector.end, len(new_text))
        if start < end and new_text[start:end] == exact:
            return Anchor(start, end, "shifted", 1.0)
        expected = start
    expected = min(expected, len(new_text))

    return (
        _exact_search(new_text, selector, expected)
        or _fuzzy_search(new_text, selector, expected)
        or ORPHAN
    )


def _exact_search(text: str, selector: Selector, expected: int) -> Anchor | None:
    exact = selector.exact
    best: tuple[float, int, int] | None = None  # (-context, distance, start): smallest wins
    found = text.find(exact)
    while found != -1:
        prefix_sim, suffix_sim = _context_similarity(text, selector, found, found + len(exact))
        key = (-(prefix_sim + suffix_sim), abs(found - expected), found)
        if best is None or key < best:
            best = key
        found = text.find(exact, found + 1)
    if best is None:
        return None
    start = best[2]
    end = start + len(exact)
    return Anchor(
        start,
        end,
        "exact",
        _score(text, selector, start, end, expected=expected, quote_similarity=1.0),
    )


def _fuzzy_search(text: str, selector: Selector, expected: int) -> Anchor | None:
    length = len(selector.exact)
    if length < MIN_FUZZY_LENGTH:
        return None
    max_edits = max(FUZZY_MIN_EDITS, int(FUZZY_EDIT_RATIO * length))
    low = max(0, expected - max_edits - WINDOW_MARGIN)
    high = min(len(text), expected + length + max_edits + WINDOW_MARGIN)
    best = _best_fuzzy_candidate(
        text, selector, expected=expected, max_edits=max_edits, low=low, high=high
    )
    if (best is None or best.score < FUZZY_ACCEPT_SCORE) and (low > 0 or high < len(text)):
        best = _best_fuzzy_candidate(
            text, selector, expected=expected, max_edits=max_edits, low=0, high=len(text)
        )
    if best is None or best.score < FUZZY_ACCEPT_SCORE:
        return None
    return best


def _best_fuzzy_candidate(
    text: str, selector: Selector, *, expected: int, max_edits: int, low: int, high: int
) -> Anchor | None:
    exact = selector.exact
    length = len(exact)
    ends = _approximate_match_ends(exact, text, low, high, max_edits)
    # The best ends first: fewest edits, then the span that would end nearest the expected end.
    ends.sort(key=lambda hit: (hit[1], abs(hit[0] - expected - length)))
    best: Anchor | None = None
    for end, distance in ends[:MAX_FUZZY_CANDIDATES]:
        first = max(0, end - length - distance)
        last = min(end - 1, end - length + distance)
        for start in range(first, last + 1):
            span = text[start:end]
            if Levenshtein.distance(exact, span, score_cutoff=distance) > distance:
                continue
            similarity = 1.0 - distance / max(length, len(span))
            score = _score(
                text, selector, start, end, expected=expected, quote_similarity=similarity
            )
            if best is None or score > best.score:
                best = Anchor(start, end, "fuzzy", score)
    return best


def _approximate_match_ends(
    pattern: str, text: str, low: int, high: int, max_edits: int
) -> list[tuple[int, int]]:
    """Return (end, edits) for the ends in text[low:high] where some substring ending there is
    within ``max_edits`` of ``pattern``, keeping only local minima of the edit count.

    Myers' bit-parallel algorithm (J. ACM 46(3), 1999) in Hyyrö's formulation: one column of the
    edit-distance table per text character, held in two bit vectors, so Python does a dozen
    integer operations per character instead of len(pattern) table cells.
    """
    length = len(pattern)
    match_masks: dict[str, int] = {}
    for i, char in enumerate(pattern):
        match_masks[char] = match_masks.get(char, 0) | (1 << i)
    all_ones = (1 << length) - 1
    last_row = 1 << (length - 1)
    plus_vertical, minus_vertical, edits = all_ones, 0, length
    scores: list[tuple[int, int]] = []
    for j in range(low, high):
        matches = match_masks.get(text[j], 0)
        x_vertical = matches | minus_vertical
        x_horizontal = (((matches & plus_vertical) + plus_vertical) ^ plus_vertical) | matches
        plus_horizontal = minus_vertical | (~(x_horizontal | plus_vertical) & all_ones)
        minus_horizontal = plus_vertical & x_horizontal
        if plus_horizontal & last_row:
            edits += 1
        elif minus_horizontal & last_row:
            edits -= 1
        # Shifting in a zero (not a one) lets a match start anywhere in the text.
        plus_horizontal = (plus_horizontal << 1) & all_ones
        minus_horizontal = (minus_horizontal << 1) & all_ones
        plus_vertical = minus_horizontal | (~(x_vertical | plus_horizontal) & all_ones)
        minus_vertical = plus_horizontal & x_vertical
        if edits <= max_edits:
            scores.append((j + 1, edits))
    return _local_minima(scores)


def _local_minima(scores: list[tuple[int, int]]) -> list[tuple[int, int]]:
    # Ends next to a better end are the same match with a character more or less: skip them.
    minima = []
    for i, (end, edits) in enumerate(scores):
        before = scores[i - 1] if i > 0 else None
        after = scores[i + 1] if i + 1 < len(scores) else None
        if before is not None and before[0] == end - 1 and before[1] < edits:
            continue
        if after is not None and after[0] == end + 1 and after[1] < edits:
            continue
        minima.append((end, edits))
    return minima


def _context_similarity(text: str, selector: Selector, start: int, end: int) -> tuple[float, float]:
    prefix, suffix = selector.prefix, selector.suffix
    if prefix:
        prefix_sim = Levenshtein.normalized_similarity(
            prefix, text[max(0, start - len(prefix)) : start]
        )
    else:
        # An empty prefix means the highlight began the text: only a candidate there matches.
        prefix_sim = 1.0 if start == 0 else 0.0
    if suffix:
        suffix_sim = Levenshtein.normalized_similarity(suffix, text[end : end + len(suffix)])
    else:
        suffix_sim = 1.0 if end == len(text) else 0.0
    return prefix_sim, suffix_sim


def _score(
    text: str,
    selector: Selector,
    start: int,
    end: int,
    *,
    expected: int,
    quote_similarity: float,
) -> float:
    prefix_sim, suffix_sim = _context_similarity(text, selector, start, end)
    proximity = 1.0 - min(1.0, abs(start - expected) / max(1, len(text)))
    return (
        QUOTE_WEIGHT * quote_similarity
        + PREFIX_WEIGHT * prefix_sim
        + SUFFIX_WEIGHT * suffix_sim
        + PROXIMITY_WEIGHT * proximity
    )
