"""Check-worthiness from the rules and the sentence's meaning: a linear model over the rule
scorer's features and the multilingual sentence embedding.

Why: the hand-written rules carry what is known about figures, dates, causes and laws, but only
through the words they list; a sentence embedding (USE multilingual v3 by default) carries what
a sentence is about and how it is put, in any of its 16 languages, including the wording nobody
wrote a rule for. A logistic regression over both keeps the rules' knowledge (their fired
features and their score are inputs) and adds the meaning.

The model is plain numbers: a weight per input column and an intercept, stored as JSON (no
pickle, nothing executed when loading). One of them ships with the project, trained only on the
project's own news sets (``default_model/``, rebuilt by ``make default-scorer``); others are
trained by ``manage.py train_claim_scorer --features embeddings``. Scoring needs numpy and the
embedder only (no scikit-learn); training needs scikit-learn.

When no embedder loads (``EMBEDDING_MODEL=none``, or it fails: one warning in the log), the
default scorer is the rules; a trained embedding model then scores with the rules too and says
so in its reasons.

Kinds always come from the rules, as for the n-gram model, so a candidate's kinds mean the same
thing whichever scorer made it.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .embeddings import Embedder, Vectors, load_embedder
from .scoring import FEATURE_NAMES, RuleScorer, SentenceScore

__all__ = [
    "DEFAULT_MODEL_PATH",
    "EmbeddingScorer",
    "LinearModel",
    "ScorerMetadata",
    "default_embedder",
    "feature_names",
    "is_embedding_model",
    "shipped_scorer",
    "train_embedding_scorer",
]

logger = logging.getLogger(__name__)

FORMAT = "fcwb-checkworthy-linear"
FORMAT_VERSION = 1
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "default_model" / "embed-1.json"
# Inputs: each rule feature fired (0/1), the rules' own logit, French or not, the embedding.
# Embedding components of a unit vector are small (about 1/sqrt(512)); scaling them up lets one
# regularisation strength suit both blocks. The scale and the shipped model's C were chosen by
# cross-validation over whole articles of the project's development news
# (annotations/extraction/build_default_scorer.py).
EMBEDDING_SCALE = 3.0
C = 0.3
# A model trained on other data (train_claim_scorer) picks its own C among these, by
# cross-validation on its training examples: how much the embedding may move the rules depends
# on the data (debates transcripts want far stronger regularisation than news).
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
INNER_FOLDS = 3
_LOGIT_CLIP = 1e-4
_RULES = RuleScorer()


def feature_names(dimension: int) -> list[str]:
    """The model's input columns, in order."""
    return [
        *(f"rule:{name}" for name in FEATURE_NAMES),
        "rule:logit",
        "language:fr",
        *(f"embedding:{index}" for index in range(dimension)),
    ]


def default_embedder() -> Embedder | None:
    """The process's embedder as the environment sets it (``EMBEDDING_MODEL``,
    ``EMBEDDING_THREADS``, read by the Django settings from the same variables): the same
    object the claim registry uses, loaded once per process; None when it is off or broken."""
    try:
        threads = int(os.environ.get("EMBEDDING_THREADS", "1"))
    except ValueError:
        threads = 1
    return load_embedder(os.environ.get("EMBEDDING_MODEL", ""), threads)


def rule_block(sentences: Sequence[str], language: str) -> tuple[NDArray[np.float64], list[Any]]:
    """The rule columns of each sentence, and the rules' own score of it (for kinds, reasons)."""
    index = {name: position for position, name in enumerate(FEATURE_NAMES)}
    rows = np.zeros((len(sentences), len(FEATURE_NAMES) + 2), dtype=np.float64)
    french = 1.0 if language.lower()[:2] == "fr" else 0.0
    fired_all = []
    for row, sentence in enumerate(sentences):
        fired = _RULES.fired_features(sentence, language)
        fired_all.append(fired)
        for name in fired:
            rows[row, index[name]] = 1.0
        probability = min(max(_RULES.probability(fired), _LOGIT_CLIP), 1 - _LOGIT_CLIP)
        rows[row, len(FEATURE_NAMES)] = math.log(probability / (1 - probability))
        rows[row, len(FEATURE_NAMES) + 1] = french
    return rows, fired_all


