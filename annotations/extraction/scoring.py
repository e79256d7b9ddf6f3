"""Check-worthiness scoring: an explainable, weighted rule scorer and the scorer protocol.

Each rule is a named feature with a weight and, where it evidences one, a claim kind (Full
Fact's taxonomy plus quotation). A sentence's score is the logistic of the bias plus the weights
of the features it fires, so every score can be explained by the list of features behind it,
which is what ``SentenceScore.reasons`` carries to the reviewer.

Speed matters (extraction runs on every article): a sentence is lowercased and tokenized once,
the token set is intersected with the language's cue vocabulary in C, and multi-word cues are
only tried when their rarest word is present.
"""

# Typographic quotes and apostrophes are the data these rules read, not typos.
# ruff: noqa: RUF001

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from . import lexicon
from .claimants import guess_claimant
from .lexicon import word_set

__all__ = [
    "FEATURES",
    "KINDS",
    "Feature",
    "RuleScorer",
    "SentenceScore",
    "SentenceScorer",
    "guess_claimant",
]

KINDS = (
    "quantity",
    "prediction",
    "causation",
    "laws_rules",
    "personal_experience",
    "quotation",
    "other",
)


@dataclass(frozen=True, slots=True)
class SentenceScore:
    """How check-worthy a sentence is (0 to 1), which kinds of claim it holds, and why."""

    score: float
    kinds: tuple[str, ...]
    reasons: tuple[str, ...]


@runtime_checkable
class SentenceScorer(Protocol):
    """Anything that scores a sentence: the rules, a learned model, a test double."""

    @property
    def name(self) -> str: ...

    def score(self, sentence: str, language: str) -> SentenceScore: ...


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    weight: float
    kind: str | None
    label: str


def _features(*rows: tuple[str, float, str | None, str]) -> dict[str, Feature]:
    return {row[0]: Feature(*row) for row in rows}


