"""Which already-checked claims say the same as a new one: ranking by sentence embeddings.

Pure functions over vectors (numpy): the services load the workspace's vectors and store what
these return; the `match_claims` command uses them on files. A score is the cosine similarity of
two L2-normalised embeddings clipped to 0..1; a pair is a match from the threshold of the model
that made the vectors (chosen on the development half of bench/data/matching, see
`bench/matching_eval.py`), unless the two texts say checkably different things
(`discrepancy`), and the best MAX_MATCHES are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Protocol

import numpy as np

from .claimants import REPORTING_VERBS, find_claimant
from .embeddings import DEFAULT_MODEL, Vectors
from .lexicon import word_set
from .similarity import MAX_MATCHES

# The cosine from which two claims count as the same, per embedding model. A model not listed
# (a deployer's own) uses DEFAULT_THRESHOLD unless EMBEDDING_MATCH_THRESHOLD says otherwise.
THRESHOLDS: dict[str, float] = {DEFAULT_MODEL: 0.55}
DEFAULT_THRESHOLD = 0.55
# Rows scored at once against the corpus: bounds the memory of the score matrix.
_QUERY_BLOCK = 256


def threshold_for(model: str, override: float | None = None) -> float:
    if override is not None:
        return override
    return THRESHOLDS.get(model, DEFAULT_THRESHOLD)


def rank(
    queries: Vectors,
    corpus: Vectors,
    *,
    threshold: float,
    limit: int = MAX_MATCHES,
) -> list[list[tuple[int, float]]]:
    """For each query row, (corpus row, score) pairs at or above the threshold, best first (ties
    by row), at most `limit`."""
    found: list[list[tuple[int, float]]] = [[] for _ in range(len(queries))]
    if not len(queries) or not len(corpus):
        return found
    keep = min(limit, len(corpus))
    for begin in range(0, len(queries), _QUERY_BLOCK):
        scores = np.clip(queries[begin : begin + _QUERY_BLOCK] @ corpus.T, 0.0, 1.0)
        if keep < len(corpus):
            top = np.argpartition(-scores, keep - 1, axis=1)[:, :keep]
        else:
            top = np.tile(np.arange(len(corpus)), (len(scores), 1))
        for offset, (row, columns) in enumerate(zip(scores, top, strict=True)):
            pairs = sorted(
                ((int(column), round(float(row[column]), 4)) for column in columns),
                key=lambda pair: (-pair[1], pair[0]),
            )
            found[begin + offset] = [pair for pair in pairs if pair[1] >= threshold]
    return found


def best_per_owner(
    found: Sequence[Sequence[tuple[int, float]]], owners: Sequence[int], limit: int = MAX_MATCHES
) -> list[tuple[int, float]]:
    """Several query texts for one claim (its quote and its rewording): each corpus row's best
    score over them, best first, at most `limit`. `owners` maps a corpus row to its owner id."""
    best: dict[int, float] = {}
    for matches in found:
        for row, score in matches:
            owner = owners[row]
            best[owner] = max(score, best.get(owner, 0.0))
    return sorted(best.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]


# --- Same topic, another claim -------------------------------------------------------------------
#
# Sentence embeddings put "crime rose by 18%" next to "crime fell by 18%", and "asylum requests
# in Germany" next to the same sentence about France: the same topic, another claim. A pair the
# embeddings accept is refused when the two say something checkably different: numbers that
# cannot be the same figure, other years, opposite directions of change, or places and bodies
# named on one side with no counterpart on the other (names are compared by their embeddings,
# so "Allemagne" finds "Germany").

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[ \u00a0\u202f.,]\d{3})*(?:[.,]\d+)?(?![\w])")
_CAPITALISED = re.compile(r"\b[A-ZÀ-ÖØ-Ý][\w'\u2019-]*(?:[ -][A-ZÀ-ÖØ-Ý][\w'\u2019-]*)*")
# Figures within this ratio of each other can be the same figure, rounded ("près de 10 %", 9.8).
_SAME_FIGURE = 0.12
# Two names are the same place or body from this cosine of their embeddings (measured: a name and
# its translation 0.79 to 0.96; two neighbouring countries 0.47 to 0.65).
NAME_MATCH = 0.75
_UP = re.compile(
    r"\b(ros[e]|rise[ns]?|rising|increas\w*|grew|grow\w*|doubl\w*|tripl\w*|jump\w*|soar\w*|"
    r"surg\w*|climb\w*|hausse\w*|augment\w*|progress\w*|grimp\w*|bondi\w*|multipli\w*|"
    r"cré[ée]\w*|gagn\w*|gain\w*|higher|plus élevé\w*)\b",
    re.IGNORECASE,
)
_DOWN = re.compile(
    r"\b(fell|fall\w*|declin\w*|decreas\w*|drop\w*|cut\w*|reduc\w*|halv\w*|shr[aiu]nk\w*|"
    r"lower\w*|baiss\w*|recul\w*|diminu\w*|rédui\w*|réduct\w*|chut\w*|divis\w*|moitié|"
    r"supprim\w*|suppression\w*|perd\w*|perte\w*|lost|los[es]\w*|less|moins)\b",
    re.IGNORECASE,
)
# Words that start a sentence or a clause with a capital without naming anything.
_NOT_NAMES = frozenset(
    [
        "a",
        "an",
        "the",
        "in",
        "on",
        "at",
        "of",
        "for",
        "by",
        "since",
        "after",
        "before",
        "according",
        "only",
        "some",
        "most",
        "more",
        "less",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "their",
        "his",
        "her",
        "our",
        "we",
        "they",
        "he",
        "she",
        "there",
        "le",
        "la",
        "les",
        "l",
        "un",
        "une",
        "des",
        "du",
        "de",
        "d",
        "selon",
        "depuis",
        "d'après",
        "après",
        "avant",
        "au",
        "aux",
        "en",
        "dans",
        "pour",
        "par",
        "sur",
        "ce",
        "cette",
        "ces",
        "il",
        "elle",
        "ils",
        "elles",
        "on",
        "nous",
        "son",
        "sa",
        "ses",
        "leur",
        "leurs",
        "plus",
        "moins",
    ]
)


_WORD_NUMBERS = {
    **dict.fromkeys(("two", "deux"), 2),
    **dict.fromkeys(("three", "trois"), 3),
    **dict.fromkeys(("four", "quatre"), 4),
    **dict.fromkeys(("five", "cinq"), 5),
    **dict.fromkeys(("six",), 6),
    **dict.fromkeys(("seven", "sept"), 7),
    **dict.fromkeys(("eight", "huit"), 8),
    **dict.fromkeys(("nine", "neuf"), 9),
    **dict.fromkeys(("ten", "dix"), 10),
    **dict.fromkeys(("twenty", "vingt"), 20),
    **dict.fromkeys(("hundred", "cent"), 100),
}
# Shares said in words, as percentages.
_SHARES = (
    (re.compile(r"\b(trois quarts|three[- ]quarters)\b", re.IGNORECASE), 75.0),
    (re.compile(r"\b(moitié|half|halved)\b", re.IGNORECASE), 50.0),
    (re.compile(r"\b(tiers|third)\b", re.IGNORECASE), 100 / 3),
    (re.compile(r"\b(quart|quarter)\b", re.IGNORECASE), 25.0),
)
_ONE_IN = re.compile(
    r"\b(?:un|une|one|a|(\d+|\w+))\s+(?:\w+\s+){0,3}?(?:sur|in|out of)\s+(\d+|\w+)\b",
    re.IGNORECASE,
)


def _word_value(word: str) -> float | None:
    if word.isdigit():
        return float(word)
    return _WORD_NUMBERS.get(word.lower())


def _figures(text: str) -> tuple[set[int], list[float]]:
    """The years (1900 to 2100) and the other figures a text states, in digits or in words
    ("quatre points"), shares as percentages too ("un sur cinq" 20, "a third" 33.3)."""
    years: set[int] = set()
    figures: list[float] = []
    for raw in _NUMBER.findall(text):
        compact = re.sub(r"[ \u00a0\u202f]", "", raw)
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", compact):
            compact = re.sub(r"[.,]", "", compact)  # thousands: 3,000 or 3.000
        value = float(compact.replace(",", "."))
        if value.is_integer() and 1900 <= value <= 2100 and len(compact) == 4:
            years.add(int(value))
        else:
            figures.append(value)
    for word in re.findall(r"[^\W\d_]+", text):
        spelled = _word_value(word)
        if spelled is not None:
            figures.append(spelled)
    for part, whole in _ONE_IN.findall(text):
        over = _word_value(whole)
        top = _word_value(part) if part else 1.0
        if over and top and top < over:
            figures.append(100 * top / over)
    figures += [share for pattern, share in _SHARES if pattern.search(text)]
    return years, figures


def _same_figure(a: float, b: float) -> bool:
    return abs(a - b) <= _SAME_FIGURE * max(abs(a), abs(b))


def _direction(text: str) -> int:
    up, down = bool(_UP.search(text)), bool(_DOWN.search(text))
    return 0 if up == down else (1 if up else -1)


def names(text: str) -> tuple[list[str], list[str]]:
    """(all capitalised words, those that name a place or body): the second leaves out the
    sentence's first word (a capital by position), people's names (two capitalised words or more,
    often a claimant added or dropped in a rewording) and words that never name anything."""
    found: list[str] = []
    places: list[str] = []
    for match in _CAPITALISED.finditer(text):
        words = [
            w
            for w in re.split(r"[ ]", match.group())
            if w.lower().strip("'\u2019") not in _NOT_NAMES
        ]
        if not words:
            continue
        found.append(" ".join(words))
        first = match.start() == len(text) - len(text.lstrip())
        if not first and len(words) == 1:
            places.append(words[0])
    return found, places


class Comparer(Protocol):
    """Words compared by their embeddings (NameComparer)."""

    def __call__(self, name: str, others: Sequence[str]) -> bool: ...

    def cosine(self, first: str, second: str) -> float: ...


def discrepancy(query: str, checked: str, same_names: Comparer) -> str:
    """Why two texts the embeddings find alike make different claims ("" when nothing shows it):
    "figures", "years", "direction", "names" or "subject". `same_names(name, others)` says
    whether a name has a counterpart among others, `same_names.cosine` how close two phrases
    are (by embeddings)."""
    years_q, figures_q = _figures(query)
    years_c, figures_c = _figures(checked)
    if years_q and years_c and years_q != years_c:
        return "years"
    fewer, more = sorted((figures_q, figures_c), key=len)
    if fewer and not all(any(_same_figure(a, b) for b in more) for a in fewer):
        # Every figure of the side that gives fewer is on the other side: a rewording may drop
        # a figure, not change one.
        return "figures"
    direction_q, direction_c = _direction(query), _direction(checked)
    if direction_q and direction_c and direction_q != direction_c:
        return "direction"
    places_q, places_c = names(query)[1], names(checked)[1]
    if places_q and places_c:
        # Another place or body on each side, each without a counterpart on the other: "in
        # Germany" for "in France". A name present on one side only is a detail added or dropped.
        words_q, words_c = _words(query), _words(checked)
        if not any(same_names(place, words_c) for place in places_q) and not any(
            same_names(place, words_q) for place in places_c
        ):
            return "names"
    if _other_subject(query, checked, same_names):
        return "subject"
    return ""


# --- The same sentence about something else -----------------------------------------------------
#
# "Un retraité sur cinq vit sous le seuil de pauvreté" is "Un enfant sur cinq ..." with one word
# replaced, and the embeddings put them as close as a translation. When two texts share most of
# their words (once who said it is set aside: the same claim by someone else is the same claim),
# each part replaced must say the same thing as what it replaces: "a baissé" for "a reculé",
# "physicians" for "doctors", never "retraité" for "enfant". Measured on bench/data/matching:
# distractors matched 18 of 50 -> 6 on the development half with no right match lost; on the
# held-out half 15 -> 7, and 2 rewordings of 30 lost.

_TOKEN = re.compile(r"\w+(?:['\u2019]\w+)?")
# From this share of words in common (difflib's ratio) two texts are one sentence with parts
# replaced; rewordings of a claim share far fewer (at most 0.49 on the development half).
NEAR_IDENTICAL = 0.55
# A replaced part says the same from this cosine of the two parts' embeddings: words for the same
# thing measured 0.54 to 0.93 ("retraité"/"senior" 0.54, "vit"/"se trouve" 0.55), other things
# 0.11 to 0.49 ("cut sick leave"/"raised productivity" 0.11, "retraité"/"enfant" 0.40,
# "dermatologue"/"ophtalmologiste" 0.49). The development half gives the same figures from 0.45
# to 0.55; the middle keeps the most room for synonyms.
SAME_PART = 0.50
# Words a replaced part may change without changing the claim: grammar, reporting, hedges.
# Figures and directions of change have their own checks above.
_FREE_WORDS = word_set(
    "a an the has have had is are was were be been of in on at to for by and or its their his "
    "her this that these those le la les l un une des du de d au aux en et ou est sont ont été "
    "se s sa son ses leur leurs ce cette ces qu que qui says said say claims claimed claim "
    "according told reports reported argues warns insists selon affirme assure dit déclare "
    "estime indique rapporte souligne explique prétend d'après dénonce alerte about roughly "
    "around nearly almost over more than less some près environ plus moins presque quelque "
    "quelques"
)


# Elided articles and pronouns ("l'Insee", "qu'il", "jusqu'à"): the word is what follows.
_ELIDED = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['\u2019](?=\w)")
# A comma that separates clauses, not the digits of "0,3" or "1,200".
_SEPARATOR = re.compile(r"(?<!\d),|,(?!\d)")
_SOURCE = r"(?:selon|d['\u2019]après|according\s+to)\b"
# "Selon l'Insee, ..." / "According to the ONS, ...": who said it, before the claim.
_LEADING_SOURCE = re.compile(
    rf"^\s*{_SOURCE}(?:[^,;:]|(?<=\d),(?=\d))*(?:(?<!\d)[,;:]|[,;:](?!\d))", re.IGNORECASE
)
_TRAILING_SOURCE = re.compile(rf"\s*{_SOURCE}", re.IGNORECASE)
# A last clause of at most this many words can say who said it ("..., a-t-elle affirmé", "...,
# according to figures released on Monday", "..., Dr Ames says", "..., said the minister").
_ATTRIBUTION_CLAUSE = 10
# Words after which a reporting verb's form is a noun ("le juge", "the calls").
_DETERMINERS = word_set("le la les l un une des du the an this that these those ce cette ces")
# Set aside wherever they are: who said it, by a pronoun or a preposition.
_ATTRIBUTION_WORDS = word_set("il elle ils elles he she they t selon according")
# Texts longer than this many words are passages, not claims: the part-by-part comparison grows
# with the square of the length and is not made on them (an article's 2,000 words took 0.7 s).
SUBJECT_MAX_WORDS = 120


def _tokens(text: str) -> list[str]:
    return [_ELIDED.sub("", word.lower()) for word in _TOKEN.findall(text)]


def _attributes(clause: str) -> bool:
    """Whether a short clause only says who said it: it opens with "selon"/"according to", or
    a reporting verb (not a noun after a determiner) is among its first three words or its last."""
    words = _tokens(clause)
    if not words or len(words) > _ATTRIBUTION_CLAUSE:
        return False
    if _TRAILING_SOURCE.match(clause):
        return True
    verbs = [
        at
        for at, word in enumerate(words)
        if word in REPORTING_VERBS and (at == 0 or words[at - 1] not in _DETERMINERS)
    ]
    return any(at < 3 or at == len(words) - 1 for at in verbs)


def _without_attribution(text: str) -> str:
    """The text without a leading "selon X," and a last clause that only says who said it."""
    text = _LEADING_SOURCE.sub("", text, count=1)
    separators = list(_SEPARATOR.finditer(text))
    last = separators[-1] if separators else None
    if last is not None and _attributes(text[last.end() :]):
        return text[: last.start()]
    return text


def _claim_words(text: str) -> tuple[str, ...] | None:
    """The text's words, lowercased and without elisions, once who it is attributed to is set
    aside: the claimant's name, the clause that attributes it, subject pronouns. None for a text
    too long to compare part by part (SUBJECT_MAX_WORDS), which is not kept in the cache."""
    if len(_TOKEN.findall(text)) > SUBJECT_MAX_WORDS:
        return None
    return _short_claim_words(text)


# Words that may join the capitalised words of a name ("Cour des comptes" aside, which is lower).
_NAME_LINKS = word_set("de du des d la le l of for the and et van von")


def _a_name(claimant: str) -> bool:
    """Whether a guessed claimant reads as a name ("Insee", "Dr Ames", "Office for National
    Statistics"), not a stretch of the claim taken for one ("ONS pensioners received 1")."""
    words = claimant.split()
    return 0 < len(words) <= 5 and all(
        word[:1].isupper() or (at and word.lower() in _NAME_LINKS) for at, word in enumerate(words)
    )


@lru_cache(maxsize=4096)
def _short_claim_words(text: str) -> tuple[str, ...]:
    dropped = set(_ATTRIBUTION_WORDS)
    for language in ("fr", "en"):
        claimant = find_claimant(text, language).name
        if claimant and _a_name(claimant):
            dropped.update(_tokens(claimant))
    return tuple(word for word in _tokens(_without_attribution(text)) if word not in dropped)


def _content(words: Sequence[str]) -> str:
    return " ".join(
        word
        for word in words
        if word not in _FREE_WORDS
        and not word[0].isdigit()
        and word not in _WORD_NUMBERS
        and not _UP.fullmatch(word)
        and not _DOWN.fullmatch(word)
    )


def _other_subject(query: str, checked: str, comparer: Comparer) -> bool:
    """Whether the two are one sentence with a part replaced by something else."""
    first, second = _claim_words(query), _claim_words(checked)
    if first is None or second is None:
        return False
    matcher = SequenceMatcher(a=first, b=second, autojunk=False)
    # The cheap upper bounds first: most pairs the embeddings accept are rewordings.
    if matcher.real_quick_ratio() < NEAR_IDENTICAL or matcher.quick_ratio() < NEAR_IDENTICAL:
        return False
    if matcher.ratio() < NEAR_IDENTICAL:
        return False
    for operation, start_a, end_a, start_b, end_b in matcher.get_opcodes():
        if operation != "replace":
            continue
        part_a, part_b = _content(first[start_a:end_a]), _content(second[start_b:end_b])
        if part_a and part_b and comparer.cosine(part_a, part_b) < SAME_PART:
            return True
    return False


def _words(text: str) -> list[str]:
    return [
        word for word in re.findall(r"[^\W\d_][\w-]{2,}", text) if word.lower() not in _NOT_NAMES
    ]


class NameComparer:
    """Whether a name has a counterpart among others, and how close two phrases are, by their
    embeddings alone (remembered: the same names come back across a corpus)."""

    def __init__(self, embed: Callable[[Sequence[str]], Vectors]) -> None:
        self._embed = embed
        self._vectors: dict[str, Vectors] = {}

    def _vector(self, names: Sequence[str]) -> Vectors:
        missing = [name for name in dict.fromkeys(names) if name not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self._embed(missing), strict=True))
        return np.vstack([self._vectors[name] for name in names])

    def __call__(self, name: str, others: Sequence[str]) -> bool:
        if any(name.lower() == other.lower() for other in others):
            return True
        scores = self._vector(others) @ self._vector([name])[0]
        return bool(scores.max() >= NAME_MATCH)

    def cosine(self, first: str, second: str) -> float:
        vectors = self._vector([first, second])
        return float(vectors[0] @ vectors[1])


