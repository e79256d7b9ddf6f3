"""A check-worthiness scorer learned from reviewers' decisions or labelled files.

Features are TF-IDF word n-grams, TF-IDF character n-grams (robust to inflection and typos) and
the rule scorer's features, which carry what the rules know about numbers, dates and claim
kinds into the model. The classifier is a class-weighted logistic regression: check-worthy
sentences are a small minority, and a linear model's weights can be read back as reasons.

Kinds always come from the rules, so a candidate's kinds mean the same thing whichever scorer
made it; the learned part adds its probability and the n-grams that pushed it up.

The other learned scorer, over the rules and the sentence embedding (what generalises to text
nobody trained on), is in ``checkworthy``; ``LearnedScorer.loads`` reads both formats.
"""

from __future__ import annotations

import io
import pickle
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sklearn
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from .checkworthy import EmbeddingScorer, is_embedding_model
from .evaluation import ClefLine, read_clef_tsv
from .scoring import FEATURE_NAMES, RuleScorer, SentenceScore

__all__ = [
    "ClefLine",
    "LearnedScorer",
    "ModelMetadata",
    "examples_from_clef",
    "read_clef_tsv",
    "train_scorer",
]

Example = tuple[str, str, int]
_MAGIC = b"FCWB-SCORER\x00"
_FORMAT = 1
_RULES = RuleScorer()
# Below this many examples, an n-gram seen once is kept: tiny workspaces would otherwise have
# no vocabulary at all.
_MIN_EXAMPLES_FOR_MIN_DF = 200
_TOP_TERMS = 3
_C = 0.3
_RULE_BLOCK_WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class ModelMetadata:
    version: str
    trained_at: str
    n_examples: int
    n_positive: int
    languages: tuple[str, ...]
    rules_version: str
    sklearn_version: str


def _texts(items: Sequence[tuple[str, str]]) -> list[str]:
    return [text for text, _ in items]


class RuleFeatures(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """The rule scorer's fired features (one column each) and its score, as model inputs."""

    def fit(self, items: Sequence[tuple[str, str]], labels: Any = None) -> RuleFeatures:
        return self

    def transform(self, items: Sequence[tuple[str, str]]) -> sparse.csr_matrix:
        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        index = {name: position for position, name in enumerate(FEATURE_NAMES)}
        for row, (text, language) in enumerate(items):
            fired = _RULES.fired_features(text, language)
            for name in fired:
                rows.append(row)
                columns.append(index[name])
                values.append(1.0)
            rows.append(row)
            columns.append(len(FEATURE_NAMES))
            values.append(_RULES.probability(fired))
        shape = (len(items), len(FEATURE_NAMES) + 1)
        return sparse.csr_matrix((values, (rows, columns)), shape=shape)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array([f"rule:{name}" for name in FEATURE_NAMES] + ["rule:score"], dtype=object)


def _build_pipeline(n_examples: int) -> Pipeline:
    min_df = 2 if n_examples >= _MIN_EXAMPLES_FOR_MIN_DF else 1
    words = Pipeline(
        [
            ("text", FunctionTransformer(_texts)),
            (
                "tfidf",
                TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, sublinear_tf=True),
            ),
        ]
    )
    chars = Pipeline(
        [
            ("text", FunctionTransformer(_texts)),
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=min_df,
                    sublinear_tf=True,
                    max_features=150_000,
                ),
            ),
        ]
    )
    # The rule block is a few dozen columns next to 100k+ n-gram columns; weighting it keeps
    # the regulariser from drowning it. C and the weight were picked by leave-one-debate-out
    # on part of the CLEF 2019 debates (bench/clef_eval.py).
    features = FeatureUnion(
        [("words", words), ("chars", chars), ("rules", RuleFeatures())],
        transformer_weights={"rules": _RULE_BLOCK_WEIGHT},
    )
    classifier = LogisticRegression(
        C=_C, class_weight="balanced", solver="liblinear", max_iter=2000, random_state=0
    )
    return Pipeline([("features", features), ("classifier", classifier)])