# Weights are set by hand, checked against the development half of the news sets in bench/data
# (see bench/data/README.md for how the held-out half was used). Positive weights raise
# check-worthiness; a feature fires at most once per sentence.
FEATURES: Mapping[str, Feature] = _features(
    ("percentage", 1.6, "quantity", "percentage"),
    ("currency", 1.1, "quantity", "amount of money"),
    ("number", 1.3, "quantity", "figure"),
    ("number_word", 1.2, "quantity", "number in words"),
    ("counted", 0.9, "quantity", "measured quantity"),
    ("magnitude", 0.9, "quantity", "magnitude"),
    ("proportion", 1.0, "quantity", "proportion or rate"),
    ("change", 0.8, "quantity", "change in a quantity"),
    ("comparison", 0.5, "quantity", "comparison"),
    ("superlative", 1.0, "quantity", "ranking or record"),
    ("approximation", 0.4, "quantity", "approximation"),
    ("small_number", 0.2, None, "small number"),
    ("statistic", 0.5, None, "statistics vocabulary"),
    ("year", 0.4, None, "year"),
    ("date", 0.2, None, "date"),
    ("source", 0.7, None, "statistical source"),
    ("finding", 0.6, None, "finding of a study or inquiry"),
    ("future", 0.3, "prediction", "future tense"),
    ("forecast", 0.6, "prediction", "forecast"),
    ("causal", 0.9, "causation", "cause or effect"),
    ("legal", 0.9, "laws_rules", "law or rule"),
    ("personal", -1.8, "personal_experience", "personal experience"),
    ("testimony", -0.6, None, "testimony verb"),
    ("first_person", -0.4, None, "first person"),
    ("quote_marks", 0.1, "quotation", "quotation marks"),
    ("reported_speech", 0.3, "quotation", "reporting verb"),
    ("attribution", 0.6, "quotation", "attribution"),
    ("reported_claim", 0.5, "quotation", "reported assertion"),
    ("vote", 1.0, "other", "vote"),
    ("accusation", 0.8, "other", "accusation"),
    ("promise", 0.5, "other", "promise"),
    ("named_entity", 0.3, None, "named entity"),
    ("absolute", 0.3, None, "absolute wording"),
    ("question", -1.3, None, "question"),
    ("exclamation", -0.5, None, "exclamation"),
    ("very_short", -1.5, None, "very short"),
    ("short", -0.6, None, "short"),
    ("subjective", -0.8, None, "opinion or feeling"),
    ("hedge", -0.4, None, "hedging"),
    ("discourse", -1.0, None, "courtesy or stage direction"),
    ("ner_entity", 0.4, None, "named entity (NER)"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)
_RANK = {name: rank for rank, name in enumerate(FEATURE_NAMES)}
BIAS = -1.6
# Above this raw score a sentence with no specific kind is still labelled "other" rather than
# left kindless: it looked like a claim for reasons the taxonomy does not name.
_OTHER_KIND_SCORE = 0.5

_TOKEN = re.compile(r"[^\W_]+")
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"(?<![^\W\d_])(?<![^\W\d_]-)\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"1[5-9]\d\d|20\d\d")
_TIME_TAIL = re.compile(
    r"\s?(?:h\b|heures?\b|[ap]\.?m\b|o['’]clock|:\d\d|minutes? (?:ago|plus tard))", re.IGNORECASE
)
_AGE_TAIL = re.compile(r"\s?(?:ans\b\s*[,)]|,|-year-old|years? old)", re.IGNORECASE)
_MONTHS = (
    "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|"
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"
)
_DATE_TAIL = re.compile(
    rf"(?:er|st|nd|rd|th)?(?:\s(?:au|et|à|to|and|-|–)\s\d{{1,2}}(?:er|st|nd|rd|th)?)?"
    rf"\s(?:{_MONTHS})\b",
    re.IGNORECASE,
)
# Numbers that name something rather than count it: "article 49.3", "No. 5", "page 12".
_REFERENCE_HEAD = re.compile(
    r"\b(?:articles?|art\.|section|chapitre|chapter|alinéa|paragraph|n°|no\.|numéro|number|"
    r"page|p\.|line|ligne|route|rue|street|avenue|room|salle|covid|level|niveau)\s*$",
    re.IGNORECASE,
)
_DATE_HEAD = re.compile(rf"\b(?:{_MONTHS})\.?\s$", re.IGNORECASE)
_PERCENT = re.compile(r"[%‰]")
_CURRENCY = re.compile(r"[$€£¥₹]")
_CAPITALISED = re.compile(r"(?<=\s)(?<![.!?…:;«“\"„]\s)(?<![«“„]\u00a0)[A-ZÀ-ÖØ-ÞŒ][\w'’-]*")
_NOT_ENTITIES = word_set(
    "I I'm I've I'd I'll Mr Mrs Ms Dr Sen Rep Gov St M Mme Mlle Me Pr Monday Tuesday Wednesday "
    "Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December OK"
)
_FUTURE_FR = re.compile(
    r"\b(?:sera|seront|aura|auront|fera|feront|pourra|pourront|devra|devront|ira|iront|"
    r"viendra|viendront|faudra|verra|verront|voudra|saura|sauront|vaudra|tiendra|"
    r"[^\W\d_]{3,}(?:era|eront|ira|iront|dra|dront))\b"
    r"|\b(?:va|vont|allons|allez)\s+(?:\w+\s+)?[^\W\d_]{2,}(?:er|ir|re)\b"
    r"|\bd['’]ici\s+(?:à\s+)?(?:la\s+fin|20\d\d)|\bdès\s+20\d\d"
)
_FUTURE_EN = re.compile(r"\bby\s+(?:the\s+end\s+of\s+)?20\d\d\b|\bwon['’]t\b")
_EXTRA_PATTERNS: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "fr": (
        (_FUTURE_FR, "future"),
        (re.compile(r"\bcontre\s+(?:\d|près|environ|plus|moins)"), "comparison"),
        (
            re.compile(
                r"\b(?:un|une|\d+)\s+(?:\w+\s+){0,2}sur\s+(?:deux|trois|quatre|cinq|dix|\d+)\b"
            ),
            "proportion",
        ),
    ),
    "en": (
        (_FUTURE_EN, "future"),
        (
            re.compile(
                r"\b(?:one|\d+)\s+(?:\w+\s+){0,2}(?:in|out\s+of)\s+(?:two|three|four|five|ten|\d+)\b"
            ),
            "proportion",
        ),
    ),
}
_THAT_AFTER = re.compile(r"\s+(?:[^\s«“\"]+\s+){0,3}?(?:que\b|qu['’]|that\b|[«“\":])")
_QUOTE_MARKS = re.compile(r"[«»“”„]|\"[^\"]+\"")


