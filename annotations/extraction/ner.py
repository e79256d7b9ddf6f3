"""Optional French named entities from spaCy's fr_core_news_sm, for ``RuleScorer(use_ner=True)``.

Never imported by the default path: spaCy and the model take seconds and hundreds of megabytes
to load, and the rules alone keep extraction fast. Only the entity recogniser is loaded (it has
its own embedding layer in this model, so the tagger, parser and lemmatizer can be left out).
"""

from __future__ import annotations

from functools import cache
from typing import Any

MODEL = "fr_core_news_sm"
_KEPT_LABELS = frozenset({"PER", "ORG", "LOC", "MISC"})


@cache
def _pipeline() -> Any:
    try:
        import spacy
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise RuntimeError(
            "French NER needs the 'nlp' extra (spaCy and fr_core_news_sm)"
        ) from error
    return spacy.load(
        MODEL, exclude=["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer"]
    )


def french_entities(sentence: str) -> list[tuple[str, str]]:
    """Return ``(text, label)`` of the persons, organisations, places and other named entities
    spaCy finds in ``sentence``, in order."""
    document = _pipeline()(sentence)
    return [
        (entity.text, entity.label_) for entity in document.ents if entity.label_ in _KEPT_LABELS
    ]