def verified(
    found: Sequence[Sequence[tuple[int, float]]],
    queries: Sequence[str],
    corpus: Sequence[str],
    same_names: Comparer,
) -> list[list[tuple[int, float]]]:
    """The ranked matches without those that make a checkably different claim (`discrepancy`)."""
    return [
        [(row, score) for row, score in matches if not discrepancy(query, corpus[row], same_names)]
        for matches, query in zip(found, queries, strict=True)
    ]


def match_vectors(
    queries: Vectors,
    corpus: Vectors,
    query_texts: Sequence[str],
    corpus_texts: Sequence[str],
    *,
    threshold: float,
    names: Comparer,
    limit: int = MAX_MATCHES,
) -> list[list[tuple[int, float]]]:
    """The whole matching, from the texts' vectors: ranked by cosine, then the discrepancy check
    on the best few (a refused first match lets the next one through)."""
    found = rank(queries, corpus, threshold=threshold, limit=limit + 2)
    checked = verified(found, query_texts, corpus_texts, names)
    return [matches[:limit] for matches in checked]


def match_texts(
    embed: Callable[[Sequence[str]], Vectors],
    queries: Sequence[str],
    corpus: Sequence[str],
    *,
    threshold: float,
    limit: int = MAX_MATCHES,
) -> list[list[tuple[int, float]]]:
    """`match_vectors` on texts."""
    return match_vectors(
        embed(queries),
        embed(corpus),
        queries,
        corpus,
        threshold=threshold,
        names=NameComparer(embed),
        limit=limit,
    )
