"""The process's embedder, as the settings choose it, and the match threshold that goes with it."""

from __future__ import annotations

from django.conf import settings

from annotations.extraction.claim_matching import threshold_for
from annotations.extraction.embeddings import Embedder, load_embedder


def current_embedder() -> Embedder | None:
    """The embedding model this process uses, loaded on first use; None: the rules alone."""
    return load_embedder(settings.EMBEDDING_MODEL, settings.EMBEDDING_THREADS)


def match_threshold(embedder: Embedder) -> float:
    return threshold_for(embedder.name, settings.EMBEDDING_MATCH_THRESHOLD)
