"""The process's embedder, as the settings choose it, and the match threshold that goes with it."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from annotations.extraction.claim_matching import threshold_for
from annotations.extraction.embeddings import Embedder, VectorCache, load_embedder


def current_embedder() -> Embedder | None:
    """The embedding model this process uses, loaded on first use; None: the rules alone."""
    return load_embedder(settings.EMBEDDING_MODEL, settings.EMBEDDING_THREADS)


def match_threshold(embedder: Embedder) -> float:
    return threshold_for(embedder.name, settings.EMBEDDING_MATCH_THRESHOLD)


def vector_cache() -> VectorCache:
    """The process's cache of vectors (``EMBEDDING_CACHE_VECTORS`` entries at most; 0: none)."""
    return _cache_of(settings.EMBEDDING_CACHE_VECTORS)


@lru_cache(maxsize=1)
def _cache_of(capacity: int) -> VectorCache:
    return VectorCache(capacity)
