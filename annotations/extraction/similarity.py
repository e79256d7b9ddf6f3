"""Which already-checked claims say the same thing as a new sentence: thresholds and the portable
matcher.

On PostgreSQL the workbench asks pg_trgm (trigram similarity, served by a GIN index); elsewhere
it ranks a bounded list of claims with rapidfuzz here. The two scales differ, so each has its own
cut-off, chosen on the same pairs: on the 418 sentences of bench/data (87,000 pairs of different
sentences) each lets through one unrelated pair, while a claim and its rewording ("Crime is at a
record high in this country." / "Crime in this country is at an all-time record high.", trigram
0.82, rapidfuzz 0.89) or a quote and the sentence reporting it (0.56 / 0.70) pass. Surface
similarity cannot tell "fell by 0.3 points" from "rose by 0.5 points" in an otherwise identical
sentence: a match is shown with its verdict and score for a reviewer to judge, never applied.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

TRIGRAM_MIN_SIMILARITY = 0.45
FUZZY_MIN_SCORE = 0.70
MAX_MATCHES = 3


def rank_similar(
    text: str,
    choices: Sequence[tuple[int, str]],
    *,
    limit: int = MAX_MATCHES,
    min_score: float = FUZZY_MIN_SCORE,
) -> list[tuple[int, float]]:
    """The ids of the ``choices`` most similar to ``text``, best first, with a score in 0..1.

    ``choices`` are (id, text) pairs; an id may come more than once (a claim's quote and its
    rewording) and keeps its best score. Scores are rapidfuzz's token sort ratio on lowercased,
    punctuation-free text, so word order and typography matter little.
    """
    if not text.strip() or not choices:
        return []
    found = process.extract(
        text,
        [choice for _, choice in choices],
        scorer=fuzz.token_sort_ratio,
        processor=utils.default_process,
        score_cutoff=min_score * 100,
        limit=None,
    )
    best: dict[int, float] = {}
    for _, score, position in found:
        key = choices[position][0]
        best[key] = max(best.get(key, 0.0), round(score / 100, 4))
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:limit]