def feature_matrix(
    sentences: Sequence[str], language: str, vectors: Vectors
) -> NDArray[np.float64]:
    rules, _ = rule_block(sentences, language)
    return np.hstack([rules, np.asarray(vectors, dtype=np.float64) * EMBEDDING_SCALE])


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Logistic regression as numbers: score = logistic(x · coefficients + intercept)."""

    names: tuple[str, ...]
    coefficients: NDArray[np.float64]
    intercept: float

    def decision(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(features @ self.coefficients + self.intercept, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class ScorerMetadata:
    version: str
    trained_at: str
    n_examples: int
    n_positive: int
    languages: tuple[str, ...]
    rules_version: str
    embedder: str
    dimension: int
    # Whatever else is worth keeping with the model: files trained on, settings, threshold.
    details: dict[str, Any] = field(default_factory=dict)


class EmbeddingScorer:
    """Scores sentences with a linear model over rule features and the sentence embedding.

    ``embedder`` None (it did not load, or is another model than the one trained with): the
    rules score, and the reasons say why.
    """

    def __init__(
        self, model: LinearModel, metadata: ScorerMetadata, embedder: Embedder | None
    ) -> None:
        expected = feature_names(metadata.dimension)
        if list(model.names) != expected or model.coefficients.shape != (len(expected),):
            raise ValueError("the model's inputs are not those this version computes")
        self.model = model
        self.metadata = metadata
        usable = embedder is not None and embedder.name == metadata.embedder
        self.embedder = embedder if usable else None
        self._embedding_columns = slice(len(FEATURE_NAMES) + 2, None)

    @property
    def name(self) -> str:
        return self.metadata.version

    @property
    def has_embedder(self) -> bool:
        return self.embedder is not None

    def score(self, sentence: str, language: str) -> SentenceScore:
        return self.score_many([sentence], language)[0]

    def score_many(self, sentences: Sequence[str], language: str) -> list[SentenceScore]:
        if not sentences:
            return []
        if self.embedder is None:
            note = (
                f"model {self.name} needs the {self.metadata.embedder} embeddings, "
                "not loaded: rules used"
            )
            results = [_RULES.score(sentence, language) for sentence in sentences]
            return [
                SentenceScore(result.score, result.kinds, (note, *result.reasons))
                for result in results
            ]
        vectors = self.embedder.embed(list(sentences))
        rules, _ = rule_block(sentences, language)
        features = np.hstack([rules, np.asarray(vectors, dtype=np.float64) * EMBEDDING_SCALE])
        decisions = self.model.decision(features)
        meaning = (
            features[:, self._embedding_columns] @ self.model.coefficients[self._embedding_columns]
        )
        results = []
        for sentence, decision, part in zip(sentences, decisions, meaning, strict=True):
            rule_score = _RULES.score(sentence, language)
            score = round(1.0 / (1.0 + math.exp(-float(decision))), 4)
            reasons = (
                f"model {self.name}: {score:.2f}",
                f"meaning of the sentence (embedding): {float(part):+.2f}",
                *rule_score.reasons,
            )
            results.append(SentenceScore(score=score, kinds=rule_score.kinds, reasons=reasons))
        return results

    def to_json(self) -> dict[str, Any]:
        data = asdict(self.metadata)
        details = data.pop("details")
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            **data,
            "languages": list(self.metadata.languages),
            "embedding_scale": EMBEDDING_SCALE,
            "intercept": float(self.model.intercept),
            "features": list(self.model.names),
            "coefficients": [float(f"{value:.6g}") for value in self.model.coefficients],
            "details": details,
        }

    def dumps(self) -> bytes:
        """The model as UTF-8 JSON: numbers and names only, safe to load from anywhere."""
        return (json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    @classmethod
    def loads(cls, data: bytes, embedder: Embedder | None = None) -> EmbeddingScorer:
        """A model saved by ``dumps``; ``embedder`` defaults to the process's (may be None)."""
        try:
            payload = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a check-worthiness model ({error})") from None
        return cls.from_json(payload, embedder if embedder is not None else default_embedder())

    @classmethod
    def from_json(cls, payload: Any, embedder: Embedder | None) -> EmbeddingScorer:
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ValueError("not a check-worthiness model")
        if payload.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported model format {payload.get('format_version')!r}")
        if payload.get("embedding_scale") != EMBEDDING_SCALE:
            raise ValueError("the model was trained with another embedding scale")
        try:
            coefficients = np.asarray(payload["coefficients"], dtype=np.float64)
            model = LinearModel(
                tuple(str(name) for name in payload["features"]),
                coefficients,
                float(payload["intercept"]),
            )
            metadata = ScorerMetadata(
                version=str(payload["version"]),
                trained_at=str(payload["trained_at"]),
                n_examples=int(payload["n_examples"]),
                n_positive=int(payload["n_positive"]),
                languages=tuple(str(language) for language in payload["languages"]),
                rules_version=str(payload["rules_version"]),
                embedder=str(payload["embedder"]),
                dimension=int(payload["dimension"]),
                details=dict(payload.get("details") or {}),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"damaged check-worthiness model ({error})") from None
        if not np.all(np.isfinite(coefficients)) or not math.isfinite(model.intercept):
            raise ValueError("damaged check-worthiness model (a weight is not a number)")
        return cls(model, metadata, embedder)