class LearnedScorer:
    """Scores sentences with a trained pipeline; kinds and the rule reasons come from the rules.

    Instances are made by ``train_scorer`` or ``LearnedScorer.loads``.
    """

    def __init__(self, pipeline: Pipeline, metadata: ModelMetadata) -> None:
        self._pipeline = pipeline
        self.metadata = metadata
        self._words: dict[int, str] = _word_features(pipeline)
        classifier: LogisticRegression = pipeline.named_steps["classifier"]
        self._coefficients = np.asarray(classifier.coef_[0])

    @property
    def name(self) -> str:
        return self.metadata.version

    def score(self, sentence: str, language: str) -> SentenceScore:
        return self.score_many([sentence], language)[0]

    def score_many(self, sentences: Sequence[str], language: str) -> list[SentenceScore]:
        if not sentences:
            return []
        items = [(sentence, language) for sentence in sentences]
        features = self._pipeline.named_steps["features"].transform(items)
        classifier: LogisticRegression = self._pipeline.named_steps["classifier"]
        probabilities = classifier.predict_proba(features)[:, 1]
        results = []
        for row, (sentence, probability) in enumerate(zip(sentences, probabilities, strict=True)):
            rules = _RULES.score(sentence, language)
            score = round(float(probability), 4)
            reasons = (
                f"model {self.name}: {score:.2f}",
                *self._top_terms(features.getrow(row)),
                *rules.reasons,
            )
            results.append(SentenceScore(score=score, kinds=rules.kinds, reasons=reasons))
        return results

    def _top_terms(self, row: sparse.csr_matrix) -> list[str]:
        contributions = [
            (value * self._coefficients[column], self._words[column])
            for column, value in zip(row.indices, row.data, strict=True)
            if column in self._words
        ]
        contributions.sort(key=lambda item: (-item[0], item[1]))
        return [
            f"learned n-gram: {term!r} ({weight:+.2f})"
            for weight, term in contributions[:_TOP_TERMS]
            if weight > 0
        ]

    def dumps(self) -> bytes:
        """Serialise the model and its metadata (pickle, compressed) for storage."""
        payload = {"format": _FORMAT, "metadata": asdict(self.metadata), "pipeline": self._pipeline}
        return _MAGIC + zlib.compress(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), 6)

    @classmethod
    def loads(cls, data: bytes) -> LearnedScorer | EmbeddingScorer:
        """Restore a model saved by ``dumps``, or an embedding model (``--features
        embeddings``: JSON, numbers only, read without unpickling).

        An n-gram model unpickles: only load bytes this application wrote itself (the
        workbench's own database), never a model file from elsewhere.
        """
        if is_embedding_model(data):
            return EmbeddingScorer.loads(data)
        if not data.startswith(_MAGIC):
            raise ValueError("not a serialised claim scorer")
        # Trusted input only, as the docstring says: the bytes come from the workbench's own table.
        payload = pickle.load(io.BytesIO(zlib.decompress(data[len(_MAGIC) :])))  # noqa: S301
        if payload.get("format") != _FORMAT:
            raise ValueError(f"unsupported scorer format {payload.get('format')!r}")
        fields = dict(payload["metadata"])
        fields["languages"] = tuple(fields["languages"])
        return cls(payload["pipeline"], ModelMetadata(**fields))


def _word_features(pipeline: Pipeline) -> dict[int, str]:
    """Column index -> word n-gram, for the columns a reviewer can read."""
    union: FeatureUnion = pipeline.named_steps["features"]
    words: Pipeline = union.transformer_list[0][1]
    names = words.named_steps["tfidf"].get_feature_names_out()
    return {position: str(name) for position, name in enumerate(names)}


def train_scorer(
    examples: Iterable[Example], *, version: str, trained_at: datetime | None = None
) -> LearnedScorer:
    """Train a scorer on ``(text, language, label)`` examples, label 1 for check-worthy.

    Both classes must be present. Training is deterministic: the same examples in the same
    order give the same model.
    """
    rows = [
        (text, language.lower()[:2] or "und", 1 if label else 0)
        for text, language, label in examples
    ]
    labels = [label for _, _, label in rows]
    if len(set(labels)) < 2:
        raise ValueError("training needs both check-worthy and other sentences")
    pipeline = _build_pipeline(len(rows))
    pipeline.fit([(text, language) for text, language, _ in rows], labels)
    moment = (trained_at or datetime.now(UTC)).astimezone(UTC)
    metadata = ModelMetadata(
        version=version,
        trained_at=moment.isoformat(timespec="seconds"),
        n_examples=len(rows),
        n_positive=sum(labels),
        languages=tuple(sorted({language for _, language, _ in rows})),
        rules_version=_RULES.name,
        sklearn_version=sklearn.__version__,
    )
    return LearnedScorer(pipeline, metadata)


def examples_from_clef(lines: Iterable[ClefLine], language: str) -> list[Example]:
    """Turn CLEF-format lines into training examples for ``train_scorer``."""
    return [(line.text, language, line.label) for line in lines]