@dataclass(frozen=True, slots=True)
class _Lexicon:
    words: Mapping[str, tuple[str, ...]]
    phrases: Mapping[str, tuple[tuple[re.Pattern[str], str], ...]]
    vocabulary: frozenset[str]
    small_numbers: frozenset[str]
    counted: re.Pattern[str] | None
    patterns: tuple[tuple[re.Pattern[str], str], ...]


def _build_lexicon(cues: Mapping[str, str], language: str) -> _Lexicon:
    words: dict[str, list[str]] = {}
    phrases: dict[str, list[tuple[re.Pattern[str], str]]] = {}
    for feature, entries in cues.items():
        for form in lexicon.expand(entries):
            parts = form.split("_")
            if len(parts) == 1:
                words.setdefault(form, []).append(feature)
                continue
            anchor = max(parts, key=len)
            pattern = re.compile(r"\b" + r"\W+".join(map(re.escape, parts)) + r"\b")
            phrases.setdefault(anchor, []).append((pattern, feature))
    small = frozenset(lexicon.SMALL_NUMBERS.get(language, "").split())
    units = lexicon.UNITS.get(language, "").split()
    counted = None
    if small and units:
        counted = re.compile(
            rf"\b(?:{'|'.join(sorted(small))})\s+(?:\w+\s+)?(?:{'|'.join(units)})\b"
        )
    return _Lexicon(
        words={word: tuple(features) for word, features in words.items()},
        phrases={word: tuple(rules) for word, rules in phrases.items()},
        vocabulary=frozenset(words) | frozenset(phrases) | small,
        small_numbers=small,
        counted=counted,
        patterns=_EXTRA_PATTERNS.get(language, ()),
    )


_LEXICONS: dict[str, _Lexicon] = {
    language: _build_lexicon(cues, language) for language, cues in lexicon.CUES.items()
}
_GENERIC = _build_lexicon(lexicon.GENERIC_CUES, "und")


class RuleScorer:
    """The default scorer: weighted rules, no model, no dependency.

    ``use_ner`` adds spaCy's French named entities as a signal (French text only; the model is
    loaded on first use). ``weights`` overrides feature weights by name, for experiments.
    """

    def __init__(
        self,
        version: str = "rules-1",
        *,
        use_ner: bool = False,
        weights: Mapping[str, float] | None = None,
        bias: float = BIAS,
    ) -> None:
        unknown = set(weights or ()) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown rule features: {sorted(unknown)}")
        self._version = version
        self._use_ner = use_ner
        self._weights = {name: (weights or {}).get(name, f.weight) for name, f in FEATURES.items()}
        self._bias = bias
        # Each feature's label and weight as reasons show them, formatted once, not per sentence.
        self._shown = {
            name: (FEATURES[name].label, f"({weight:+.1f})")
            for name, weight in self._weights.items()
        }

    @property
    def name(self) -> str:
        return f"{self._version}+ner" if self._use_ner else self._version

    def score(self, sentence: str, language: str) -> SentenceScore:
        fired = self.fired_features(sentence, language)
        probability = self.probability(fired)
        return SentenceScore(
            score=probability,
            kinds=_kinds(fired, probability),
            reasons=tuple(self._reason(name, evidence) for name, evidence in fired.items()),
        )

    def probability(self, fired: Mapping[str, str]) -> float:
        """The score of a sentence that fires ``fired``: logistic of bias plus weights."""
        total = self._bias + sum(self._weights[name] for name in fired)
        return round(1.0 / (1.0 + math.exp(-total)), 4)

    def fired_features(self, sentence: str, language: str) -> dict[str, str]:
        """Return the features the sentence fires, in registry order, with their evidence."""
        lang = language.lower()[:2]
        found = _match_cues(sentence, _LEXICONS.get(lang, _GENERIC))
        _match_shape(sentence, found)
        if self._use_ner and lang == "fr":
            _match_entities(sentence, found)
        if "personal" in found and "first_person" not in found:
            # Family words and memories only mean personal experience in the first person.
            del found["personal"]
        elif "personal" in found:
            del found["first_person"]
        ranked = sorted((_RANK[name], name) for name in found if name in _RANK)
        return {name: found[name] for _rank, name in ranked}

    def _reason(self, name: str, evidence: str) -> str:
        label, weight = self._shown[name]
        return f"{label}: {evidence!r} {weight}" if evidence else f"{label} {weight}"