def is_embedding_model(data: bytes) -> bool:
    """Whether stored model bytes are this module's JSON (not the n-gram model's format)."""
    head = data[:200].lstrip()
    return head.startswith(b"{") and FORMAT.encode() in head


class CachingEmbedder:
    """An embedder that remembers each sentence's vector (training and cross-validation embed
    the same sentences once per fold otherwise)."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._cache: dict[str, Vectors] = {}

    @property
    def name(self) -> str:
        return self._embedder.name

    @property
    def dimension(self) -> int:
        return self._embedder.dimension

    def embed(self, texts: Sequence[str]) -> Vectors:
        missing = list(dict.fromkeys(text for text in texts if text not in self._cache))
        if missing:
            for text, vector in zip(missing, self._embedder.embed(missing), strict=True):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._cache[text] for text in texts])


def training_matrix(
    examples: Sequence[tuple[str, str, int]], embedder: Embedder
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Features and labels of ``(text, language, label)`` examples, grouped by language for the
    rules but kept in the given order."""
    features = np.zeros(
        (len(examples), len(FEATURE_NAMES) + 2 + embedder.dimension), dtype=np.float64
    )
    by_language: dict[str, list[int]] = {}
    for position, (_, language, _) in enumerate(examples):
        by_language.setdefault(language, []).append(position)
    for language, positions in by_language.items():
        texts = [examples[position][0] for position in positions]
        features[positions] = feature_matrix(texts, language, embedder.embed(texts))
    labels = np.asarray([1 if label else 0 for _, _, label in examples], dtype=np.int64)
    return features, labels


def fit_linear(
    features: NDArray[np.float64], labels: NDArray[np.int64], *, c: float = C
) -> LinearModel:
    """Class-weighted logistic regression (check-worthy sentences are a minority)."""
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(
        C=c, class_weight="balanced", solver="lbfgs", max_iter=5000, random_state=0
    )
    classifier.fit(features, labels)
    dimension = features.shape[1] - len(FEATURE_NAMES) - 2
    return LinearModel(
        tuple(feature_names(dimension)),
        np.asarray(classifier.coef_[0], dtype=np.float64),
        float(classifier.intercept_[0]),
    )


def choose_c(features: NDArray[np.float64], labels: NDArray[np.int64]) -> tuple[float, str]:
    """The C of ``C_GRID`` with the best mean average precision over ``INNER_FOLDS`` folds of
    consecutive examples (files are read in order, so a fold holds mostly whole articles or
    debates, and a model is not judged on sentences of an article it saw). Ties go to the
    stronger regularisation. Folds without both classes are skipped; with none left, ``C``."""
    from .evaluation import average_precision

    count = len(labels)
    bounds = [count * part // INNER_FOLDS for part in range(INNER_FOLDS + 1)]
    results: list[tuple[float, float]] = []
    for c in C_GRID:
        precisions = []
        for part in range(INNER_FOLDS):
            held = np.zeros(count, dtype=bool)
            held[bounds[part] : bounds[part + 1]] = True
            if len(set(labels[held].tolist())) < 2 or len(set(labels[~held].tolist())) < 2:
                continue
            model = fit_linear(features[~held], labels[~held], c=c)
            precisions.append(
                average_precision(model.decision(features[held]).tolist(), labels[held].tolist())
            )
        if precisions:
            results.append((round(sum(precisions) / len(precisions), 4), -c))
    if not results:
        return C, "default (too few examples to cross-validate)"
    score, negative_c = max(results)
    return -negative_c, f"{INNER_FOLDS}-fold cross-validation on the training examples (AP {score})"


def train_embedding_scorer(
    examples: Iterable[tuple[str, str, int]],
    *,
    version: str,
    embedder: Embedder | None = None,
    trained_at: datetime | None = None,
    c: float | None = None,
    details: dict[str, Any] | None = None,
) -> EmbeddingScorer:
    """Train on ``(text, language, label)`` examples, label 1 for check-worthy.

    ``embedder`` defaults to the process's; training without one raises ValueError. ``c``
    None: chosen by ``choose_c``. Both classes must be present. Deterministic: the same
    examples in the same order give the same model.
    """
    active = embedder if embedder is not None else default_embedder()
    if active is None:
        raise ValueError("no sentence embedder loaded (EMBEDDING_MODEL): cannot train with it")
    rows = [
        (text, language.lower()[:2] or "und", 1 if label else 0)
        for text, language, label in examples
    ]
    if len({label for _, _, label in rows}) < 2:
        raise ValueError("training needs both check-worthy and other sentences")
    features, labels = training_matrix(rows, active)
    how = "given"
    if c is None:
        c, how = choose_c(features, labels)
    model = fit_linear(features, labels, c=c)
    moment = (trained_at or datetime.now(UTC)).astimezone(UTC)
    metadata = ScorerMetadata(
        version=version,
        trained_at=moment.isoformat(timespec="seconds"),
        n_examples=len(rows),
        n_positive=int(labels.sum()),
        languages=tuple(sorted({language for _, language, _ in rows})),
        rules_version=_RULES.name,
        embedder=active.name,
        dimension=active.dimension,
        details={"C": c, "C_chosen_by": how, **(details or {})},
    )
    return EmbeddingScorer(model, metadata, active)


_shipped: dict[int, EmbeddingScorer | None] = {}
_shipped_lock = threading.Lock()


def shipped_scorer(embedder: Embedder | None) -> EmbeddingScorer | None:
    """The model that ships with the project, over ``embedder``; None when there is no embedder,
    it is not the one the model was trained with, or the file is missing or damaged (logged
    once). The file is read once per process."""
    if embedder is None:
        return None
    key = id(embedder)
    if key not in _shipped:
        with _shipped_lock:
            if key not in _shipped:
                _shipped.clear()  # another embedder (tests that switch models): one entry
                _shipped[key] = _load_shipped(embedder)
    return _shipped[key]


def _load_shipped(embedder: Embedder) -> EmbeddingScorer | None:
    try:
        scorer = EmbeddingScorer.loads(DEFAULT_MODEL_PATH.read_bytes(), embedder)
    except (OSError, ValueError) as error:
        logger.warning(
            "The shipped check-worthiness model %s could not load (%s); the rules score.",
            DEFAULT_MODEL_PATH.name,
            error,
        )
        return None
    if not scorer.has_embedder:
        logger.info(
            "The shipped check-worthiness model needs %s, not %s; the rules score.",
            scorer.metadata.embedder,
            embedder.name,
        )
        return None
    return scorer