def _kinds(fired: Mapping[str, str], probability: float) -> tuple[str, ...]:
    present = {FEATURES[name].kind for name in fired} - {None}
    if probability >= _OTHER_KIND_SCORE and not present - {"quotation"}:
        present.add("other")
    return tuple(kind for kind in KINDS if kind in present)


def _match_cues(sentence: str, lex: _Lexicon) -> dict[str, str]:
    lowered = sentence.lower()
    tokens = _TOKEN.findall(lowered)
    hits = lex.vocabulary.intersection(tokens)
    found = _match_words(lowered, hits, lex)
    if hits & lex.small_numbers:
        counted = lex.counted.search(lowered) if lex.counted else None
        if counted:
            found.setdefault("counted", counted.group())
        else:
            found.setdefault("small_number", min(hits & lex.small_numbers))
    verb = found.get("reported_speech")
    # "assure que …", "said that …": someone asserts a proposition, not just speaks.
    if verb and _THAT_AFTER.match(lowered, lowered.find(verb) + len(verb)):
        found["reported_claim"] = verb
    for pattern, feature in lex.patterns:
        match = None if feature in found else pattern.search(lowered)
        if match:
            found[feature] = match.group()
    if len(tokens) < 5:
        found["very_short"] = ""
    elif len(tokens) < 8:
        found["short"] = ""
    return found


def _match_words(lowered: str, hits: frozenset[str], lex: _Lexicon) -> dict[str, str]:
    found: dict[str, str] = {}
    # Sorted, not set order: the evidence quoted in reasons must not depend on hash seeds.
    for token in sorted(hits):
        for feature in lex.words.get(token, ()):
            found.setdefault(feature, token)
        for pattern, feature in lex.phrases.get(token, ()):
            match = None if feature in found else pattern.search(lowered)
            if match:
                found[feature] = match.group()
    return found


def _match_shape(sentence: str, found: dict[str, str]) -> None:
    if _PERCENT.search(sentence):
        found.setdefault("percentage", "%")
    currency = _CURRENCY.search(sentence)
    if currency:
        found.setdefault("currency", currency.group())
    if _DIGIT.search(sentence):
        _match_numbers(sentence, found)
    if "?" in sentence:
        found["question"] = ""
    if "!" in sentence:
        found["exclamation"] = ""
    quote = _QUOTE_MARKS.search(sentence)
    if quote:
        found.setdefault("quote_marks", "")
    for match in _CAPITALISED.finditer(sentence):
        word = match.group().rstrip(".'’-")
        if word not in _NOT_ENTITIES:
            found.setdefault("named_entity", word)
            break


def _match_numbers(sentence: str, found: dict[str, str]) -> None:
    for match in _NUMBER.finditer(sentence):
        tail = sentence[match.end() : match.end() + 32]
        value = match.group()
        if _TIME_TAIL.match(tail):
            continue
        if _AGE_TAIL.match(tail) and sentence[max(0, match.start() - 2) : match.start()] == ", ":
            continue
        head_start = max(0, match.start() - 14)
        if _REFERENCE_HEAD.search(sentence, head_start, match.start()):
            continue
        if _DATE_TAIL.match(tail) or _DATE_HEAD.search(sentence, head_start, match.start()):
            found.setdefault("date", value)
        elif _YEAR.fullmatch(value):
            found.setdefault("year", value)
        else:
            found.setdefault("number", value)


def _match_entities(sentence: str, found: dict[str, str]) -> None:
    from .ner import french_entities

    entities = french_entities(sentence)
    if entities:
        found["ner_entity"] = entities[0][0]
        found.pop("named_entity", None)
